"""Markdown source to Blocks, using markdown-it-py for all block structure.

markdown-it tells us what each block is and which lines it spans; we only strip container
prefixes (`> `, list markers, `#`) and inline markup per line, keeping source offsets.
"""

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from knowledge.blocks import Block, join_lines, line_piece, line_starts
from knowledge.pieces import Piece, clean_inline, concat

# Block structure only: we clean inline markup ourselves (pieces.clean_inline), and markdown-it's
# inline pass (tokens nobody reads) took 18 s on a 1 MB line of "[" characters
_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin).disable("inline")

_QUOTE = re.compile(r"^([ \t]*(?:>[ \t]?)+)")
_LIST_MARK = re.compile(r"^([ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+\[[ xX]\])?(?:[ \t]+|$))")
_INDENT = re.compile(r"^([ \t]+)")
_ATX = re.compile(r"^([ \t]{0,3}#{1,6}(?:[ \t]+|$))")
_ATX_CLOSE = re.compile(r"([ \t]+#+[ \t]*)$")
_LONE_CR = re.compile(r"\r(?!\n)")
_PIPES = re.compile(r"^([ \t]*\|)|(\|[ \t]*)$")


def parse_markdown(source: str) -> tuple[str | None, list[Block]]:
    """Return (front-matter text or None, blocks)."""
    starts = line_starts(source)
    # markdown-it breaks lines at a lone \r as well; line_starts only at \n. A blank in its place
    # (same length) keeps both counting the same lines, so a token's line map is our line.
    tokens = _MD.parse(_LONE_CR.sub(" ", source))
    blocks: list[Block] = []
    front: str | None = None
    quote = 0  # blockquote nesting
    lists = 0  # list nesting
    first_para_in_item = False
    header = False  # inside a table's header row: column names are not points

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
            setext = tok.markup in ("=", "-")
            rows = [unquote(p) for p in lines(tok, skip_last=setext)]
            rows = [p.drop(_ATX).drop(_ATX_CLOSE) if not setext else p for p in rows]
            piece = clean_inline(join_lines([p.strip() for p in rows])).strip()
            if piece.text:
                blocks.append(Block("heading", piece, int(tok.tag[1]), tok.map[0]))
        elif t == "paragraph_open" and tok.map:
            rows = [unquote(p) for p in lines(tok)]
            if lists and first_para_in_item and rows:
                rows[0] = rows[0].drop(_LIST_MARK)
            piece = clean_inline(join_lines([r.drop(_INDENT).strip() for r in rows])).strip()
            in_item = bool(lists and first_para_in_item)
            first_para_in_item = False
            if piece.text:
                blocks.append(Block("item" if in_item else "para", piece, lists, tok.map[0]))
        elif t in ("fence", "code_block") and tok.map:
            fenced = t == "fence"
            rows = [unquote(p) for p in lines(tok, skip_first=fenced, skip_last=fenced)]
            if fenced and tok.map[1] - tok.map[0] >= 2:
                # an unclosed fence runs to the end of the document: keep its last line too
                last = line_piece(source, starts, tok.map[1] - 1)
                if not unquote(last).text.strip().startswith(tok.markup):
                    rows.append(unquote(last))
            piece = join_lines(rows)
            if piece.text.strip():
                blocks.append(Block("code", piece, lists, tok.map[0]))
        elif t == "thead_open":
            header = True
        elif t == "thead_close":
            header = False
        elif t == "tr_open" and tok.map and not header:
            row = unquote(lines(tok)[0]).drop(_PIPES)
            row = clean_inline(row).strip()
            row = _cells(row)
            if row.text and not set(row.text) <= set("-:;| "):
                blocks.append(Block("row", row, lists, tok.map[0]))
    return front, blocks


def _cells(row: Piece) -> Piece:
    """Table cells, trimmed, joined by '; '."""
    cells, start = [], 0
    for i, ch in enumerate(row.text + "|"):
        if ch == "|":
            cells.append(row[start:i].strip())
            start = i + 1
    parts: list[Piece] = []
    for cell in (c for c in cells if c.text):
        if parts:  # the separator points at the pipe before the cell
            parts.append(Piece("; ", (cell.offsets[0] - 1,) * 2))
        parts.append(cell)
    return concat(parts)  # joined once: a row of 100k cells must not cost 100k growing copies
