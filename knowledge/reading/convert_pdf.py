"""A PDF's text layer as Markdown, page by page, with headings told by their font size.

pdfminer.six lays each page out into lines; a line set in a larger font than the body text is a
heading (the largest size is level 1), so a handbook printed from Markdown comes back with its
outline. Not read: images (no OCR: a scanned PDF says so), tables as tables, PDFs that need a
password. The first MAX_PAGES pages are read and the rest left out, with a warning.
"""

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass

from knowledge.reading.converters import MAX_PAGES, Builder, ConversionError, Deadline, Document
from knowledge.reading.spans import is_cjk

_BULLETS = re.compile(r"^[•●▪■◦‣∙·o]\s+")  # "• point": a list item, as Markdown writes one
_HEADING_RATIO = 1.15  # a line this much larger than the body text is a heading


@dataclass(frozen=True)
class _Line:
    text: str
    size: float  # the font size most of its characters are set in
    box: int  # which text box (paragraph) on the page it sits in
    top: float  # from the page's bottom, in points
    bottom: float


def pdf_to_markdown(data: bytes, deadline: Deadline) -> Document:
    pages, images, total = _pages(data, deadline)
    if not any(pages):
        if images:
            raise ConversionError("no text in this PDF: it is scanned pages; OCR is not supported")
        raise ConversionError("no text in this PDF")
    levels = _heading_levels([line for page in pages for line in page])
    out = Builder()
    for number, page in enumerate(pages, start=1):
        out.part(f"page {number}")
        box = -1
        above: _Line | None = None  # the heading line just written
        for line in page:
            level = levels.get(round(line.size, 1))
            if level and above and _wrapped(above, line):
                space = "" if is_cjk(out.lines[-2][-1:] + line.text[:1]) else " "
                out.lines[-2] += space + line.text
                above = line
                continue
            above = line if level else None
            if level:
                out.add("#" * level + " " + line.text)
                box = -1
                continue
            if line.box != box and box != -1:
                out.lines.append("")  # a new paragraph
            out.lines.append(_BULLETS.sub("- ", line.text))
            box = line.box
        out.lines.append("")
    warning = f"only the first {MAX_PAGES} of its {total} pages were read" if total > MAX_PAGES else None
    return out.document(warning)


def _pages(data: bytes, deadline: Deadline) -> tuple[list[list[_Line]], bool, int]:
    """Each page's lines, whether any page holds an image, and how many pages there are."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTFigure, LTImage, LTTextBox, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psexceptions import PSException

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it warns on every odd font
    pages: list[list[_Line]] = []
    images = False
    try:
        total = sum(1 for _ in PDFPage.get_pages(io.BytesIO(data)))
        for number, layout in enumerate(
            extract_pages(io.BytesIO(data), laparams=LAParams(), maxpages=MAX_PAGES)
        ):
            deadline.check(f"page {number + 1}")
            lines: list[_Line] = []
            for n, element in enumerate(layout):
                if isinstance(element, LTFigure | LTImage):
                    images = True
                if not isinstance(element, LTTextBox):
                    continue
                for line in element:
                    if not isinstance(line, LTTextLine):
                        continue
                    text = line.get_text().strip()
                    sizes = Counter(round(c.size, 1) for c in line if isinstance(c, LTChar))
                    if text and sizes:
                        lines.append(_Line(text, sizes.most_common(1)[0][0], n, line.y1, line.y0))
            pages.append(lines)
    except PDFPasswordIncorrect as e:
        raise ConversionError("encrypted PDF: it needs a password to open; save a copy without one") from e
    except PDFEncryptionError as e:
        raise ConversionError(f"encrypted PDF in a way that can't be read ({e})") from e
    except (PDFSyntaxError, PSException) as e:
        raise ConversionError(f"not a readable PDF ({type(e).__name__}); it may be damaged") from e
    return pages, images, total


def _wrapped(above: _Line, line: _Line) -> bool:
    """Whether a heading line goes on the one above it: same size, at the next line's distance
    (a new heading has space above it; a wrapped one sits a line's leading below)."""
    return above.size == line.size and 0 <= above.bottom - line.top < 0.7 * line.size


def _heading_levels(lines: list[_Line]) -> dict[float, int]:
    """Font size -> heading level: sizes clearly above the body's, the largest level 1 (up to 6).

    Example: body 11 pt, lines at 20, 16 and 13 pt -> {20: 1, 16: 2, 13: 3}.
    """
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    if not weights:
        return {}
    body = weights.most_common(1)[0][0]
    larger = sorted((s for s in weights if s > body * _HEADING_RATIO), reverse=True)[:6]
    return {size: level for level, size in enumerate(larger, start=1)}
