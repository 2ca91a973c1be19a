"""Word (.docx) and PowerPoint (.pptx) files as Markdown, with python-docx and python-pptx.

Word: headings by their style ("Heading 2" -> ##), list styles as list items, bold runs as
**bold**, tables as Markdown tables. PowerPoint: one part per slide, its title a heading and
its text frames' paragraphs as list items by indent level, then its speaker notes. Not read:
images, charts, SmartArt, comments, tracked changes; old .doc/.ppt files are not these formats.
"""

import io
import re
import zipfile
from typing import TYPE_CHECKING

from knowledge.reading.converters import (
    MAX_PAGES,
    Builder,
    ConversionError,
    Deadline,
    Document,
    check_unpacked,
)

if TYPE_CHECKING:
    from docx.text.paragraph import Paragraph

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: an encrypted Office file, or .doc/.ppt
_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def docx_to_markdown(data: bytes, deadline: Deadline) -> Document:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_package(data, "word/document.xml", "Word")
    document = docx.Document(io.BytesIO(data))
    out = Builder()
    for n, block in enumerate(document.iter_inner_content()):
        if n % 200 == 0:
            deadline.check(f"paragraph {n + 1}")
        if isinstance(block, Table):
            out.add(_table([[cell.text for cell in row.cells] for row in block.rows]))
        elif isinstance(block, Paragraph):
            text = _runs(block)
            if text.strip():
                out.add(_prefix(block.style.name if block.style else "") + text)
    return out.document()


def pptx_to_markdown(data: bytes, deadline: Deadline) -> Document:
    import pptx

    _check_package(data, "ppt/presentation.xml", "PowerPoint")
    deck = pptx.Presentation(io.BytesIO(data))
    slides = list(deck.slides)
    out = Builder()
    for number, slide in enumerate(slides[:MAX_PAGES], start=1):
        deadline.check(f"slide {number}")
        out.part(f"slide {number}")
        title = slide.shapes.title
        if title is not None and title.text_frame.text.strip():
            out.add("## " + _one_line(title.text_frame.text))
        for shape in slide.shapes:
            if shape == title:
                continue
            if shape.has_text_frame:
                for para in shape.text_frame.paragraphs:
                    text = "".join(run.text for run in para.runs).strip()
                    if text:
                        out.lines.append("  " * para.level + "- " + text)
                out.lines.append("")
            elif shape.has_table:
                rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
                out.add(_table(rows))
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            notes = slide.notes_slide.notes_text_frame.text.strip()
            if notes:
                out.add(notes)
    total = len(slides)
    warning = f"only the first {MAX_PAGES} of its {total} slides were read" if total > MAX_PAGES else None
    return out.document(warning)


def _check_package(data: bytes, part: str, kind: str) -> None:
    """Says what is wrong before the library does, in words a person can act on."""
    if data.startswith(_OLE):
        raise ConversionError(
            f"password-protected {kind} file, or an old .doc/.ppt: save a copy without a password"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            check_unpacked(package, kind)
            if part not in package.namelist():
                raise ConversionError(f"not a {kind} file inside (no {part}); it may be damaged or misnamed")
    except zipfile.BadZipFile as e:
        raise ConversionError(f"not a readable {kind} file: it is damaged or not what its name says") from e


def _runs(paragraph: "Paragraph") -> str:
    """A paragraph's text with its bold runs as **bold**: notes mark labels (Q:, A:) this way."""
    groups: list[
        tuple[bool, str]
    ] = []  # neighbouring runs of one weight joined: "**a b**", not "**a** **b**"
    for run in paragraph.runs:
        bold = bool(run.bold)
        if groups and groups[-1][0] == bold:
            groups[-1] = (bold, groups[-1][1] + run.text)
        else:
            groups.append((bold, run.text))
    parts = []
    for bold, text in groups:
        core = text.strip()
        if bold and core:
            start = text.index(core)
            text = f"{text[:start]}**{core}**{text[start + len(core) :]}"
        parts.append(text)
    return "".join(parts).replace("\n", " ") or paragraph.text


def _prefix(style: str) -> str:
    heading = _HEADING.match(style.strip())
    if heading:
        return "#" * min(int(heading.group(1)) or 1, 6) + " "
    if style.strip().lower() == "title":
        return "# "
    lowered = style.lower()
    if "list number" in lowered:
        return "1. "
    if "list" in lowered:
        return "- "
    return ""


def _table(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    cells = [[_one_line(c).replace("|", "\\|") for c in r] + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(r) + " |" for r in cells[1:]]
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()
