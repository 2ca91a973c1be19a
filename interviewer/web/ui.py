"""The Gradio page: one short handler per event, over the components of one tab, and its launch.

The components are laid out and named in layout.py, the events connected in wiring.py; what
each button does is in handlers.py; every event goes through errors.guarded, so a failure is a
message and the session is kept. Every event's first input is the tab's language
(page_language.py), chosen on load and again when the interviewer's language changes, which
redraws what the server wrote. Each event acts for the person signed in (request.username:
Gradio's login, or a trusted proxy's header; the one local user without either) on their own
interview, loaded by the id the tab holds (access.py), so any replica can serve any event.
build() makes one short closure per event over the page's components (the report tab's in
report_tab.py) and wiring.py connects them; what each event does lives in handlers.py,
practice_tab.py and sources.py.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry: nothing leaves the machine

import gradio as gr  # noqa: E402

from interviewer.messages import Lang, say  # noqa: E402
from interviewer.storage.session import Session  # noqa: E402
from interviewer.web import access, handlers, practice_tab, report_tab, requested_notes, sources, views  # noqa: E402  # noqa: E402
from interviewer.web.access import who  # noqa: E402
from interviewer.web.errors import guarded, guarded_stream  # noqa: E402
from interviewer.web.handlers import Page, UserError  # noqa: E402
from interviewer.web.layout import BUTTONS, SOURCES, layout  # noqa: E402
from interviewer.web.page_language import I18N, TOAST_TITLE  # noqa: E402
from interviewer.web.uploads import MAX_TOTAL  # noqa: E402
from interviewer.web.wiring import wire  # noqa: E402
from interviewer.web.workspace import Coach  # noqa: E402

HERE = Path(__file__).parent

PROGRESS = gr.Progress(track_tqdm=True)  # tqdm bars (model assembly, embedding) show in the page


def build(coach: Coach, bundled: Path) -> gr.Blocks:
    coach.public.add(str(bundled.resolve()))  # the sample notes are everyone's
    with gr.Blocks(title="Interview Coach") as demo:
        c = layout()
        session, root, folder, files, summary = c["session"], c["root"], c["folder"], c["files"], c["summary"]
        topics, due, job, tabs, answer_box = c["topics"], c["due"], c["job"], c["tabs"], c["answer"]
        asked_box = requested_notes.noted(demo, c)  # the notes this tab asked for last; "" from the API
        begun_at_once = gr.State("")  # the session Start began outside the queue ("": none)

        def mine(sid: str, request: gr.Request) -> Session | None:
            return access.load(coach, who(request), sid) if sid else None

        def show(p: Page) -> dict[Any, Any]:
            shown = {c["chat"]: p.chat, c["feedback"]: p.feedback, c["status"]: p.status, c["clock"]: p.clock}
            return shown | {c[n]: gr.update(interactive=p.active) for n in BUTTONS}

        report = report_tab.events(coach, c, mine, show)  # the report tab's, and the page redrawn

        @guarded
        def switch_source(lang_: Lang, choice: str) -> dict[Any, Any]:
            course = choice == SOURCES[3]  # the course notes there are now, when they are wanted
            return {
                folder: gr.update(visible=choice == SOURCES[1]),
                files: gr.update(visible=choice == SOURCES[2]),
                c["course"]: gr.update(visible=course, choices=sources.courses(coach) if course else []),
            }

        @guarded
        def load(
            lang_: Lang,
            request: gr.Request,
            choice: str,
            path: str,
            uploaded: list[str] | None,
            course: str | None = None,  # None: optional in the API, so older callers still load
            progress: Any = PROGRESS,
        ) -> dict[Any, Any]:
            progress(0, desc=say(lang_, "progress_models"))
            loaded = sources.load(coach, who(request), choice, path, uploaded, course, bundled, lang_)
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
            request: gr.Request,
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
            done_: str = "",  # the session begin_at_once began, just before this ("": none)
            *,
            wait: bool = True,  # False: start only on notes already indexed, else yield nothing
        ) -> Iterator[dict[Any, Any]]:
            """Start, waiting for notes still being indexed and saying so: the API's /start, and
            the page's own once begin_at_once found the notes not ready."""
            if done_:
                yield {begun_at_once: ""}
                return
            # the notes asked for last, even while they load: never the previous ones in silence
            uploads_ = access.folder(coach, who(request)) / "uploads"  # this person's
            notes = requested_notes.root(coach, asked_ or "", uploaded, bundled, uploads_)
            notes = notes or root_ or coach.default_root()
            named = requested_notes.name(notes, bundled, uploads_, lang_)
            if notes and not coach.ready(notes):  # being indexed: wait, say so
                if not wait:
                    return
                yield {c["status"]: say(lang_, "status_indexing", notes=named)}
            options = practice_tab.options(topics_, n, fu, language, weak, job_, limit, adjust_)
            s, p = handlers.start(coach, notes, options, lang_, who(request), named)
            shown = {c["job_view"]: practice_tab.job(s, lang_), tabs: gr.update(selected="interview")}
            yield {session: s.id, root: s.notes, **show(p), **shown, begun_at_once: ""}

        def begin_at_once(lang_: Lang, request: gr.Request, *args: Any) -> dict[Any, Any]:
            """Start on notes already indexed, outside the queue: one POST, the question shown
            ~0.1 s sooner. The session it began tells begin, which runs next, that it is done.
            Guarded as begin is: its errors are already the page's messages."""
            out = next(begin(lang_, request, *args, wait=False), None)
            return {begun_at_once: ""} if out is None else {**out, begun_at_once: out[session]}

        @guarded
        def due_today(lang_: Lang, root_: str, request: gr.Request) -> dict[Any, Any]:
            return {due: practice_tab.due(coach, root_, lang_, who(request))}

        @guarded
        def read_job(lang_: Lang, path: str | None) -> dict[Any, Any]:
            return {job: practice_tab.job_text(path, lang_)}

        @guarded
        def appeal(
            lang_: Lang, sid: str, score: float | None, reason: str, request: gr.Request
        ) -> dict[Any, Any]:
            return show(practice_tab.appeal(coach, mine(sid, request), score, reason, lang_))

        @guarded
        def pick_up(lang_: Lang, request: gr.Request) -> dict[Any, Any]:
            s, p = handlers.resume(coach, lang_, who(request))
            return {session: s.id, root: s.notes, **show(p), tabs: gr.update(selected="interview")}

        def restore(lang_: Lang, kept_id: str, request: gr.Request) -> dict[Any, Any]:
            """A page (re)loaded with this browser's interview unfinished shows it again: after a
            reload, or the page reloading itself once its replica died and another answered."""
            try:
                s, p = handlers.resume(coach, lang_, who(request), kept_id) if kept_id else (None, None)
            except (access.Refused, UserError):
                s = p = None  # finished, or not this person's (another user on this browser)
            return {session: s.id, root: s.notes, **show(p)} if s and p else {session: gr.update()}

        # a question's buttons: on a session its replica left between an answer and the next
        # question, the next question is asked and shown instead (handlers.carry_on)
        @guarded_stream
        def send_answer(lang_: Lang, sid: str, text: str, request: gr.Request) -> Iterator[dict[Any, Any]]:
            s = mine(sid, request)
            if (resumed := handlers.carry_on(coach, s, lang_)) is not None:
                yield {answer_box: text, **show(resumed)}  # what was typed stays, to edit
                return
            for p in handlers.answer(coach, s, text, lang_):
                yield {answer_box: "", **show(p)}

        def action(fn: Callable[[Coach, Session | None, Lang], Page]) -> Callable[..., dict[Any, Any]]:
            @guarded
            def run(lang_: Lang, sid: str, request: gr.Request) -> dict[Any, Any]:
                s = mine(sid, request)
                return show(handlers.carry_on(coach, s, lang_) or fn(coach, s, lang_))

            return run

        def typed(sid: str, text: str, request: gr.Request) -> None:
            try:
                handlers.typing(coach, mine(sid, request), text)
            except access.Refused:
                return  # a key never shows an error: Enter shows any

        @guarded
        def finish(lang_: Lang, sid: str, request: gr.Request) -> dict[Any, Any]:
            s = mine(sid, request)
            p = handlers.end(coach, s, lang_)
            due_now = {due: practice_tab.due(coach, s.notes, lang_, who(request)) if s else ""}
            shown = {**show(p), **report["refresh"](lang_, sid, request)}
            return {**shown, **due_now, tabs: gr.update(selected="report")}

        on = report | {"switch_source": switch_source, "load": load, "due_today": due_today}
        on |= {"read_job": read_job, "begin": begin, "begin_at_once": begin_at_once, "pick_up": pick_up}
        on |= {"restore": restore, "send_answer": send_answer, "action": action, "typed": typed}
        on |= {"finish": finish, "appeal": appeal}
        wire(demo, c, on, asked_box, begun_at_once)
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
