"""Which notes a tab's Start is for: those it asked to load last, even while they load.

The tab notes what it asks for in the browser, at the click, before any request is sent
(ASKED, into a hidden textbox that Start sends): a Start pressed a moment after Load is then
for those notes even if its request is served first, and never silently for the previous ones.
"""

import json
from pathlib import Path
from typing import Any

import gradio as gr

from interviewer.messages import Lang, say
from interviewer.storage import courses
from interviewer.web.layout import SOURCES
from interviewer.web.workspace import Coach

ASKED = (
    f"(source, path, course) => source === {json.dumps(SOURCES[2])} ? 'upload'"
    f" : source === {json.dumps(SOURCES[1])} ? 'folder:' + path"
    f" : source === {json.dumps(SOURCES[3])} ? 'course:' + (course || '') : 'sample'"
)


def noted(demo: gr.Blocks, c: dict[str, Any]) -> gr.Textbox:
    """A hidden textbox holding what the tab asked to load last, set in the browser by the same
    clicks that load notes (its API default, "", means the tab never asked)."""
    box = gr.Textbox("", visible="hidden", elem_id="asked")
    c["load_btn"].click(None, [c["source"], c["folder"], c["course"]], box, js=ASKED)
    c["files"].upload(None, None, box, js="() => 'upload'")
    demo.load(None, None, box, js="() => 'sample'")
    return box


def root(coach: Coach, asked: str, uploaded: list[str] | None, sample: Path, uploads: Path) -> str:
    """The root of the notes the tab asked for last ("" if it never asked: an API caller,
    which loads them first); `uploads`: where this person's uploads go."""
    if asked == "sample":
        return str(sample.resolve())
    if asked.startswith(courses.PREFIX) and asked != courses.PREFIX:
        return asked  # course notes are named, not a folder
    path = asked.removeprefix("folder:").strip()
    if asked.startswith("folder:") and path:
        return str(Path(path).expanduser().resolve())
    if asked == "upload" and uploaded:  # the same files unpack to the same folder
        return str(coach.unpack([Path(f) for f in uploaded], uploads).folder.resolve())
    return ""


def name(root: str, sample: Path, uploads: Path, lang: Lang) -> str:
    """The notes as the person knows them, for the status line."""
    if root == str(sample.resolve()):
        return say(lang, "notes_sample")
    if root.startswith(courses.PREFIX):
        return root.removeprefix(courses.PREFIX)
    if Path(root).parent == uploads.resolve():
        return say(lang, "notes_uploaded")
    return Path(root).name
