"""The page's notes and start events: pick and load notes, start or resume an interview.

Closures over one tab's components (layout.py), made once per page as ui.build makes its own, and
connected by wiring.py; what they do lives in sources.py, requested_notes.py and handlers.py.
May import the rest of interviewer/web and the rooms below it; only ui.py imports it.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from interviewer.messages import Lang, say
from interviewer.web import access, handlers, practice_tab, requested_notes, sources, views
from interviewer.web.access import who
from interviewer.web.errors import guarded, guarded_stream
from interviewer.web.handlers import Page, UserError
from interviewer.web.layout import SOURCES
from interviewer.web.workspace import Coach

PROGRESS = gr.Progress(track_tqdm=True)  # tqdm bars (model assembly, embedding) show in the page


def events(
    coach: Coach,
    c: dict[str, Any],
    bundled: Path,
    show: Callable[[Page], dict[Any, Any]],
    begun_at_once: Any,
) -> dict[str, Callable[..., Any]]:
    """switch_source, load, begin, begin_at_once, pick_up and restore for one page."""
    return _notes(coach, c, bundled) | _starting(coach, c, bundled, show, begun_at_once)


def _notes(coach: Coach, c: dict[str, Any], bundled: Path) -> dict[str, Callable[..., Any]]:
    """Which notes: the source picked, and loading them."""
    root, folder, files, summary, topics = c["root"], c["folder"], c["files"], c["summary"], c["topics"]

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
    return {"switch_source": switch_source, "load": load}


def _starting(
    coach: Coach,
    c: dict[str, Any],
    bundled: Path,
    show: Callable[[Page], dict[Any, Any]],
    begun_at_once: Any,
) -> dict[str, Callable[..., Any]]:
    """Start (waiting for notes still being indexed), Start outside the queue, and resuming."""
    session, root, tabs = c["session"], c["root"], c["tabs"]

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
    return {"begin": begin, "begin_at_once": begin_at_once, "pick_up": pick_up, "restore": restore}
