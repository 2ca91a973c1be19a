"""Markdown source to Blocks, using markdown-it-py for all block structure.

markdown-it tells us what each block is and which lines it spans; we only strip container
prefixes (`> `, list markers, `#`) and inline markup per line, keeping source offsets.
"""

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from knowledge.reading.blocks import Block, BlockKind, join_lines, line_piece, line_starts
from knowledge.reading.spans import Piece, clean_inline, concat, drop_emoji, is_cjk
from knowledge.reading.unwrap import join_wrapped, wrap_width

# Block structure only: we clean inline markup ourselves (spans.clean_inline), and markdown-it's
# inline pass (tokens nobody reads) took 18 s on a 1 MB line of "[" characters
_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin).disable("inline")

_QUOTE = re.compile(r"^([ \t]*(?:>[ \t]?)+)")
_LIST_MARK = re.compile(r"^([ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+\[[ xX]\])?(?:[ \t]+|$))")
_INDENT = re.compile(r"^([ \t]+)")
_ATX = re.compile(r"^([ \t]{0,3}#{1,6}(?:[ \t]+|$))")
_ATX_CLOSE = re.compile(r"([ \t]+#+[ \t]*)$")
_LONE_CR = re.compile(r"\r(?!\n)")
_PIPES = re.compile(r"^([ \t]*\|)|(\|[ \t]*)$")
# a paragraph of nothing but links ("- [位置编码详解](../position/README.md)", "参考：[…](…)"), or a
# to-do box: what the notes point to, not what they say
_LINKS_ONLY = re.compile(
    r"^(?:(?:参考|来源|原文|链接|详见|见|see|source|link)\s*[:：]?\s*)?"
    r"(?:!?\[[^\[\]\n]{0,500}\]\([^()\s]{0,2000}\)[\s,，、|·/]*)+$",
    re.I,
)
_DIAGRAMS = ("mermaid", "plantuml", "dot", "graphviz", "flow", "flowchart")
_TEXT_FENCES = ("", "text", "txt", "plaintext", "markdown", "md")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{4}")
_TODO_BOX = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[[ xX]\]")


def parse_markdown(source: str) -> tuple[str | None, list[Block]]:
    """Return (front-matter text or None, blocks)."""
    starts = line_starts(source)
    width = wrap_width(source)
    # markdown-it breaks lines at a lone \r as well; line_starts only at \n. A blank in its place
    # (same length) keeps both counting the same lines, so a token's line map is our line.
    tokens = _MD.parse(_LONE_CR.sub(" ", source))
    blocks: list[Block] = []
    front: str | None = None
    quote = 0  # blockquote nesting
    lists = 0  # list nesting
    first_para_in_item = False
    header: list[str] | None = None  # inside a table's header row: its cells name the columns
    columns: list[str] = []

    def lines(tok: Token, skip_first: bool = False, skip_last: bool = False) -> list[Piece]:
        assert tok.map is not None
        lo, hi = tok.map
        rows = range(lo + skip_first, hi - skip_last)
        return [line_piece(source, starts, i) for i in rows if i < len(starts) - 1]

    def unquote(p: Piece) -> Piece:
        return p.drop(_QUOTE) if quote else p

    for tok in tokens:
        t = tok.type
        if t == "front_matter":
            front = tok.content
        elif t == "blockquote_open":
            quote += 1
        elif t == "blockquote_close":
            quote -= 1
        elif t in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif t == "list_item_open":
            first_para_in_item = True
        elif t == "heading_open" and tok.map:
            blocks += _heading(tok, [unquote(p) for p in lines(tok, skip_last=tok.markup in ("=", "-"))])
        elif t == "paragraph_open" and tok.map:
            rows = [unquote(p) for p in lines(tok)]
            todo = bool(lists and first_para_in_item and rows and _TODO_BOX.match(rows[0].text))
            if lists and first_para_in_item and rows:
                rows[0] = rows[0].drop(_LIST_MARK)
            raw = join_wrapped([r.drop(_INDENT).strip() for r in rows], width)
            piece = clean_inline(raw).strip()
            in_item = bool(lists and first_para_in_item)
            first_para_in_item = False
            kind: BlockKind = "item" if in_item else "para"
            if todo or _LINKS_ONLY.match(raw.text):
                kind = "aside"
            if piece.text:
                blocks.append(Block(kind, piece, lists, tok.map[0]))
        elif t in ("fence", "code_block") and tok.map:
            fenced = t == "fence"
            rows = [unquote(p) for p in lines(tok, skip_first=fenced, skip_last=fenced)]
            if fenced and tok.map[1] - tok.map[0] >= 2:
                # an unclosed fence runs to the end of the document: keep its last line too
                last = unquote(line_piece(source, starts, tok.map[1] - 1))
                rows += [last] if not last.text.strip().startswith(tok.markup) else []
            blocks += _code_blocks(tok, rows, lists)
        elif t == "thead_open":
            header = []
        elif t == "thead_close":
            header, columns = None, header or []
        elif t == "table_close":
            columns = []
        elif t == "tr_open" and tok.map:
            cells = _cells(clean_inline(unquote(lines(tok)[0]).drop(_PIPES)).strip())
            if header is not None:
                header.extend(c.text for c in cells)
                continue
            row = _row(cells, columns)
            if row.text and not set(row.text) <= set("-:;| "):
                blocks.append(Block("row", row, lists, tok.map[0]))
    return front, blocks


