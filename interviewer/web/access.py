"""Whose is what: a person's interviews, their folder, and the notes they may practise on.

A session is loaded only under its own user's name, and an id that is someone else's gets the
same words as one that doesn't exist, so nothing tells a person whether another's interview is
there. In a class (named users) a person practises on the sample notes, the course notes and
their own uploads; only the one local user may open any folder of the machine the app runs on,
as it is their own computer.
"""

import shutil
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.storage import courses
from interviewer.storage.session import LOCAL, Session
from interviewer.web.workspace import Coach

if TYPE_CHECKING:  # gradio is imported by ui.py, after it has turned off gradio's analytics
    import gradio as gr

KEEP_EXPORTS = 3600  # seconds a named user's downloaded transcript stays on disk (the history keeps it)


class Refused(Exception):
    """What the person asked for is not theirs (or not there); str(e) is shown as it is."""


def who(request: "gr.Request") -> str:
    """The person an event is for: Gradio sets username only when logins are on."""
    return request.username or LOCAL


def load(coach: Coach, user: str, session_id: str) -> Session:
    """The user's session by id; Refused, in the same words, for one absent and one not theirs."""
    try:
        return coach.history.of(user).load(session_id)
    except KeyError as e:
        raise Refused(f"No saved interview {session_id} of yours.") from e


def moved_on(coach: Coach, session: Session, turns: int) -> bool:
    """Whether the saved session has gone past `turns` turns. The page loads a tab's session
    afresh for each event, so another event's copy (Enter's) is not this one: the saved one says."""
    try:
        return len(coach.history.of(session.user).load(session.id).turns) != turns
    except KeyError:
        return True


def folder(coach: Coach, user: str) -> Path:
    """The user's own part of the data folder: their uploads and exports. The local user's is
    the data folder itself, as before there were users."""
    return coach.data_dir if user == LOCAL else coach.data_dir / "users" / user


def exports(coach: Coach, user: str) -> Path:
    """Where the user's transcripts are written to be downloaded. A named user's go in a fresh
    folder with an unguessable name each time: files the page serves are served to whoever
    names them, so a path must not be something another person could make up."""
    if user == LOCAL:
        return coach.data_dir / "exports"
    base = coach.data_dir / "exports" / "users"
    for old in base.glob("*"):
        if old.stat().st_mtime < time.time() - KEEP_EXPORTS:
            shutil.rmtree(old, ignore_errors=True)
    return base / uuid.uuid4().hex


def check_notes(coach: Coach, root: str, user: str) -> None:
    """Refused unless the user may practise on these notes."""
    if user == LOCAL or root.startswith(courses.PREFIX) or root in coach.public:
        return
    mine = (folder(coach, user) / "uploads").resolve()
    if Path(root).resolve().is_relative_to(mine):
        return
    raise Refused("Those notes aren't yours to practise on: upload your own, or pick the course notes.")


def check_folder(user: str) -> None:
    """A folder of the machine's own disk: the local user's to open, nobody else's."""
    if user != LOCAL:
        raise Refused("In a class, notes come from an upload or the course notes, not a server folder.")
