"""The Gradio page's wiring: which event calls which handler, with what in and out.

The components are laid out and named in layout.py; what each button does is in handlers.py;
every event goes through errors.guarded, so a failure is a message and the session is kept.
Every event's first input is the tab's language (locale.py), chosen on load and again when the
interviewer's language changes, which redraws what the server wrote. Each event acts for the
person signed in (request.username: Gradio's login, or a trusted proxy's header; the one local
user without either) on their own interview, loaded by the id the tab holds (access.py), so any
replica can serve any event. Longer than 250 lines because build() is one function whose
closures share the page's components, one short one per event; what each event does lives in
handlers.py, practice.py and sources.py.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry: nothing leaves the machine

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402

from interviewer.messages import Lang, say  # noqa: E402
from interviewer.session import LOCAL, Session  # noqa: E402
from interviewer.web import access, asked, handlers, practice, sources, views  # noqa: E402
from interviewer.web.coach import Coach, NotesLoaded  # noqa: E402
from interviewer.web.errors import guarded, guarded_stream  # noqa: E402
from interviewer.web.handlers import Page, UserError  # noqa: E402
from interviewer.web.layout import BUTTONS, PAGE, REPORT, SOURCES, layout  # noqa: E402
from interviewer.web.locale import I18N, TOAST_TITLE, follow  # noqa: E402
from interviewer.web.uploads import MAX_TOTAL  # noqa: E402

HERE = Path(__file__).parent

PROGRESS = gr.Progress(track_tqdm=True)  # tqdm bars (model assembly, embedding) show in the page


def who(request: gr.Request) -> str:
    """The person an event is for: Gradio sets username only when logins are on."""
    return request.username or LOCAL


def build(coach: Coach, bundled: Path) -> gr.Blocks:
    coach.public.add(str(bundled.resolve()))  # the sample notes are everyone's
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
        pick = c["pick"]
        lang = c["lang"]
        page_out = [c[n] for n in PAGE + BUTTONS]
        report_out = [c[n] for n in REPORT]
        asked_box = asked.noted(demo, c)  # the notes this tab asked for last; "" from the API
        begun_at_once = gr.State("")  # the session Start began outside the queue ("": none)

        def mine(sid: str, request: gr.Request) -> Session | None:
            return access.load(coach, who(request), sid) if sid else None

        def show(p: Page) -> dict[Any, Any]:
            shown = {c["chat"]: p.chat, c["feedback"]: p.feedback, c["status"]: p.status, c["clock"]: p.clock}
            return shown | {c[n]: gr.update(interactive=p.active) for n in BUTTONS}

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
            notes = asked.root(coach, asked_ or "", uploaded, bundled, uploads_)
            notes = notes or root_ or coach.default_root()
            named = asked.name(notes, bundled, uploads_, lang_)
            if notes and not coach.ready(notes):  # being indexed: wait, say so
                if not wait:
                    return
                yield {c["status"]: say(lang_, "status_indexing", notes=named)}
            options = practice.options(topics_, n, fu, language, weak, job_, limit, adjust_)
            s, p = handlers.start(coach, notes, options, lang_, who(request), named)
            shown = {c["job_view"]: practice.job(s, lang_), tabs: gr.update(selected="interview")}
            yield {session: s.id, root: s.notes, **show(p), **shown, begun_at_once: ""}

        def begin_at_once(lang_: Lang, request: gr.Request, *args: Any) -> dict[Any, Any]:
            """Start on notes already indexed, outside the queue: one POST, the question shown
            ~0.1 s sooner. The session it began tells begin, which runs next, that it is done.
            Guarded as begin is: its errors are already the page's messages."""
            out = next(begin(lang_, request, *args, wait=False), None)
            return {begun_at_once: ""} if out is None else {**out, begun_at_once: out[session]}

        @guarded
        def due_today(lang_: Lang, root_: str, request: gr.Request) -> dict[Any, Any]:
            return {due: practice.due(coach, root_, lang_, who(request))}

        @guarded
        def read_job(lang_: Lang, path: str | None) -> dict[Any, Any]:
            return {job: practice.job_text(path, lang_)}

        @guarded
        def appeal(
            lang_: Lang, sid: str, score: float | None, reason: str, request: gr.Request
        ) -> dict[Any, Any]:
            return show(practice.appeal(coach, mine(sid, request), score, reason, lang_))

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
            due_now = {due: practice.due(coach, s.notes, lang_, who(request)) if s else ""}
            return {**show(p), **refresh(lang_, sid, request), **due_now, tabs: gr.update(selected="report")}

        @guarded
        def relabel(
            lang_: Lang, sid: str, loaded: NotesLoaded | None, root_: str, request: gr.Request
        ) -> dict[Any, Any]:
            """Everything the server wrote, again in the tab's new language."""
            s = mine(sid, request)
            p = handlers.page(coach, s, lang=lang_) if s else None
            drawn = show(p) if p else {c["feedback"]: views.feedback_html(None, lang=lang_)}
            notes = {summary: views.notes_summary(loaded, lang_)} if loaded else {}
            today = practice.due(coach, root_, lang_, who(request))
            texts = {due: today, c["job_view"]: practice.job(s, lang_)}
            return {**drawn, **notes, **texts, **refresh(lang_, sid, request)}

        @guarded
        def refresh(lang_: Lang, sid: str, request: gr.Request) -> dict[Any, Any]:
            s = mine(sid, request)
            r = handlers.report(coach, s, lang_)
            h = handlers.history(coach, lang_, who(request))
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
        def downloads(lang_: Lang, session_id: str | None, request: gr.Request) -> dict[Any, Any]:
            buttons = dict(zip(("md", "json", "html"), downloads_out, strict=True))
            if not session_id:
                return {b: gr.update(value=None) for b in buttons.values()}
            user = who(request)
            return {b: str(handlers.export(coach, session_id, f, lang_, user)) for f, b in buttons.items()}

        def signed_in(lang_: Lang, request: gr.Request) -> str:
            user = who(request)
            return "" if user == LOCAL else say(lang_, "signed_in", user=user)

        notes_out = [summary, topics, root, c["loaded"]]
        hidden: Any = {"api_visibility": "private"}  # UI-only events stay out of the API page
        source.change(switch_source, [lang, source], [folder, files, c["course"]], **hidden)
        notes_in = [lang, source, folder, files, c["course"]]
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
        chosen.then(signed_in, lang, c["user_line"], **hidden)
        # this browser's interview id, kept in its localStorage under the same name and key on
        # every replica (Gradio's default is random per process), so a page that another replica
        # reloads finds it. No secret: the id alone opens nothing, each event checks whose it is
        kept = gr.BrowserState("", storage_key="interview-coach", secret="interview-coach")
        session.change(lambda sid: sid, session, kept, **hidden)
        chosen.then(restore, [lang, kept], [session, root, *page_out], **hidden)
        redrawn = [summary, due, c["job_view"], *page_out, *report_out]
        switched.then(relabel, [lang, session, c["loaded"], root], redrawn, **hidden)
        c["job_file"].upload(read_job, [lang, c["job_file"]], job, **hidden)
        options = [topics, c["questions"], c["follow_ups"], c["language"], c["review_weak"], job]
        options += [c["time_limit"], files, asked_box, c["adjust"]]  # the notes picked; your standard
        begun = [session, root, *page_out, c["job_view"], tabs, begun_at_once]
        # Start answers outside the queue on notes already indexed (nearly always); on a folder
        # still loading, begin then waits in the queue for its first questions, the status line
        # saying so. No spinner either way: over the chat it flashed after every Start
        no_spinner: Any = {"show_progress": "hidden"}
        start_in = [lang, root, *options]
        started = c["start_btn"].click(begin_at_once, start_in, begun, queue=False, **no_spinner, **hidden)
        started.success(begin, [*start_in, begun_at_once], begun, api_name="start", **no_spinner)
        c["resume_btn"].click(pick_up, lang, [session, root, *page_out, tabs], api_name="resume")
        # answers from several tabs run at once: the embedder takes one batch at a time (its own
        # lock), and the LLM is another process, so a grade never waits for a follow-up being written
        one: Any = {"concurrency_id": "answers", "concurrency_limit": 4}
        answer_in, answer_out = [lang, session, answer_box], [answer_box, *page_out]
        c["send"].click(send_answer, answer_in, answer_out, api_name="answer", **one)
        answer_box.submit(send_answer, answer_in, answer_out, api_visibility="private", **one)
        # each change sends the text so far (the newest only, while one is in flight) and returns
        # at once; the answer is embedded once typing pauses, so Enter finds it ready. `change`, not
        # `input`: in Chromium, `input` left the last characters of Chinese typed one by one unsent
        quiet: Any = {"trigger_mode": "always_last", "show_progress": "hidden", "concurrency_id": "typing"}
        answer_box.change(typed, [session, answer_box], None, **quiet, **hidden)
        acted = [lang, session]
        # Hint, Skip and the model answer take milliseconds: a spinner drawn over the page's nine
        # outputs and taken away again cost the browser more than the answer, and the queue's
        # join-then-stream round trips another ~70 ms (one POST instead; README, "Reliability")
        at_once: Any = {"show_progress": "hidden", "queue": False}
        c["hint"].click(action(handlers.hint), acted, page_out, api_name="hint", **at_once)
        c["skip"].click(action(handlers.skip), acted, page_out, api_name="skip", **at_once)
        c["reveal"].click(action(handlers.reveal), acted, page_out, api_name="model_answer", **at_once)
        c["end"].click(finish, acted, [*page_out, *report_out, due, tabs], api_name="end")
        appeal_in = [lang, session, c["appeal_score"], c["appeal_reason"]]
        c["appeal"].click(appeal, appeal_in, page_out, api_name="appeal")
        pick.change(downloads, [lang, pick], downloads_out, api_name="transcripts")
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
