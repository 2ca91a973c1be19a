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

from interviewer.session import Session  # noqa: E402
from interviewer.web import asked, handlers, practice  # noqa: E402
from interviewer.web.coach import Coach  # noqa: E402
from interviewer.web.errors import guarded, guarded_stream  # noqa: E402
from interviewer.web.handlers import Page, UserError  # noqa: E402
from interviewer.web.layout import SOURCES, layout  # noqa: E402
from interviewer.web.uploads import MAX_TOTAL  # noqa: E402
from interviewer.web.views import notes_summary  # noqa: E402

HERE = Path(__file__).parent
# a tab's outputs by name; the API returns those of an event in this order (buttons, tabs and
# State are not API outputs), so callers read them by name too
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
PROGRESS = gr.Progress(track_tqdm=True)  # tqdm bars (model assembly, embedding) show in the page


def build(coach: Coach, bundled: Path) -> gr.Blocks:
    with gr.Blocks(title="Interview Coach") as demo:
        c = layout()
        session = c["session"]
        root = c["root"]
        source = c["source"]
        folder = c["folder"]
        files = c["files"]
        summary = c["summary"]
        topics = c["topics"]
        questions = c["questions"]
        due = c["due"]
        job = c["job"]
        tabs = c["tabs"]
        answer_box = c["answer"]
        end = c["end"]
        dl_md = c["dl_md"]
        dl_json = c["dl_json"]
        dl_html = c["dl_html"]
        pick = c["pick"]
        page_out = [c[n] for n in PAGE + BUTTONS]
        report_out = [c[n] for n in REPORT]
        asked_box = asked.noted(demo, c)  # the notes this tab asked for last; "" from the API

        def show(p: Page) -> dict[Any, Any]:
            shown = {c["chat"]: p.chat, c["feedback"]: p.feedback, c["status"]: p.status, c["clock"]: p.clock}
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

        @guarded_stream
        def begin(
            root_: str,
            topics_: list[str],
            n: float,
            fu: float,
            lang: str,
            weak: bool,
            job_: str | None = None,  # None: optional in the API, so older callers still start
            limit: float | None = None,
            uploaded: list[str] | None = None,
            asked_: str | None = None,
        ) -> Iterator[dict[Any, Any]]:
            # the notes asked for last, even while they load: never the previous ones in silence
            notes = asked.root(coach, asked_ or "", uploaded, bundled) or root_ or coach.default_root()
            named = asked.name(coach, notes, bundled)
            if notes and not coach.ready(notes):  # being indexed: wait, say so
                yield {c["status"]: f"Indexing {named}: starting as soon as its first questions are ready…"}
            options = practice.options(topics_, int(n), int(fu), lang, weak, job_ or "", int(limit or 0))
            s, p = handlers.start(coach, notes, options, named)
            shown = {c["job_view"]: practice.job(s), tabs: gr.update(selected="interview")}
            yield {session: s, root: s.notes, **show(p), **shown}

        @guarded
        def due_today(root_: str) -> dict[Any, Any]:
            return {due: practice.due(coach, root_)}

        @guarded
        def read_job(path: str | None) -> dict[Any, Any]:
            return {job: practice.job_text(path)}

        @guarded
        def appeal(s: Session | None, score: float | None, reason: str) -> dict[Any, Any]:
            return {session: s, **show(practice.appeal(coach, s, score, reason))}

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

        def typed(s: Session | None, text: str) -> None:
            handlers.typing(coach, s, text)

        @guarded
        def finish(s: Session | None) -> dict[Any, Any]:
            p = handlers.end(coach, s)
            shown = {due: practice.due(coach, s.notes) if s else "", tabs: gr.update(selected="report")}
            return {session: s, **show(p), **refresh(s), **shown}

        @guarded
        def refresh(s: Session | None) -> dict[Any, Any]:
            r = handlers.report(coach, s)
            h = handlers.history(coach)
            plan = practice.schedule(coach, s)
            trend = pd.DataFrame(h.trend, columns=["date", "topic", "score"])
            current = s.id if s and any(choice[1] == s.id for choice in h.choices) else None
            return {
                c["report"]: r.summary,
                c["model_answers"]: r.model_answers,
                c["topic_plot"]: pd.DataFrame(r.topics, columns=["topic", "score"]),
                c["trend"]: gr.update(value=trend, visible=h.sessions != 1),
                c["trend_points"]: gr.update(value=trend, visible=h.sessions == 1),
                c["forecast"]: pd.DataFrame(plan.forecast, columns=["day", "due"]),
                c["schedule"]: plan.markdown,
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
        # what is due shows after the notes load, as its own step: load_notes' API outputs stay as they were
        c["load_btn"].click(load, notes_in, notes_out, api_name="load_notes", **loading).then(
            due_today, root, due, **hidden
        )
        files.upload(load, notes_in, notes_out, **loading, **hidden).then(due_today, root, due, **hidden)
        demo.load(load, notes_in, notes_out, **loading, **hidden).then(due_today, root, due, **hidden)
        c["job_file"].upload(read_job, c["job_file"], job, **hidden)
        demo.load(refresh, session, report_out, **hidden)
        c["start_btn"].click(
            begin,
            [root, topics, questions, c["follow_ups"], c["language"], c["review_weak"], job, c["time_limit"]]
            + [files, asked_box],
            [session, root, *page_out, c["job_view"], tabs],
            api_name="start",
        )
        c["resume_btn"].click(pick_up, None, [session, root, *page_out, tabs], api_name="resume")
        # answers from several tabs run at once: the embedder takes one batch at a time (its own
        # lock), and the LLM is another process, so a grade never waits for a follow-up being written
        one: Any = {"concurrency_id": "answers", "concurrency_limit": 4}
        answer_in, answer_out = [session, answer_box], [session, answer_box, *page_out]
        c["send"].click(send_answer, answer_in, answer_out, api_name="answer", **one)
        answer_box.submit(send_answer, answer_in, answer_out, api_visibility="private", **one)
        # each change sends the text so far (the newest only, while one is in flight) and returns
        # at once; the answer is embedded once typing pauses, so Enter finds it ready. `change`, not
        # `input`: in Chromium, `input` left the last characters of Chinese typed one by one unsent
        quiet: Any = {"trigger_mode": "always_last", "show_progress": "hidden", "concurrency_id": "typing"}
        answer_box.change(typed, answer_in, None, **quiet, **hidden)
        c["hint"].click(action(handlers.hint), session, [session, *page_out], api_name="hint")
        c["skip"].click(action(handlers.skip), session, [session, *page_out], api_name="skip", **one)
        c["reveal"].click(action(handlers.reveal), session, [session, *page_out], api_name="model_answer")
        end.click(finish, session, [session, *page_out, *report_out, due, tabs], api_name="end")
        appeal_in = [session, c["appeal_score"], c["appeal_reason"]]
        c["appeal"].click(appeal, appeal_in, [session, *page_out], api_name="appeal")
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
