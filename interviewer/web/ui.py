"""The Gradio page's wiring: which event calls which handler, with what in and out.

The components are laid out and named in layout.py; what each button does is in handlers.py;
every event goes through errors.guarded, so a failure is a message and the session is kept.
Every event's first input is the tab's language (locale.py), chosen on load and again when the
interviewer's language changes, which redraws what the server wrote.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry: nothing leaves the machine

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402

from interviewer.messages import Lang, say  # noqa: E402
from interviewer.session import Session  # noqa: E402
from interviewer.web import asked, handlers, practice, views  # noqa: E402
from interviewer.web.coach import Coach, NotesLoaded  # noqa: E402
from interviewer.web.errors import guarded, guarded_stream  # noqa: E402
from interviewer.web.handlers import Page, UserError  # noqa: E402
from interviewer.web.layout import BUTTONS, PAGE, REPORT, SOURCES, layout  # noqa: E402
from interviewer.web.locale import I18N, TOAST_TITLE, follow  # noqa: E402
from interviewer.web.uploads import MAX_TOTAL  # noqa: E402

HERE = Path(__file__).parent

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
        due = c["due"]
        job = c["job"]
        tabs = c["tabs"]
        answer_box = c["answer"]
        downloads_out = [c["dl_md"], c["dl_json"], c["dl_html"]]
        lang = c["lang"]
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
            lang_: Lang, choice: str, path: str, uploaded: list[str] | None, progress: Any = PROGRESS
        ) -> dict[Any, Any]:
            progress(0, desc=say(lang_, "progress_models"))
            if choice == SOURCES[1]:
                if not path.strip():
                    raise UserError(say(lang_, "error_no_folder"))
                loaded = coach.load(Path(path.strip()).expanduser())
            elif choice == SOURCES[2]:
                if not uploaded:
                    raise UserError(say(lang_, "error_no_upload"))
                loaded = coach.upload([Path(f) for f in uploaded])
            else:
                loaded = coach.load(bundled)
            coach.warm()
            return {
                summary: views.notes_summary(loaded, lang_),
                topics: gr.update(choices=loaded.topics, value=[]),
                root: loaded.root,
                c["loaded"]: loaded,
            }

        @guarded_stream
        def begin(
            lang_: Lang,
            root_: str,
            topics_: list[str],
            n: float,
            fu: float,
            language: str,
            weak: bool,
            job_: str | None = None,  # None: optional in the API, so older callers still start
            limit: float | None = None,
            uploaded: list[str] | None = None,
            asked_: str | None = None,
            adjust_: bool = True,  # grade to the person's own standard (from 5 appeals on)
        ) -> Iterator[dict[Any, Any]]:
            # the notes asked for last, even while they load: never the previous ones in silence
            notes = asked.root(coach, asked_ or "", uploaded, bundled) or root_ or coach.default_root()
            named = asked.name(coach, notes, bundled, lang_)
            if notes and not coach.ready(notes):  # being indexed: wait, say so
                yield {c["status"]: say(lang_, "status_indexing", notes=named)}
            options = practice.options(topics_, n, fu, language, weak, job_, limit, adjust_)
            s, p = handlers.start(coach, notes, options, lang_, named)
            shown = {c["job_view"]: practice.job(s, lang_), tabs: gr.update(selected="interview")}
            yield {session: s, root: s.notes, **show(p), **shown}

        @guarded
        def due_today(lang_: Lang, root_: str) -> dict[Any, Any]:
            return {due: practice.due(coach, root_, lang_)}

        @guarded
        def read_job(lang_: Lang, path: str | None) -> dict[Any, Any]:
            return {job: practice.job_text(path, lang_)}

        @guarded
        def appeal(lang_: Lang, s: Session | None, score: float | None, reason: str) -> dict[Any, Any]:
            return {session: s, **show(practice.appeal(coach, s, score, reason, lang_))}

        @guarded
        def pick_up(lang_: Lang) -> dict[Any, Any]:
            s, p = handlers.resume(coach, lang_)
            return {session: s, root: s.notes, **show(p), tabs: gr.update(selected="interview")}

        @guarded_stream
        def send_answer(lang_: Lang, s: Session | None, text: str) -> Iterator[dict[Any, Any]]:
            for p in handlers.answer(coach, s, text, lang_):
                yield {session: s, answer_box: "", **show(p)}

        def action(fn: Callable[[Coach, Session | None, Lang], Page]) -> Callable[..., dict[Any, Any]]:
            @guarded
            def run(lang_: Lang, s: Session | None) -> dict[Any, Any]:
                return {session: s, **show(fn(coach, s, lang_))}

            return run

        def typed(s: Session | None, text: str) -> None:
            handlers.typing(coach, s, text)

        @guarded
        def finish(lang_: Lang, s: Session | None) -> dict[Any, Any]:
            p = handlers.end(coach, s, lang_)
            due_now = {due: practice.due(coach, s.notes, lang_) if s else ""}
            return {session: s, **show(p), **refresh(lang_, s), **due_now, tabs: gr.update(selected="report")}

        @guarded
        def relabel(lang_: Lang, s: Session | None, loaded: NotesLoaded | None, root_: str) -> dict[Any, Any]:
            """Everything the server wrote, again in the tab's new language."""
            p = handlers.page(coach, s, lang=lang_) if s else None
            drawn = show(p) if p else {c["feedback"]: views.feedback_html(None, lang=lang_)}
            notes = {summary: views.notes_summary(loaded, lang_)} if loaded else {}
            texts = {due: practice.due(coach, root_, lang_), c["job_view"]: practice.job(s, lang_)}
            return {**drawn, **notes, **texts, **refresh(lang_, s)}

        @guarded
        def refresh(lang_: Lang, s: Session | None) -> dict[Any, Any]:
            r = handlers.report(coach, s, lang_)
            h = handlers.history(coach, lang_)
            plan = practice.schedule(coach, s, lang_)
            charts = views.charts(lang_, r.topics, h.trend, h.sessions, plan.forecast)
            current = s.id if s and any(sid == s.id for _, sid in h.choices) else None
            return {
                c["report"]: r.summary,
                c["model_answers"]: r.model_answers,
                **{c[name]: gr.update(**chart) for name, chart in charts.items()},
                c["schedule"]: plan.markdown,
                c["past"]: pd.DataFrame(h.rows, columns=h.headers),
                c["pick"]: gr.update(choices=h.choices, value=current),
            }

        @guarded
        def downloads(lang_: Lang, session_id: str | None) -> dict[Any, Any]:
            buttons = dict(zip(("md", "json", "html"), downloads_out, strict=True))
            if not session_id:
                return {b: gr.update(value=None) for b in buttons.values()}
            return {b: str(handlers.export(coach, session_id, fmt, lang_)) for fmt, b in buttons.items()}

        notes_out = [summary, topics, root, c["loaded"]]
        hidden: Any = {"api_visibility": "private"}  # UI-only events stay out of the API page
        source.change(switch_source, source, [folder, files], **hidden)
        notes_in = [lang, source, folder, files]
        due_in = [lang, root]
        # the bars (model assembly, embedding) show on the summary alone, where there is room
        loading: Any = {"concurrency_id": "notes", "show_progress_on": [summary]}
        # what is due shows after the notes load, as its own step: load_notes' API outputs stay as they were
        c["load_btn"].click(load, notes_in, notes_out, api_name="load_notes", **loading).then(
            due_today, due_in, due, **hidden
        )
        files.upload(load, notes_in, notes_out, **loading, **hidden).then(due_today, due_in, due, **hidden)
        # the tab's language first: everything the server writes on load is written in it; the
        # interviewer's language is the page's too: what the server wrote is redrawn in it
        chosen, switched = follow(demo, c["language"], lang, c["locale"])
        chosen.then(load, notes_in, notes_out, **loading, **hidden).then(due_today, due_in, due, **hidden)
        chosen.then(refresh, [lang, session], report_out, **hidden)
        redrawn = [summary, due, c["job_view"], *page_out, *report_out]
        switched.then(relabel, [lang, session, c["loaded"], root], redrawn, **hidden)
        c["job_file"].upload(read_job, [lang, c["job_file"]], job, **hidden)
        options = [topics, c["questions"], c["follow_ups"], c["language"], c["review_weak"], job]
        options += [c["time_limit"], files, asked_box, c["adjust"]]  # the notes picked; your standard
        begun = [session, root, *page_out, c["job_view"], tabs]
        c["start_btn"].click(begin, [lang, root, *options], begun, api_name="start")
        c["resume_btn"].click(pick_up, lang, [session, root, *page_out, tabs], api_name="resume")
        # answers from several tabs run at once: the embedder takes one batch at a time (its own
        # lock), and the LLM is another process, so a grade never waits for a follow-up being written
        one: Any = {"concurrency_id": "answers", "concurrency_limit": 4}
        answer_in, answer_out = [lang, session, answer_box], [session, answer_box, *page_out]
        c["send"].click(send_answer, answer_in, answer_out, api_name="answer", **one)
        answer_box.submit(send_answer, answer_in, answer_out, api_visibility="private", **one)
        # each change sends the text so far (the newest only, while one is in flight) and returns
        # at once; the answer is embedded once typing pauses, so Enter finds it ready. `change`, not
        # `input`: in Chromium, `input` left the last characters of Chinese typed one by one unsent
        quiet: Any = {"trigger_mode": "always_last", "show_progress": "hidden", "concurrency_id": "typing"}
        answer_box.change(typed, [session, answer_box], None, **quiet, **hidden)
        acted = [lang, session]
        c["hint"].click(action(handlers.hint), acted, [session, *page_out], api_name="hint")
        c["skip"].click(action(handlers.skip), acted, [session, *page_out], api_name="skip", **one)
        c["reveal"].click(action(handlers.reveal), acted, [session, *page_out], api_name="model_answer")
        c["end"].click(finish, acted, [session, *page_out, *report_out, due, tabs], api_name="end")
        appeal_in = [lang, session, c["appeal_score"], c["appeal_reason"]]
        c["appeal"].click(appeal, appeal_in, [session, *page_out], api_name="appeal")
        c["pick"].change(downloads, [lang, c["pick"]], downloads_out, api_name="transcripts")
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
        i18n=I18N,
        head=TOAST_TITLE,
        **kw,
    )
