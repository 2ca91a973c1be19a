"""Where a tab's notes come from: the sample notes, a folder of this computer, an upload, or
the course notes. A plain function for the page's Load (ui.py wires it; tests call it), which
also says who may use which: a folder of the server is the local user's alone, and an upload
lands in the uploader's own folder.
"""

from pathlib import Path

from interviewer.messages import Lang, say
from interviewer.web import access
from interviewer.web.handlers import UserError
from interviewer.web.layout import SOURCES
from interviewer.web.workspace import Coach, NotesLoaded


def load(
    coach: Coach,
    user: str,
    choice: str,
    path: str = "",
    uploaded: list[str] | None = None,
    course: str | None = None,
    sample: Path | None = None,
    lang: Lang = "en",
) -> NotesLoaded:
    """The notes the person chose, indexed (or their index fetched) and ready; `sample` is
    what the sample notes are."""
    if choice == SOURCES[1]:
        access.check_folder(user)
        if not path.strip():
            raise UserError(say(lang, "error_no_folder"))
        return coach.load(Path(path.strip()).expanduser())
    if choice == SOURCES[2]:
        if not uploaded:
            raise UserError(say(lang, "error_no_upload"))
        return coach.upload([Path(f) for f in uploaded], access.folder(coach, user) / "uploads")
    if choice == SOURCES[3]:
        if not course:
            raise UserError(say(lang, "error_pick_course"))
        return coach.course(course)
    if sample is None:
        raise UserError(say(lang, "error_no_notes"))
    return coach.load(sample)


def courses(coach: Coach) -> list[str]:
    """The names of the course notes there are for this coach's embedder."""
    return [p.name for p in coach.courses.listed(coach.grader().embedder.name)]
