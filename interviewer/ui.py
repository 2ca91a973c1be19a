"""The Gradio page: layout and wiring only. What each button does is in handlers.py.

Every event goes through _guarded: a problem the person can fix shows as a message, anything
else is logged here and shown as one plain sentence, and the tab's session is kept either way.
"""

import functools
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry: nothing leaves the machine

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402

from interviewer import handlers  # noqa: E402
from interviewer.coach import Coach  # noqa: E402
from interviewer.grader import MAX_ANSWER_CHARS  # noqa: E402
from interviewer.handlers import Page, UserError  # noqa: E402
from interviewer.session import Session, SessionOptions  # noqa: E402
from interviewer.uploads import MAX_TOTAL, UploadError  # noqa: E402
from interviewer.views import feedback_html, notes_summary  # noqa: E402
from knowledge.files import NotesFileError  # noqa: E402
from knowledge.models import ModelAssemblyError  # noqa: E402
from knowledge.store import CorruptIndex  # noqa: E402

log = logging.getLogger("interview-coach")
HERE = Path(__file__).parent
LANGUAGES = [("As in the notes", "auto"), ("中文", "zh"), ("English", "en")]
SOURCES = ["Sample notes", "A folder on this computer", "Upload files"]
LATEX: list[dict[str, str | bool]] = [
    {"left": "$$", "right": "$$", "display": True},
    {"left": "$", "right": "$", "display": False},
]
PROGRESS = gr.Progress(track_tqdm=True)  # tqdm bars (model assembly, embedding) show in the page
# errors whose message is already written for the person reading it
_PLAIN = (
    UserError,
    UploadError,
    NotesFileError,
    CorruptIndex,
    ModelAssemblyError,
    FileNotFoundError,
    ValueError,
)


def _message(e: Exception) -> str:
    if isinstance(e, _PLAIN):
        return str(e)
    log.exception("unexpected error in the UI")
    return f"Something went wrong ({type(e).__name__}: {e}). Your answers so far are saved."


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            raise gr.Error(_message(e)) from e

    return call


