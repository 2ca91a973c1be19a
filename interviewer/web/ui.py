"""The Gradio page: one short handler per event, over the components of one tab, and its launch.

The components are laid out and named in layout.py, the events connected in wiring.py; what
each button does is in handlers.py; every event goes through errors.guarded, so a failure is a
message and the session is kept. Every event's first input is the tab's language
(page_language.py), chosen on load and again when the interviewer's language changes, which
redraws what the server wrote. Each event acts for the person signed in (request.username:
Gradio's login, or a trusted proxy's header; the one local user without either) on their own
interview, loaded by the id the tab holds (access.py), so any replica can serve any event.
build() makes one short closure per event over the page's components (the report tab's in
report_tab.py, the notes and start events in start_events.py) and wiring.py connects them; what
each event does lives in handlers.py, practice_tab.py and sources.py.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry: nothing leaves the machine

import gradio as gr  # noqa: E402

from interviewer.messages import Lang  # noqa: E402
from interviewer.storage.session import Session  # noqa: E402
from interviewer.web import access, handlers, practice_tab, report_tab, requested_notes, start_events  # noqa: E402
from interviewer.web.access import who  # noqa: E402
from interviewer.web.errors import guarded, guarded_stream  # noqa: E402
from interviewer.web.handlers import Page  # noqa: E402
from interviewer.web.layout import BUTTONS, layout  # noqa: E402
from interviewer.web.page_language import I18N, TOAST_TITLE  # noqa: E402
from interviewer.web.uploads import MAX_TOTAL  # noqa: E402
from interviewer.web.wiring import wire  # noqa: E402
from interviewer.web.workspace import Coach  # noqa: E402

HERE = Path(__file__).parent



def build(coach: Coach, bundled: Path) -> gr.Blocks:
    coach.public.add(str(bundled.resolve()))  # the sample notes are everyone's
    with gr.Blocks(title="Interview Coach") as demo:
        c = layout()
        due, job, tabs, answer_box = c["due"], c["job"], c["tabs"], c["answer"]
        asked_box = requested_notes.noted(demo, c)  # the notes this tab asked for last; "" from the API
        begun_at_once = gr.State("")  # the session Start began outside the queue ("": none)

        def mine(sid: str, request: gr.Request) -> Session | None:
            return access.load(coach, who(request), sid) if sid else None

        def show(p: Page) -> dict[Any, Any]:
            shown = {c["chat"]: p.chat, c["feedback"]: p.feedback, c["status"]: p.status, c["clock"]: p.clock}
            return shown | {c[n]: gr.update(interactive=p.active) for n in BUTTONS}

        report = report_tab.events(coach, c, mine, show)  # the report tab's, and the page redrawn

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

        on = report | start_events.events(coach, c, bundled, show, begun_at_once)
        on |= {"due_today": due_today, "read_job": read_job}
        on |= {"send_answer": send_answer, "action": action, "typed": typed}
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
