"""An answer's blocks to its rubric points: the checkable ideas a good answer contains.

Points follow the answer's own structure, outermost first:
  sub-headings  -> one point each ("核心目标：捕获双向上下文"); a bare label heading
                   ("模型架构") lends its name to the lead of each block under it instead
  list items    -> the lead sentence of each top-level item; "**MLM**：" labels do the same
  paragraphs    -> one point per sentence or clause (。！？；.!?; and line breaks)
  code          -> no points (kept in the answer and its chunks)
A point is at least MIN_WEIGHT (see pieces.weight): never a single word.
"""

import bisect
import re
from collections.abc import Callable, Iterable

from knowledge.blocks import Block
from knowledge.items import RubricPoint
from knowledge.pieces import Piece, is_cjk, weight

MIN_WEIGHT = 6  # "MLM" (2) or "模型架构" (4) alone is not a checkable idea
LABEL_WEIGHT = 10  # a heading or item lighter than this, with content under it, is a label
LEAD_WEIGHT = 80  # a lead sentence stops growing past this
MAX_PER_LABEL = 4  # "模型架构" over a long section: its first few leads, not every sentence

_SENTENCE_END = re.compile(r"[。！？!?；;]+|(?<=[a-z0-9)\]])\.(?=\s)|\n")
_NUMBERING = re.compile(r"^((?:\d+(?:\.\d+)*|[一二三四五六七八九十]+)\s*[.、．)）:：]?\s*)(?=\S)")
_TRAILING = "。；;，,：:. \t"


def rubric_points(blocks: list[Block], starts: list[int]) -> list[RubricPoint]:
    """starts: line_starts(source), to give each point its line number."""
    seen: set[str] = set()
    points = []
    for prefix, piece in _units(blocks):
        text = _compose(prefix, piece.text)
        if weight(text) < MIN_WEIGHT or text in seen:
            continue
        seen.add(text)
        start, end = piece.span
        line = bisect.bisect_right(starts, start)
        points.append(RubricPoint(text=text, start=start, end=end, line=line))
    return points


def _units(blocks: list[Block], leads_only: bool = False) -> Iterable[tuple[str | None, Piece]]:
    """(label prefix or None, piece) for every candidate point, in order.

    leads_only: a paragraph gives its lead sentence, not one point per sentence (used under
    sub-headings, where the heading is the idea and the text below elaborates it).
    """
    headings = [b.level for b in blocks if b.kind == "heading"]
    if headings:
        top = min(headings)
        groups = _split_at(blocks, lambda b: b.kind == "heading" and b.level == top)
        yield from _units(groups[0][1], leads_only=True)
        for head, body in groups[1:]:
            assert head is not None
            title = head.piece.drop(_NUMBERING).strip(_TRAILING)
            if weight(title.text) >= LABEL_WEIGHT or not body:
                yield None, title
            else:
                below = list(_units(body, leads_only=True))[:MAX_PER_LABEL]
                yield from ((title.text, _lead(piece)) for _, piece in below)
        return
    items = [b.level for b in blocks if b.kind == "item"]
    top_depth = min(items) if items else 0
    i = 0
    while i < len(blocks):
        b = blocks[i]
        i += 1
        if b.kind == "item" and b.level == top_depth:
            start = i
            while i < len(blocks) and _inside_item(blocks[i], top_depth):
                i += 1
            children = [c for c in blocks[start:i] if c.kind == "item" and c.level == top_depth + 1]
            label = b.piece.strip(_TRAILING)
            if children and (weight(label.text) < LABEL_WEIGHT or b.text.rstrip().endswith((":", "："))):
                yield from ((label.text, _lead(c.piece)) for c in children[:MAX_PER_LABEL])
            else:
                yield None, _lead(b.piece)
        elif b.kind == "row":
            yield None, b.piece
        elif b.kind == "para":
            yield from ((None, s) for s in (_sentences(b.piece)[:1] if leads_only else _sentences(b.piece)))


def _inside_item(b: Block, depth: int) -> bool:
    """Whether b still belongs to the list item opened before it at this depth."""
    return b.level > depth or (b.level == depth > 0 and b.kind not in ("item", "heading"))


def _split_at(
    blocks: list[Block], is_head: Callable[[Block], bool]
) -> list[tuple[Block | None, list[Block]]]:
    groups: list[tuple[Block | None, list[Block]]] = [(None, [])]
    for b in blocks:
        if is_head(b):
            groups.append((b, []))
        else:
            groups[-1][1].append(b)
    return groups


def _sentences(piece: Piece) -> list[Piece]:
    """Sentences, with fragments lighter than MIN_WEIGHT merged into a neighbour."""
    merged: list[Piece] = []
    for s in piece.split(_SENTENCE_END):
        if merged and weight(merged[-1].text) < MIN_WEIGHT:
            merged[-1] = merged[-1] + s
        else:
            merged.append(s)
    if len(merged) > 1 and weight(merged[-1].text) < MIN_WEIGHT:
        last = merged.pop()
        merged[-1] = merged[-1] + last
    return [m.strip(_TRAILING) for m in merged]


def _lead(piece: Piece) -> Piece:
    """The opening sentence(s) of a block, enough to carry one idea."""
    sentences = _sentences(piece)
    if not sentences:
        return piece
    lead = sentences[0]
    for s in sentences[1:]:
        if weight(lead.text) >= MIN_WEIGHT * 2 or weight(lead.text + s.text) > LEAD_WEIGHT:
            break
        lead = lead + s
    return lead


def _compose(prefix: str | None, text: str) -> str:
    text = text.strip(_TRAILING)
    if not prefix:
        return text
    sep = "：" if is_cjk(prefix + text) else ": "
    return f"{prefix.strip(_TRAILING)}{sep}{text}"
