"""The page's components, laid out and named: what the person sees, before any wiring.

ui.py wires events to these by name; tests and the API read outputs by the same names. Every
text is a key of messages.toml (label()): Gradio shows it in the tab's language.
"""

from typing import Any

import gradio as gr
from gradio.i18n import I18nData

from interviewer.grading.guards import MAX_ANSWER_CHARS
from interviewer.web.page_language import label
from interviewer.web.views import empty_feedback
from knowledge.reading.files import CONVERTED, SUFFIXES

# a tab's outputs by name; the API returns those of an event in this order (buttons, tabs and
# State are not API outputs), so callers (ui.PAGE) read them by name too
PAGE = ("chat", "feedback", "status", "clock")
BUTTONS = ("send", "hint", "skip", "reveal", "end")  # usable only while a question waits
REPORT = (
    "report",
    "model_answers",
    "topic_plot",
    "trend",
    "trend_points",
    "past",
    "pick",
    "forecast",
    "schedule",
)
Choices = list[tuple[str | I18nData, str]]  # (what the page shows, the value events get)
# each language by its own name, as language menus write them
LANGUAGES: Choices = [(label("lang_auto"), "auto"), ("中文", "zh"), ("English", "en")]
# the values are the API's (load_notes takes them): the page shows the labels
SOURCES = ["Sample notes", "A folder on this computer", "Upload files", "Course notes"]
SOURCE_CHOICES: Choices = [
    (label("source_sample"), SOURCES[0]),
    (label("source_folder"), SOURCES[1]),
    (label("source_upload"), SOURCES[2]),
    (label("source_course"), SOURCES[3]),
]
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
    loaded = gr.State(None)  # what the notes summary shows, redrawn when the language changes
    lang = gr.State("en")  # the tab's language (page_language.py): what the server writes in
    locale = gr.Textbox(visible=False)  # the same, for the browser: Gradio's own strings follow it

    with gr.Column(elem_classes="brand"):
        gr.HTML(f"<h1>{label('brand_title')}</h1>")
        gr.HTML(f"<p>{label('brand_tagline')}</p>")
    user_line = gr.Markdown("", elem_id="user")  # who is signed in, in a class
    c = {"session": session, "root": root, "loaded": loaded, "lang": lang, "locale": locale}
    c["user_line"] = user_line
    c |= _sidebar()
    with gr.Tabs() as tabs:
        c |= _interview_tab()
        c |= _report_tab()
    c["tabs"] = tabs
    return c


def _sidebar() -> dict[str, Any]:
    """The notes and the interview settings, and Start."""
    with gr.Sidebar(label=label("setup"), open=True, width=330):
        gr.Markdown(f"### {label('setup_notes')}")
        source = gr.Radio(SOURCE_CHOICES, value=SOURCES[0], label=label("source_label"), show_label=False)
        folder = gr.Textbox(
            label=label("notes_folder"),
            placeholder=label("folder_placeholder"),
            visible=False,
            elem_id="folder",
        )
        files = gr.File(
            label=label("upload_label"),
            file_count="multiple",
            file_types=[*SUFFIXES, *CONVERTED, ".zip"],  # every format the notes are read in
            visible=False,
        )
        # its choices come when it is picked; any name is let through (the API's callers never
        # pick it), and the coach says if there are no course notes by that name
        course = gr.Dropdown(
            label=label("source_course"), choices=[], visible=False, elem_id="course", allow_custom_value=True
        )
        load_btn = gr.Button(label("load_notes"), size="sm", elem_id="load-notes")
        summary = gr.Markdown(f"*{label('notes_loading')}*", elem_id="notes-summary")
        gr.Markdown(f"### {label('setup_interview')}")
        due = gr.Markdown("", elem_id="due")
        topics = gr.Dropdown(label=label("topics_label"), multiselect=True, choices=[])
        questions = gr.Slider(1, 20, value=5, step=1, label=label("questions_label"))
        follow_ups = gr.Slider(0, 2, value=1, step=1, label=label("follow_ups_label"))
        language = gr.Radio(LANGUAGES, value="auto", label=label("language_label"), elem_id="language")
        review_weak = gr.Checkbox(label=label("review_weak_label"))
        adjust = gr.Checkbox(value=True, label=label("adjust_label"))
        time_limit = gr.Slider(
            0, 600, value=0, step=30, label=label("time_limit_label"), elem_id="time-limit"
        )
        with gr.Accordion(label("job_accordion"), open=False):
            job = gr.Textbox(
                label=label("job_label"),
                placeholder=label("job_placeholder"),
                lines=4,
                max_lines=12,
                max_length=20_000,
                elem_id="job",
            )
            job_file = gr.UploadButton(str(label("job_file")), file_types=[".txt", ".md"], size="sm")
            job_view = gr.Markdown("", elem_id="job-view")
        start_btn = gr.Button(label("start"), variant="primary", elem_id="start")
        resume_btn = gr.Button(label("resume"), size="sm")

    return _named(locals())


