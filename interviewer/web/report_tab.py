"""The report tab's events, and the page redrawn in a new language: the report, its charts, the
schedule, past interviews and their transcripts, for the interview the tab holds.

ui.build makes these with the page's components (layout.py) and its own `mine` and `show`, and
wiring.py connects them; what each shows is written in handlers.py, practice_tab.py and views.py.
"""

from collections.abc import Callable
from typing import Any

import gradio as gr
import pandas as pd

from interviewer.messages import Lang, say
from interviewer.storage.session import LOCAL, Session
from interviewer.web import handlers, practice_tab, views
from interviewer.web.access import who
from interviewer.web.errors import guarded
from interviewer.web.handlers import Page
from interviewer.web.workspace import Coach, NotesLoaded

Mine = Callable[[str, gr.Request], Session | None]


def events(
    coach: Coach, c: dict[str, Any], mine: Mine, show: Callable[[Page], dict[Any, Any]]
) -> dict[str, Callable[..., Any]]:
    """refresh, relabel, downloads and signed_in, by name, for the page `c` lays out."""
    downloads_out = [c["dl_md"], c["dl_json"], c["dl_html"]]

    @guarded
    def relabel(
        lang_: Lang, sid: str, loaded: NotesLoaded | None, root_: str, request: gr.Request
    ) -> dict[Any, Any]:
        """Everything the server wrote, again in the tab's new language."""
        s = mine(sid, request)
        p = handlers.page(coach, s, lang=lang_) if s else None
        drawn = show(p) if p else {c["feedback"]: views.feedback_html(None, lang=lang_)}
        notes = {c["summary"]: views.notes_summary(loaded, lang_)} if loaded else {}
        today = practice_tab.due(coach, root_, lang_, who(request))
        texts = {c["due"]: today, c["job_view"]: practice_tab.job(s, lang_)}
        return {**drawn, **notes, **texts, **refresh(lang_, sid, request)}

    @guarded
    def refresh(lang_: Lang, sid: str, request: gr.Request) -> dict[Any, Any]:
        s = mine(sid, request)
        r = handlers.report(coach, s, lang_)
        h = handlers.history(coach, lang_, who(request))
        plan = practice_tab.schedule(coach, s, lang_)
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

    return {"relabel": relabel, "refresh": refresh, "downloads": downloads, "signed_in": signed_in}