def _heading(tok: Token, rows: list[Piece]) -> list[Block]:
    """A heading's block: an ATX heading's #s dropped, a setext one's underline already left out."""
    assert tok.map is not None
    rows = [p.drop(_ATX).drop(_ATX_CLOSE) if tok.markup not in ("=", "-") else p for p in rows]
    piece = drop_emoji(clean_inline(join_lines([p.strip() for p in rows])))
    return [Block("heading", piece, int(tok.tag[1]), tok.map[0])] if piece.text else []


def _code_blocks(tok: Token, rows: list[Piece], lists: int) -> list[Block]:
    """A fence or an indented block's lines as blocks: code, an aside (a diagram's source), or
    the text a ```text fence holds."""
    assert tok.map is not None
    info = tok.info.strip().split(" ")[0].lower() if tok.type == "fence" else "python"
    if info in _TEXT_FENCES and _prose(rows):
        return _fenced_text(rows, lists, tok.map[0] + 1)
    kind: BlockKind = "aside" if info in _DIAGRAMS else "code"  # a flow chart's source is not recited
    piece = join_lines(rows)
    return [Block(kind, piece, lists, tok.map[0])] if piece.text.strip() else []


def _prose(rows: list[Piece]) -> bool:
    """Whether a fence holds Chinese prose (an answer outline kept in a box), not code."""
    lines = [r.text for r in rows if r.text.strip()]
    return bool(lines) and sum(bool(_CJK_RUN.search(t)) for t in lines) * 2 >= len(lines)


def _fenced_text(rows: list[Piece], level: int, first_line: int) -> list[Block]:
    """A fenced box of prose as one block per line: "1. 概念解释：清晰定义" is a point."""
    out = []
    for n, row in enumerate(rows):
        marked = _LIST_MARK.match(row.text)
        piece = clean_inline(row.drop(_LIST_MARK).drop(_ATX).strip()).strip()
        if piece.text:
            out.append(Block("item" if marked else "para", piece, level + bool(marked), first_line + n))
    return out


def _cells(row: Piece) -> list[Piece]:
    """A table row's cells, trimmed (empty ones too, so they line up with the column names)."""
    cells, start = [], 0
    for i, ch in enumerate(row.text + "|"):
        if ch == "|":
            cells.append(row[start:i].strip())
            start = i + 1
    return cells


def _row(cells: list[Piece], columns: list[str]) -> Piece:
    """A row as one checkable point: "贪婪：多样性 低；质量 中" (its first cell names the row).

    With two columns the name is plain enough ("Precision: TP / (TP + FP)"); with more, each cell
    says which column it is. Added text points at the cell it introduces.
    """
    named = [(columns[j] if j < len(columns) and len(cells) > 2 else "", c) for j, c in enumerate(cells)]
    named = [(name, c) for name, c in named if c.text]
    if not named:
        return Piece("", ())
    zh = is_cjk(" ".join(c.text for _, c in named[:8]) + " ".join(columns[:8]))
    parts = [named[0][1]]
    for n, (name, cell) in enumerate(named[1:]):
        glue = ("：" if zh else ": ") if n == 0 else ("；" if zh else "; ")
        label = glue + (f"{name} " if name else "")
        parts.append(Piece(label, (cell.offsets[0],) * len(label)))
        parts.append(cell)
    return concat(parts)  # joined once: a row of 100k cells must not cost 100k growing copies
