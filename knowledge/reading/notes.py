"""One notes document's text to QuestionItems; pure, no models, no file system.

Markdown (any heading, or YAML front-matter) goes through markdown-it; text with no headings
through the plain-text line rules. Front-matter tags become the items' tags.
"""

import datetime as dt
from collections import Counter

import yaml

from knowledge.items import QuestionItem, RubricPoint
from knowledge.reading.blocks import line_starts
from knowledge.reading.itemize import Meta, items_from_blocks
from knowledge.reading.keypoints import rubric_points
from knowledge.reading.markdown import parse_markdown
from knowledge.reading.plaintext import parse_plaintext

_SCALARS = (str, int, float, dt.date)  # YAML values that make a tag or a title


class NotesWarning(str):
    """Something the user should know about a file that still parsed (e.g. broken front-matter)."""


def parse_note(
    text: str, source: str, folder: str = "", skipped: Counter[str] | None = None
) -> tuple[list[QuestionItem], NotesWarning | None]:
    """folder: the notes folder's name, the topic of last resort for a file directly in it.
    skipped, if given, counts the sections not asked, by reason ("empty", "placeholder", ...)."""
    front, blocks = parse_markdown(text)
    tags, title, warning = _front_matter(front)
    markdown = any(b.kind == "heading" for b in blocks)
    if not markdown:
        body = text if front is None else _blank_front_matter(text)
        blocks = parse_plaintext(body)
    meta = Meta(source, tags, title, line_starts(text), topic_notes=markdown, folder=folder)
    return items_from_blocks(blocks, meta, skipped), warning


def reference_points(text: str) -> list[RubricPoint]:
    """Rubric points of a bare reference answer (no question heading), by the notes' rules.

    A reference too short to split into points ("A pointer.") is one point as it is.
    """
    _, blocks = parse_markdown(text)
    points = rubric_points(blocks, line_starts(text)) if blocks else []
    stripped = text.strip()
    if not points and stripped:
        start = text.index(stripped)
        points = [RubricPoint(text=stripped, start=start, end=start + len(stripped), line=1)]
    return points


def _front_matter(front: str | None) -> tuple[list[str], str, NotesWarning | None]:
    if front is None:
        return [], "", None
    try:
        data = yaml.safe_load(front)
    except Exception as e:
        # not only YAMLError: PyYAML's constructors fail with whatever Python raises on a bad
        # value (ValueError for "2024-02-30", KeyError for "!!bool x", AttributeError for
        # "!!timestamp x", IndexError for '!!int ""'), and deep brackets give RecursionError
        where = getattr(e, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        return [], "", NotesWarning(f"front-matter is not valid YAML{line}; read the notes without its tags")
    if not isinstance(data, dict):
        return [], "", None
    raw = data.get("tags") or data.get("tag") or []
    tags = [raw] if isinstance(raw, _SCALARS) else raw if isinstance(raw, list) else []
    title = data.get("title")
    # scalars only: str() of a YAML alias bomb (lists of lists by reference) would take forever
    tags = [t for t in tags if isinstance(t, _SCALARS)]
    title = title if isinstance(title, _SCALARS) else ""
    return [str(t).strip() for t in tags if str(t).strip()], str(title or "").strip(), None


def _blank_front_matter(text: str) -> str:
    """Front-matter replaced by blank lines, so offsets and line numbers stay true."""
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    return "\n".join("" if i <= end else line for i, line in enumerate(lines))
