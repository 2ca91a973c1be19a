"""Hard-wrapped lines joined back into paragraphs before they are split into sentences.

Notes are written two ways: one point per line ("MLM：掩盖部分 token"), or prose wrapped at a
fixed width, where a line break falls mid-sentence ("..., so transformers add\\nposition ...").
A line break ends a sentence only where the text says so: the line ends with terminal
punctuation, the next line starts a list item or a label, or the line is not wrapped (shorter
than the document's wrap width). English continues in lower case across a break in any notes.
"""

import re
import unicodedata

from knowledge.reading.spans import Piece

_TERMINAL = "。！？!?；;：:…"
_NEW_LINE_ITEM = re.compile(
    r"^\s*(?:[-*+•·]\s|\d{1,3}\s*[.、．)）]|[(（]\d{1,3}[)）]|[一二三四五六七八九十]+[、.．]|#|>|\||```|\$\$"
    r"|(?:\*\*|__)?[^\s:：，。,*_]{1,12}(?:\*\*|__)?\s*[:：])"
)
_SKIP = re.compile(r"^\s*(?:#|\||```|~~~|>|\$\$)")  # headings, tables, fences: not prose lines
WRAPPED = 0.7  # a line at least this share of the wrap width ran into the margin
MIN_WIDTH = 40  # narrower "wrapping" is a list of short lines


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_width(source: str) -> int:
    """The column a hard-wrapped document breaks its lines at, or 0 if its lines are not wrapped.

    Wrapped prose has many lines that end mid-sentence at nearly the same width; notes with one
    point per line have lines of every length.
    """
    lines = [line.strip() for line in source.split("\n")]
    open_ends = []
    for line, after in zip(lines, lines[1:], strict=False):
        if line and after and not _SKIP.match(line) and not line.endswith(tuple(_TERMINAL + ".")):
            open_ends.append(display_width(line))
    if len(open_ends) < 2:
        return 0
    open_ends.sort()
    width = open_ends[int(0.9 * (len(open_ends) - 1))]
    near = sum(w >= 0.8 * width for w in open_ends)
    return width if width >= MIN_WIDTH and near * 5 >= len(open_ends) * 3 else 0


def continues(before: str, after: str, width: int) -> bool:
    """Whether the line `after` continues the sentence that the line `before` left open."""
    before, after = before.rstrip(), after.lstrip()
    if not before or not after or before.endswith(tuple(_TERMINAL)) or _NEW_LINE_ITEM.match(after):
        return False
    if before.endswith(".") and not before.endswith(".."):
        return False
    if (before[-1].isalnum() or before[-1] in ",)") and before[-1].isascii() and after[0].islower():
        return True  # "... so transformers add" / "position encodings ..."
    return bool(width) and display_width(before) >= WRAPPED * width


def glue(pieces: list[Piece]) -> Piece:
    """Lines of one sentence as one piece: a space between English words, nothing between CJK."""
    texts: list[str] = []
    offsets: list[int] = []
    for p in pieces:
        if texts and p.text and texts[-1][-1:].isascii() and p.text[0].isascii():
            texts.append(" ")
            offsets.append(offsets[-1] + 1)
        texts.append(p.text)
        offsets.extend(p.offsets)
    return Piece("".join(texts), tuple(offsets))


def join_wrapped(rows: list[Piece], width: int) -> Piece:
    """Lines of one paragraph as one piece: wrapped lines joined, other breaks kept as newlines."""
    texts: list[str] = []
    offsets: list[int] = []
    previous = ""
    in_math = False  # lines of a $$ ... $$ display formula are one unit
    for p in rows:
        if not p.text:
            continue
        if texts:
            glue = in_math or continues(previous, p.text, width)
            sep = (" " if previous[-1].isascii() and p.text[0].isascii() else "") if glue else "\n"
            texts.append(sep)
            offsets.extend([offsets[-1] + 1] * len(sep))
        texts.append(p.text)
        offsets.extend(p.offsets)
        previous = p.text
        in_math ^= p.text.count("$$") % 2 == 1
    return Piece("".join(texts), tuple(offsets))