def _interview_tab() -> dict[str, Any]:
    """The chat, the answer box and its buttons; the feedback and the appeal beside them."""
    with gr.Tab(label("tab_interview"), id="interview"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chat = gr.Chatbot(
                    label=label("chat_label"),
                    show_label=False,
                    height=520,
                    latex_delimiters=LATEX,
                    placeholder=str(label("chat_placeholder")),
                    elem_id="chat",
                )
                status = gr.Markdown("", elem_id="status")
                clock = gr.HTML("", elem_id="clock")
                answer = gr.Textbox(
                    label=label("answer_label"),
                    show_label=False,
                    placeholder=label("answer_placeholder"),
                    lines=1,
                    max_lines=10,
                    max_length=MAX_ANSWER_CHARS,
                    elem_id="answer",
                )
                with gr.Row():
                    send = gr.Button(label("send"), variant="primary", scale=2, elem_id="send")
                    hint = gr.Button(label("hint"), scale=1)
                    skip = gr.Button(label("skip"), scale=1)
                    reveal = gr.Button(label("reveal"), scale=1)
                    end = gr.Button(label("end"), variant="stop", scale=1, elem_id="end")
            with gr.Column(scale=2, min_width=320):
                gr.Markdown(f"#### {label('feedback_heading')}")
                # Markdown, not HTML: the notes' $LaTeX$ renders here too (our HTML passes through)
                empty = empty_feedback(str(label("feedback_empty")))
                feedback = gr.Markdown(empty, latex_delimiters=LATEX, elem_id="feedback")
                with gr.Accordion(label("appeal_accordion"), open=False):
                    appeal_score = gr.Number(
                        label=label("appeal_score"), minimum=0, maximum=10, elem_id="appeal-score"
                    )
                    appeal_reason = gr.Textbox(
                        label=label("appeal_why"), max_length=2000, elem_id="appeal-why"
                    )
                    appeal = gr.Button(label("appeal"), size="sm", elem_id="appeal")
    return _named(locals())


def _report_tab() -> dict[str, Any]:
    """The report, its charts and downloads, and the history of past interviews."""
    with gr.Tab(label("tab_report"), id="report"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                report = gr.Markdown(f"*{label('report_empty')}*", elem_id="report")
                with gr.Accordion(label("model_answers_accordion"), open=False):
                    model_answers = gr.Markdown(latex_delimiters=LATEX)
            with gr.Column(scale=2):
                # headings above the charts, and their axes' titles from the server (views.axes):
                # Gradio's charts draw an i18n key in a title as it is
                gr.Markdown(f"#### {label('topic_plot')}")
                topic_plot = gr.BarPlot(x="topic", y="score", y_lim=[0, 10], height=260, elem_id="topic-plot")
                gr.Markdown(f"#### {label('forecast_plot')}")
                forecast = gr.BarPlot(
                    x="day", y="due", x_bin="1d", y_aggregate="sum", height=220, elem_id="forecast"
                )
                schedule = gr.Markdown("", elem_id="schedule")
                gr.Markdown(f"#### {label('download_heading')}")
                # any value is let through to the handler, which checks it is yours: the
                # choices are kept per replica, and another replica must take a pick too
                pick = gr.Dropdown(
                    label=label("pick_label"), choices=[], elem_id="pick", allow_custom_value=True
                )
                with gr.Row():
                    dl_md = gr.DownloadButton("Markdown", size="sm", elem_id="dl-md")
                    dl_json = gr.DownloadButton("JSON", size="sm", elem_id="dl-json")
                    dl_html = gr.DownloadButton("HTML", size="sm", elem_id="dl-html")
        gr.Markdown(f"#### {label('history_heading')}")
        trend = gr.LinePlot(x="date", y="score", color="topic", y_lim=[0, 10], height=260)
        # one session is one point per topic, which a line plot can't show: points instead
        trend_points = gr.ScatterPlot(
            x="date", y="score", color="topic", y_lim=[0, 10], height=260, visible=False
        )
        # the headers come with the rows, in the tab's language (handlers.history)
        past = gr.Dataframe(interactive=False, wrap=True, elem_id="past")
    return _named(locals())


def _named(scope: dict[str, Any]) -> dict[str, Any]:
    """A panel's components by their variable's name: the names ui.py wires and the tests read."""
    return {name: value for name, value in scope.items() if isinstance(value, gr.components.Component)}
