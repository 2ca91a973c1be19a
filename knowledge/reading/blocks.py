"""The shared shape both note parsers produce: a flat list of blocks with source offsets.

Markdown (via markdown-it) and plain text (line rules) both become Blocks; outline.py turns
Blocks into question items. Nothing here knows what a question is.
"""

from dataclasses import dataclass
from typing import Literal

from knowledge.reading.spans import Piece

# aside: a line that only links somewhere or ticks a to-do box; shown, never a point or a question
BlockKind = Literal["heading", "para", "item", "code", "row", "label", "aside"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    piece: Piece  # cleaned text; code keeps its text as written
    level: int = 0  # heading level (1-6); list depth (1 = top) for items and paragraphs in lists
    line: int = 0  # 0-based line where the block starts

    @property
    def text(self) -> str:
        return self.piece.text


def line_starts(source: str) -> list[int]:
    """Offset of the first character of each line (plus one past the end)."""
    starts = [0]
    for i, ch in enumerate(source):
        if ch == "\n":
            starts.append(i + 1)
    if starts[-1] != len(source) + 1:
        starts.append(len(source) + 1)
    return starts


def line_piece(source: str, starts: list[int], line: int) -> Piece:
    """The raw text of one 0-based line, without its line break."""
    start, end = starts[line], starts[line + 1] - 1
    piece = Piece.of(source, start, end)
    return piece.strip("\r") if piece.text.endswith("\r") else piece


def join_lines(pieces: list[Piece]) -> Piece:
    """Join line pieces with newlines; each newline points at the end of the line before it."""
    # collected in lists and joined once: adding to a growing tuple per line made a paragraph
    # of 100k short lines (a CSV saved as .txt) take minutes
    texts: list[str] = []
    offsets: list[int] = []
    for p in pieces:
        if not p.text:
            continue
        if texts:
            texts.append("\n")
            offsets.append(offsets[-1] + 1)
        texts.append(p.text)
        offsets.extend(p.offsets)
    return Piece("".join(texts), tuple(offsets))


def render(blocks: list[Block]) -> str:
    """Blocks back to readable Markdown, for showing a model answer."""
    out = []
    for b in blocks:
        if b.kind == "heading":
            out.append(f"**{b.text}**")
        elif b.kind == "item":
            out.append("  " * max(b.level - 1, 0) + "- " + b.text)
        elif b.kind == "code":
            out.append("```\n" + b.text + "\n```")
        elif b.kind != "label":
            out.append(b.text)
    return "\n".join(out).strip()
