"""An answer's blocks to its rubric points: the checkable ideas a good answer contains.

Points follow the answer's own structure, outermost first:
  sub-headings  -> one point each ("核心目标：捕获双向上下文"); a bare label heading
                   ("模型架构") lends its name to the lead of each block under it instead
  list items    -> the lead sentence of each top-level item; "**MLM**：" labels do the same
  paragraphs    -> one point per sentence or clause (。！？；.!?; and line breaks); a lead-in
                   before a list ("优势：", "主要区别在于：") names the items or is dropped
  table rows    -> one point each, whole ("贪婪：多样性 低；质量 中")
  code          -> no points (kept in the answer and its chunks): a model may say what it does
A point is at least MIN_WEIGHT (see pieces.weight): never a single word.
"""

import bisect
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from knowledge.items import RubricPoint
from knowledge.reading.blocks import Block
from knowledge.reading.spans import Piece, is_cjk, weight

MIN_WEIGHT = 6  # "MLM" (2) or "模型架构" (4) alone is not a checkable idea
LABEL_WEIGHT = 10  # a heading or item lighter than this, with content under it, is a label
LEAD_WEIGHT = 80  # a lead sentence stops growing past this
MAX_PER_LABEL = 4  # "模型架构" over a long section: its first few leads, not every sentence

# a closing bracket or quote after the stop stays with its sentence: "（…长期收益。）"
_SENTENCE_END = re.compile(r"[。！？!?；;]+[）)」』”’]*|(?<=[a-z0-9)\]])\.(?=\s)|\n")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)  # "$KL(P;Q)$": no sentence ends inside
_NUMBERING = re.compile(r"^((?:\d+(?:\.\d+)*|[一二三四五六七八九十]+)\s*[.、．)）:：]?\s*)(?=\S)")
_TRAILING = "。；;，,：:. \t"


def rubric_points(blocks: list[Block], starts: list[int]) -> list[RubricPoint]:
    """starts: line_starts(source), to give each point its line number."""
    seen: set[str] = set()
    points = []
    for prefix, piece, _ in _units(blocks):
        text = _compose(prefix, piece.text)
        if weight(text) < MIN_WEIGHT or text in seen:
            continue
        seen.add(text)
        start, end = piece.span
        line = bisect.bisect_right(starts, start)
        points.append(RubricPoint(text=text, start=start, end=end, line=line))
    return points


class _Unit(NamedTuple):
    prefix: str | None  # a label the point is read under ("原理")
    piece: Piece
    whole: bool = False  # a table row: never cut to its lead or put under a label


def _units(blocks: list[Block], leads_only: bool = False) -> Iterable[_Unit]:
    """A label prefix (or None) and a piece for every candidate point, in order.

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
                yield _Unit(None, title)
                continue
            below = list(_units(body, leads_only=True))
            yield from (u for u in below if u.whole)
            leads = [_Unit(title.text, _lead(u.piece)) for u in below if not u.whole]
            yield from leads[:MAX_PER_LABEL]
        return
    items = [b.level for b in blocks if b.kind == "item"]
    top_depth = min(items) if items else 0
    intro: str | None = None  # "优势：" before a list: the label of its items
    i = 0
    while i < len(blocks):
        b = blocks[i]
        i += 1
        if not (b.kind == "item" and b.level == top_depth) and b.kind != "aside":
            intro = None
        if b.kind == "item" and b.level == top_depth:
            start = i
            while i < len(blocks) and _inside_item(blocks[i], top_depth):
                i += 1
            children = [c for c in blocks[start:i] if c.kind == "item" and c.level == top_depth + 1]
            label = b.piece.strip(_TRAILING)
            if children and (weight(label.text) < LABEL_WEIGHT or b.text.rstrip().endswith((":", "："))):
                yield from (_Unit(label.text, _lead(c.piece)) for c in children[:MAX_PER_LABEL])
            else:
                yield _Unit(intro, _lead(b.piece))
        elif b.kind == "row":
            yield _Unit(None, b.piece, whole=True)
        elif b.kind == "para":
            listed = i < len(blocks) and blocks[i].kind == "item"
            said, lead_in = _lead_in(b.piece) if listed else (b.piece, None)
            if lead_in is not None and weight(lead_in.text) < MIN_WEIGHT:
                intro = lead_in.text  # "优势" names the items; "主要区别在于" says nothing to check
            heavy = [lead_in] if lead_in is not None and weight(lead_in.text) >= LABEL_WEIGHT else []
            sentences = _sentences(said) + heavy
            yield from (_Unit(None, s) for s in (sentences[:1] if leads_only else sentences))


def _lead_in(piece: Piece) -> tuple[Piece, Piece | None]:
    """A paragraph's last sentence if it ends with a colon and so introduces the list after it."""
    text = piece.text.rstrip()
    if not text.endswith((":", "：")):
        return piece, None
    cut = 0
    for end in _ends(text):
        cut = end
    return piece[:cut], piece[cut:].strip(_TRAILING)


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
    cuts = [0, *_ends(piece.text), len(piece.text)]
    parts = [piece[a:b].strip() for a, b in zip(cuts, cuts[1:], strict=False)]
    for s in (p for p in parts if p.text):
        if merged and weight(merged[-1].text) < MIN_WEIGHT:
            merged[-1] = merged[-1] + s
        else:
            merged.append(s)
    if len(merged) > 1 and weight(merged[-1].text) < MIN_WEIGHT:
        last = merged.pop()
        merged[-1] = merged[-1] + last
    return [m.strip(_TRAILING) for m in merged]


def _ends(text: str) -> list[int]:
    """Where sentences end in text, outside formulas."""
    math = [m.span() for m in _MATH.finditer(text)]
    starts = [a for a, _ in math]
    ends = []
    for m in _SENTENCE_END.finditer(text):
        k = bisect.bisect_right(starts, m.start()) - 1
        if k < 0 or math[k][1] <= m.start():
            ends.append(m.end())
    return ends


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
