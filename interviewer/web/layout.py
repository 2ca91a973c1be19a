"""The page's components, laid out and named: what the person sees, before any wiring.

ui.py wires events to these by name; tests and the API read outputs by the same names.
"""

from typing import Any

import gradio as gr

from interviewer.grading.guards import MAX_ANSWER_CHARS
from interviewer.web.uploads import MAX_TOTAL
from interviewer.web.views import feedback_html

LANGUAGES = [("As in the notes", "auto"), ("中文", "zh"), ("English", "en")]
SOURCES = ["Sample notes", "A folder on this computer", "Upload files", "Course notes"]
LATEX: list[dict[str, str | bool]] = [
    {"left": "$$", "right": "$$", "display": True},
    {"left": "$", "right": "$", "display": False},
]


def layout() -> dict[str, Any]:
    """Every component of the page, by name; call inside a gr.Blocks."""
    # this tab's interview, by id: the interview itself is saved in the database after every
    # step, so whichever replica the next request reaches goes on with it. Tabs never share one
    session = gr.Textbox("", visible="hidden", elem_id="session-id")
    root = gr.State("")  # the notes folder this tab practises on

    gr.HTML(
        "<div class='brand'><h1>Interview Coach</h1><p>Practise on your own notes. Every score is "
        "traced to the note it came from. Runs on this computer only.</p></div>"
    )
    user_line = gr.Markdown("", elem_id="user")  # who is signed in, in a class
    with gr.Sidebar(label="Setup", open=True, width=330):
        gr.Markdown("### 1 · Your notes")
        source = gr.Radio(SOURCES, value=SOURCES[0], show_label=False)
        folder = gr.Textbox(label="Notes folder", placeholder="/home/me/notes", visible=False)
        files = gr.File(
            label=f"Markdown / text files or a .zip (up to {MAX_TOTAL // 2**20} MB)",
            file_count="multiple",
            file_types=[".md", ".markdown", ".txt", ".zip"],
            visible=False,
        )
        # its choices come when it is picked; any name is let through (the API's callers never
        # pick it), and the coach says if there are no course notes by that name
        course = gr.Dropdown(
            label="Course notes", choices=[], visible=False, elem_id="course", allow_custom_value=True
        )
        load_btn = gr.Button("Load notes", size="sm")
        summary = gr.Markdown("*Loading the sample notes…*", elem_id="notes-summary")
        gr.Markdown("### 2 · The interview")
        due = gr.Markdown("", elem_id="due")
        topics = gr.Dropdown(label="Topics (empty: all)", multiselect=True, choices=[])
        questions = gr.Slider(1, 20, value=5, step=1, label="Questions")
        follow_ups = gr.Slider(0, 2, value=1, step=1, label="Follow-ups per question")
        language = gr.Radio(LANGUAGES, value="auto", label="Interviewer's language")
        review_weak = gr.Checkbox(label="Review my weak topics first (instead of the schedule)")
        time_limit = gr.Slider(
            0, 600, value=0, step=30, label="Seconds per question (0: no limit)", elem_id="time-limit"
        )
        with gr.Accordion("Aim at a job (optional)", open=False):
            job = gr.Textbox(
                label="Job description",
                placeholder="Paste the requirements, one per line",
                lines=4,
                max_lines=12,
                max_length=20_000,
                elem_id="job",
            )
            job_file = gr.UploadButton("Load a .txt or .md", file_types=[".txt", ".md"], size="sm")
            job_view = gr.Markdown("", elem_id="job-view")
        start_btn = gr.Button("Start interview", variant="primary", elem_id="start")
        resume_btn = gr.Button("Resume my last interview", size="sm")

    with gr.Tabs() as tabs:
        with gr.Tab("Interview", id="interview"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=420):
                    chat = gr.Chatbot(
                        show_label=False,
                        height=520,
                        latex_delimiters=LATEX,
                        placeholder="Load your notes, then press **Start interview**.",
                        elem_id="chat",
                    )
                    status = gr.Markdown("", elem_id="status")
                    clock = gr.HTML("", elem_id="clock")
                    answer_box = gr.Textbox(
                        show_label=False,
                        placeholder="Your answer. Enter sends, Shift+Enter starts a new line.",
                        lines=1,
                        max_lines=10,
                        max_length=MAX_ANSWER_CHARS,
                        elem_id="answer",
                    )
                    with gr.Row():
                        send = gr.Button("Send", variant="primary", scale=2, elem_id="send")
                        hint = gr.Button("Hint", scale=1)
                        skip = gr.Button("Skip", scale=1)
                        reveal = gr.Button("Model answer", scale=1)
                        end = gr.Button("End interview", variant="stop", scale=1, elem_id="end")
                with gr.Column(scale=2, min_width=320):
                    gr.Markdown("#### Feedback")
                    # Markdown, not HTML: the notes' $LaTeX$ renders here too (our HTML passes through)
                    feedback = gr.Markdown(feedback_html(None), latex_delimiters=LATEX, elem_id="feedback")
                    with gr.Accordion("Disagree with this grade?", open=False):
                        appeal_score = gr.Number(
                            label="My grade should be", minimum=0, maximum=10, elem_id="appeal-score"
                        )
                        appeal_reason = gr.Textbox(
                            label="Why (optional)", max_length=2000, elem_id="appeal-why"
                        )
                        appeal_btn = gr.Button("Appeal", size="sm", elem_id="appeal")
        with gr.Tab("Report", id="report"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    report_md = gr.Markdown("*Finish an interview to see its report.*", elem_id="report")
                    with gr.Accordion("Model answers from your notes", open=False):
                        answers_md = gr.Markdown(latex_delimiters=LATEX)
                with gr.Column(scale=2):
                    topic_plot = gr.BarPlot(
                        x="topic", y="score", y_lim=[0, 10], title="Score by topic", height=260
                    )
                    forecast = gr.BarPlot(
                        x="day", y="due", title="Questions due, next 14 days", height=220, x_label_angle=-45
                    )
                    schedule_md = gr.Markdown("", elem_id="schedule")
                    gr.Markdown("#### Download a transcript")
                    # any value is let through to the handler, which checks it is yours: the
                    # choices are kept per replica, and another replica must take a pick too
                    pick = gr.Dropdown(label="Interview", choices=[], elem_id="pick", allow_custom_value=True)
                    with gr.Row():
                        dl_md = gr.DownloadButton("Markdown", size="sm", elem_id="dl-md")
                        dl_json = gr.DownloadButton("JSON", size="sm", elem_id="dl-json")
                        dl_html = gr.DownloadButton("HTML", size="sm", elem_id="dl-html")
            gr.Markdown("#### History")
            trend = gr.LinePlot(x="date", y="score", color="topic", y_lim=[0, 10], height=260)
            # one session is one point per topic, which a line plot can't show: points instead
            trend_points = gr.ScatterPlot(
                x="date", y="score", color="topic", y_lim=[0, 10], height=260, visible=False
            )
            past = gr.Dataframe(
                headers=["When", "Session", "Notes", "Answers", "Overall", "Topics"],
                interactive=False,
                wrap=True,
            )
    return {
        "session": session,
        "root": root,
        "source": source,
        "folder": folder,
        "files": files,
        "course": course,
        "user_line": user_line,
        "load_btn": load_btn,
        "summary": summary,
        "topics": topics,
        "questions": questions,
        "follow_ups": follow_ups,
        "language": language,
        "review_weak": review_weak,
        "due": due,
        "time_limit": time_limit,
        "job": job,
        "job_file": job_file,
        "job_view": job_view,
        "clock": clock,
        "appeal_score": appeal_score,
        "appeal_reason": appeal_reason,
        "appeal": appeal_btn,
        "forecast": forecast,
        "schedule": schedule_md,
        "trend_points": trend_points,
        "start_btn": start_btn,
        "resume_btn": resume_btn,
        "tabs": tabs,
        "chat": chat,
        "status": status,
        "answer": answer_box,
        "send": send,
        "hint": hint,
        "skip": skip,
        "reveal": reveal,
        "end": end,
        "feedback": feedback,
        "report": report_md,
        "model_answers": answers_md,
        "topic_plot": topic_plot,
        "pick": pick,
        "dl_md": dl_md,
        "dl_json": dl_json,
        "dl_html": dl_html,
        "trend": trend,
        "past": past,
    }