def _guarded_stream(fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from fn(*args, **kwargs)
        except Exception as e:
            raise gr.Error(_message(e)) from e

    return call


def build(coach: Coach, bundled: Path) -> gr.Blocks:
    with gr.Blocks(title="Interview Coach") as demo:
        session = gr.State(None)  # this tab's Session: tabs never share one
        root = gr.State("")  # the notes folder this tab practises on

        gr.HTML(
            "<div class='brand'><h1>Interview Coach</h1><p>Practise on your own notes. Every score is "
            "traced to the note it came from. Runs on this computer only.</p></div>"
        )
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
            load_btn = gr.Button("Load notes", size="sm")
            summary = gr.Markdown("*Loading the sample notes…*", elem_id="notes-summary")
            gr.Markdown("### 2 · The interview")
            topics = gr.Dropdown(label="Topics (empty: all)", multiselect=True, choices=[])
            questions = gr.Slider(1, 20, value=5, step=1, label="Questions")
            follow_ups = gr.Slider(0, 2, value=1, step=1, label="Follow-ups per question")
            language = gr.Radio(LANGUAGES, value="auto", label="Interviewer's language")
            review_weak = gr.Checkbox(label="Review my weak topics first")
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
                        feedback = gr.Markdown(
                            feedback_html(None), latex_delimiters=LATEX, elem_id="feedback"
                        )
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
                        gr.Markdown("#### Download a transcript")
                        pick = gr.Dropdown(label="Interview", choices=[], elem_id="pick")
                        with gr.Row():
                            dl_md = gr.DownloadButton("Markdown", size="sm", elem_id="dl-md")
                            dl_json = gr.DownloadButton("JSON", size="sm", elem_id="dl-json")
                            dl_html = gr.DownloadButton("HTML", size="sm", elem_id="dl-html")
                gr.Markdown("#### History")
                trend = gr.LinePlot(x="date", y="score", color="topic", y_lim=[0, 10], height=260)
                past = gr.Dataframe(
                    headers=["When", "Session", "Notes", "Answers", "Overall", "Topics"],
                    interactive=False,
                    wrap=True,
                )

        page_out = [chat, feedback, status, send, hint, skip, reveal, end]

        def show(p: Page) -> list[Any]:
            buttons = [gr.update(interactive=p.active) for _ in range(5)]  # send, hint, skip, reveal, end
            return [p.chat, p.feedback, p.status, *buttons]

        def switch_source(choice: str) -> list[Any]:
            return [gr.update(visible=choice == SOURCES[1]), gr.update(visible=choice == SOURCES[2])]

        @_guarded
        def load(choice: str, path: str, uploaded: list[str] | None, progress: Any = PROGRESS) -> list[Any]:
            progress(0, desc="Preparing the models (the first start assembles them)…")
            if choice == SOURCES[1]:
                if not path.strip():
                    raise UserError("Type the path of your notes folder.")
                loaded = coach.load(Path(path.strip()).expanduser())
            elif choice == SOURCES[2]:
                if not uploaded:
                    raise UserError("Choose some .md, .txt or .zip files to upload.")
                loaded = coach.upload([Path(f) for f in uploaded])
            else:
                loaded = coach.load(bundled)
            coach.warm()
            return [notes_summary(loaded), gr.update(choices=loaded.topics, value=[]), loaded.root]

        @_guarded
        def begin(root_: str, topics_: list[str], n: float, fu: float, lang: str, weak: bool) -> list[Any]:
            options = SessionOptions.model_validate(
                {
                    "topics": topics_ or [],
                    "questions": int(n),
                    "follow_ups": int(fu),
                    "language": lang,
                    "review_weak": weak,
                }
            )
            s, p = handlers.start(coach, root_, options)
            return [s, *show(p), gr.update(selected="interview")]

        @_guarded
        def pick_up() -> list[Any]:
            s, p = handlers.resume(coach)
            return [s, s.notes, *show(p), gr.update(selected="interview")]

        @_guarded_stream
        def send_answer(s: Session | None, text: str) -> Iterator[list[Any]]:
            for p in handlers.answer(coach, s, text):
                yield [s, "", *show(p)]

        def action(fn: Callable[[Coach, Session | None], Page]) -> Callable[[Session | None], list[Any]]:
            @_guarded
            def run(s: Session | None) -> list[Any]:
                return [s, *show(fn(coach, s))]

            return run

        @_guarded
        def finish(s: Session | None) -> list[Any]:
            p = handlers.end(coach, s)
            return [s, *show(p), *refresh(s), gr.update(selected="report")]

        @_guarded
        def refresh(s: Session | None) -> list[Any]:
            r = handlers.report(coach, s)
            h = handlers.history(coach)
            current = s.id if s and any(c[1] == s.id for c in h.choices) else None
            return [
                r.summary,
                r.model_answers,
                pd.DataFrame(r.topics, columns=["topic", "score"]),
                pd.DataFrame(h.trend, columns=["date", "topic", "score"]),
                h.rows,
                gr.update(choices=h.choices, value=current),
            ]

        @_guarded
        def downloads(session_id: str | None) -> list[Any]:
            if not session_id:
                return [gr.update(value=None)] * 3
            return [str(handlers.export(coach, session_id, fmt)) for fmt in handlers.FORMATS]

        report_out = [report_md, answers_md, topic_plot, trend, past, pick]
        notes_out = [summary, topics, root]
        hidden: Any = {"api_visibility": "private"}  # UI-only events stay out of the API page
        source.change(switch_source, source, [folder, files], **hidden)
        notes_in = [source, folder, files]
        # the bars (model assembly, embedding) show on the summary alone, where there is room
        loading: Any = {"concurrency_id": "notes", "show_progress_on": [summary]}
        load_btn.click(load, notes_in, notes_out, api_name="load_notes", **loading)
        files.upload(load, notes_in, notes_out, **loading, **hidden)
        demo.load(load, notes_in, notes_out, **loading, **hidden)
        demo.load(refresh, session, report_out, **hidden)
        start_btn.click(
            begin,
            [root, topics, questions, follow_ups, language, review_weak],
            [session, *page_out, tabs],
            api_name="start",
        )
        resume_btn.click(pick_up, None, [session, root, *page_out, tabs], api_name="resume")
        # one model call at a time: the grader and the LLM share the CPU (and a lock)
        one: Any = {"concurrency_id": "model", "concurrency_limit": 1}
        answer_in, answer_out = [session, answer_box], [session, answer_box, *page_out]
        send.click(send_answer, answer_in, answer_out, api_name="answer", **one)
        answer_box.submit(send_answer, answer_in, answer_out, api_visibility="private", **one)
        hint.click(action(handlers.hint), session, [session, *page_out], api_name="hint")
        skip.click(action(handlers.skip), session, [session, *page_out], api_name="skip", **one)
        reveal.click(action(handlers.reveal), session, [session, *page_out], api_name="model_answer")
        end.click(finish, session, [session, *page_out, *report_out, tabs], api_name="end")
        pick.change(downloads, pick, [dl_md, dl_json, dl_html], api_name="transcripts")
    return demo


def launch(
    demo: gr.Blocks,
    coach: Coach,
    host: str = "127.0.0.1",
    port: int | None = None,
    share: bool = False,
    **kw: Any,
) -> Any:
    css = (HERE / "ui.css").read_text(encoding="utf-8")
    return demo.queue(default_concurrency_limit=4).launch(
        server_name=host,
        server_port=port,
        share=share,
        allowed_paths=[str(coach.data_dir / "exports")],
        max_file_size=MAX_TOTAL,
        theme=gr.themes.Soft(primary_hue="indigo", neutral_hue="slate"),
        css=css,
        footer_links=[],
        **kw,
    )
