"""The Gradio page's wiring: which event calls which handler, with what in and out.

The components are laid out and named in layout.py; what each button does is in handlers.py;
every event goes through errors.guarded, so a failure is a message and the session is kept.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry: nothing leaves the machine

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402

from interviewer.session import Session, SessionOptions  # noqa: E402
from interviewer.web import handlers  # noqa: E402
from interviewer.web.coach import Coach  # noqa: E402
from interviewer.web.errors import guarded, guarded_stream  # noqa: E402
from interviewer.web.handlers import Page, UserError  # noqa: E402
from interviewer.web.layout import SOURCES, layout  # noqa: E402
from interviewer.web.uploads import MAX_TOTAL  # noqa: E402
from interviewer.web.views import notes_summary  # noqa: E402

HERE = Path(__file__).parent
# a tab's outputs by name; the API returns those of an event in this order (buttons, tabs and
# State are not API outputs), so callers read them by name too
PAGE = ("chat", "feedback", "status")
BUTTONS = ("send", "hint", "skip", "reveal", "end")  # usable only while a question waits
REPORT = ("report", "model_answers", "topic_plot", "trend", "past", "pick")
PROGRESS = gr.Progress(track_tqdm=True)  # tqdm bars (model assembly, embedding) show in the page


def build(coach: Coach, bundled: Path) -> gr.Blocks:
    with gr.Blocks(title="Interview Coach") as demo:
        c = layout()
        session = c["session"]
        root = c["root"]
        source = c["source"]
        folder = c["folder"]
        files = c["files"]
        load_btn = c["load_btn"]
        summary = c["summary"]
        topics = c["topics"]
        questions = c["questions"]
        follow_ups = c["follow_ups"]
        language = c["language"]
        review_weak = c["review_weak"]
        start_btn = c["start_btn"]
        resume_btn = c["resume_btn"]
        tabs = c["tabs"]
        answer_box = c["answer"]
        send = c["send"]
        hint = c["hint"]
        skip = c["skip"]
        reveal = c["reveal"]
        end = c["end"]
        dl_md = c["dl_md"]
        dl_json = c["dl_json"]
        dl_html = c["dl_html"]
        pick = c["pick"]
        page_out = [c[n] for n in PAGE + BUTTONS]
        report_out = [c[n] for n in REPORT]

        def show(p: Page) -> dict[Any, Any]:
            shown = {c["chat"]: p.chat, c["feedback"]: p.feedback, c["status"]: p.status}
            return shown | {c[n]: gr.update(interactive=p.active) for n in BUTTONS}

        def switch_source(choice: str) -> dict[Any, Any]:
            return {
                folder: gr.update(visible=choice == SOURCES[1]),
                files: gr.update(visible=choice == SOURCES[2]),
            }

        @guarded
        def load(
            choice: str, path: str, uploaded: list[str] | None, progress: Any = PROGRESS
        ) -> dict[Any, Any]:
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
            return {
                summary: notes_summary(loaded),
                topics: gr.update(choices=loaded.topics, value=[]),
                root: loaded.root,
            }

        @guarded
        def begin(
            root_: str, topics_: list[str], n: float, fu: float, lang: str, weak: bool
        ) -> dict[Any, Any]:
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
            return {session: s, **show(p), tabs: gr.update(selected="interview")}

        @guarded
        def pick_up() -> dict[Any, Any]:
            s, p = handlers.resume(coach)
            return {session: s, root: s.notes, **show(p), tabs: gr.update(selected="interview")}

        @guarded_stream
        def send_answer(s: Session | None, text: str) -> Iterator[dict[Any, Any]]:
            for p in handlers.answer(coach, s, text):
                yield {session: s, answer_box: "", **show(p)}

        def action(fn: Callable[[Coach, Session | None], Page]) -> Callable[[Session | None], dict[Any, Any]]:
            @guarded
            def run(s: Session | None) -> dict[Any, Any]:
                return {session: s, **show(fn(coach, s))}

            return run

        @guarded
        def finish(s: Session | None) -> dict[Any, Any]:
            p = handlers.end(coach, s)
            return {session: s, **show(p), **refresh(s), tabs: gr.update(selected="report")}

        @guarded
        def refresh(s: Session | None) -> dict[Any, Any]:
            r = handlers.report(coach, s)
            h = handlers.history(coach)
            current = s.id if s and any(choice[1] == s.id for choice in h.choices) else None
            return {
                c["report"]: r.summary,
                c["model_answers"]: r.model_answers,
                c["topic_plot"]: pd.DataFrame(r.topics, columns=["topic", "score"]),
                c["trend"]: pd.DataFrame(h.trend, columns=["date", "topic", "score"]),
                c["past"]: h.rows,
                c["pick"]: gr.update(choices=h.choices, value=current),
            }

        @guarded
        def downloads(session_id: str | None) -> dict[Any, Any]:
            buttons = {"md": dl_md, "json": dl_json, "html": dl_html}
            if not session_id:
                return {b: gr.update(value=None) for b in buttons.values()}
            return {b: str(handlers.export(coach, session_id, fmt)) for fmt, b in buttons.items()}

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
