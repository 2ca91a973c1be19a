"""Real files for the format tests, written by the libraries that write them (reportlab,
python-docx, python-pptx, json), from a little Markdown: as a person's notes would be printed
to PDF or typed into Word. Headings get larger fonts (PDF) or heading styles (Word)."""

import json
import re
from collections.abc import Callable
from pathlib import Path

MARGIN, WIDTH, HEIGHT = 50.0, 595.0, 842.0  # A4, in points
SIZES = {1: 20.0, 2: 16.0, 3: 13.5, 4: 12.5, 5: 12.0, 6: 12.0}
BODY = 10.0
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")


def blocks(markdown: str) -> list[tuple[str, int, str]]:
    """(kind, level, text) per printed line: heading, item, code or line; front-matter, fences
    and blank lines dropped, **bold** kept for Word to set in bold."""
    lines = markdown.split("\n")
    if lines and lines[0].strip() == "---":
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        lines = lines[end + 1 :]
    out: list[tuple[str, int, str]] = []
    code = False
    for n, raw in enumerate(lines):
        line = re.sub(r"^(\s*>\s?)+", "", raw).rstrip()
        if line.strip().startswith("```"):
            code = not code
            continue
        if code:
            out.append(("code", 0, line))
            continue
        if not line.strip():
            continue
        heading = _HEADING.match(line)
        following = lines[n + 1] if n + 1 < len(lines) else ""
        if _SETEXT.match(line) and out and out[-1][0] == "line":
            continue  # the underline of a setext heading, taken with the line above
        if heading:
            out.append(("heading", len(heading.group(1)), heading.group(2)))
        elif _SETEXT.match(following) and not line.startswith("|"):
            out.append(("heading", 1 if following.startswith("=") else 2, line.strip()))
        elif re.match(r"^\s*[-*+]\s+", line):
            out.append(("item", 0, re.sub(r"^\s*[-*+]\s+", "", line)))
        else:
            out.append(("line", 0, line.strip()))
    return out


def to_pdf(markdown: str, path: Path, pages: list[int] | None = None) -> Path:
    """Printed with reportlab's built-in STSong-Light (Chinese and Latin, no font file needed).
    `pages`: indexes of blocks to start a new page before."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), pagesize=(WIDTH, HEIGHT))
    y = HEIGHT - MARGIN
    for n, (kind, level, text) in enumerate(blocks(markdown)):
        size = SIZES[level] if kind == "heading" else BODY
        text = text.replace("**", "").replace("==", "")
        if kind == "item":
            text = "• " + text
        wrapped = _wrap(text, size, lambda s, z: pdfmetrics.stringWidth(s, "STSong-Light", z))
        if (pages and n in pages and n) or y - size * 1.6 * len(wrapped) < MARGIN:
            pdf.showPage()
            y = HEIGHT - MARGIN
        y -= size * (0.8 if kind == "heading" else 0.2)  # space above a heading
        for piece in wrapped:
            pdf.setFont("STSong-Light", size)
            pdf.drawString(MARGIN + (12 if kind == "code" else 0), y, piece)
            y -= size * 1.5
    pdf.save()
    return path


def _wrap(text: str, size: float, measure: Callable[[str, float], float]) -> list[str]:
    limit = WIDTH - 2 * MARGIN - 20
    lines, current = [], ""
    for token in re.findall(r"\S+\s*|\s+", text):
        if current and measure(current + token, size) > limit:
            if measure(token, size) > limit:  # a long CJK run: by characters
                for ch in token:
                    if measure(current + ch, size) > limit:
                        lines.append(current)
                        current = ""
                    current += ch
                continue
            lines.append(current.rstrip())
            current = token
        else:
            current += token
    return [line for line in [*lines, current.rstrip()] if line] or [""]


def to_docx(markdown: str, path: Path) -> Path:
    import docx

    document = docx.Document()
    for kind, level, text in blocks(markdown):
        if kind == "heading":
            document.add_heading(text.replace("**", ""), level)
            continue
        numbered = re.match(r"^(\d+)\.\s+(.*)$", text)
        if kind == "item" or numbered:
            para = document.add_paragraph(style="List Number" if numbered else "List Bullet")
            text = numbered.group(2) if numbered else text
        else:
            para = document.add_paragraph()
        for n, piece in enumerate(text.replace("==", "").split("**")):
            if piece:
                para.add_run(piece).bold = n % 2 == 1
    document.save(str(path))
    return path


def to_pptx(slides: list[tuple[str, list[str], str]], path: Path) -> Path:
    """(title, bullet lines, speaker notes) per slide."""
    import pptx

    deck = pptx.Presentation()
    for title, bullets, notes in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])  # "Title and Content"
        slide.shapes.title.text = title
        body = slide.placeholders[1].text_frame
        body.text = bullets[0] if bullets else ""
        for line in bullets[1:]:
            para = body.add_paragraph()
            para.text = line.lstrip()
            para.level = (len(line) - len(line.lstrip())) // 2
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    deck.save(str(path))
    return path


def to_notebook(cells: list[tuple[str, str]], path: Path) -> Path:
    """(cell_type, source) per cell, as Jupyter writes nbformat 4."""
    nb = {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
            | ({"outputs": [], "execution_count": None} if kind == "code" else {})
            for kind, source in cells
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path
