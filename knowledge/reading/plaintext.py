"""Plain-text notes (no Markdown headings) to Blocks, by line rules.

Handles notes like:
    📘 Title                 -> heading 1 (a line that starts with an emoji)
    一、Section              -> heading 2
    1. Question              -> heading 3, while the numbers run 1, 2, 3 within a section
    answer lines             -> one paragraph per line (each line is usually one point), unless
                                the text is hard-wrapped: then a sentence's lines are one paragraph
A "1." out of sequence is a list item in an answer, not a new question.
"""

import bisect
import re
import unicodedata

from knowledge.reading.blocks import Block, line_piece, line_starts
from knowledge.reading.spans import Piece, drop_emoji, weight
from knowledge.reading.unwrap import continues, glue, wrap_width

_SECTION = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+[、.．]|第[一二三四五六七八九十\d]+[章节部分篇])\s*\S"
)
_NUMBERED = re.compile(r"^\s*(\d{1,3})\s*(?:[.、．)）]|\s)\s*\S")
_QUESTION_LINE = re.compile(r"[?？]\s*$")
_ASKS = re.compile(r"[?？]\s*$|什么|为什么|如何|怎么|哪些|是否")
_BULLET = re.compile(r"^\s*[-*•·]\s+")
_CODE = re.compile(
    r"^\s*(?:from \S+ import|import \w|def \w|class \w|return\b|print\(|for .+ in .+:|"
    r"if .+:$|with .+:$|else:|elif .+:|\w[\w.\[\]'\"]*\s*[+\-*/]?=\s*\S|\w+(?:\.\w+)+\(.*\)\s*$|[{}\])]+\s*$)"
)


def parse_plaintext(source: str) -> list[Block]:
    starts = line_starts(source)
    width = wrap_width(source)
    blocks: list[Block] = []
    last_number = 0
    list_number = 0  # a numbered list inside the current answer ("1. 增加数据", "2. 正则化")
    after_heading = True  # a "1." right after a title/section starts the numbering
    previous_blank = True
    above, open_line = "", -1  # the line before, as written; the last line of text a line may continue
    code: list[Piece] = []
    wrapped: list[Piece] = []  # lines continuing the last block's sentence, joined once it ends

    def flush() -> None:
        if wrapped:  # joined once: a CSV of 100k lines must not rebuild a growing paragraph per line
            last = blocks[-1]
            blocks[-1] = Block(last.kind, glue([last.piece, *wrapped]), last.level, last.line)
            wrapped.clear()
        if code:
            first = code[0].offsets[0]
            end = code[-1].offsets[-1] + 1
            blocks.append(Block("code", Piece.of(source, first, end), 0, _line_of(starts, first)))
            code.clear()

    for i in range(len(starts) - 1):
        raw = line_piece(source, starts, i)
        piece = raw.strip()
        if not piece.text:
            previous_blank = True
            continue
        text = piece.text
        numbered = _NUMBERED.match(text)
        if _starts_with_emoji(text):
            flush()
            blocks.append(Block("heading", drop_emoji(piece) or piece, 1, i))
            after_heading, last_number = True, 0
        elif _SECTION.match(text) and weight(text) <= 40:
            flush()
            blocks.append(Block("heading", piece, 2, i))
            after_heading, last_number = True, 0
        elif numbered and _starts_question(
            int(numbered.group(1)), text, last_number, list_number, after_heading
        ):
            flush()
            blocks.append(Block("heading", piece, 3, i))
            last_number, list_number, after_heading = int(numbered.group(1)), 0, False
        elif _QUESTION_LINE.search(text) and previous_blank and weight(text) <= 60 and not code:
            flush()
            blocks.append(Block("heading", piece, 3, i))
            after_heading = False
        elif _CODE.match(text) and not _has_cjk_prose(text):
            if wrapped:
                flush()
            code.append(raw)
        elif open_line == i - 1 and not previous_blank and continues(above, text, width):
            wrapped.append(piece)  # the same sentence, wrapped onto this line
            open_line = i
        else:
            flush()
            if numbered:
                list_number = int(numbered.group(1))
            if numbered or _BULLET.match(text):
                item = piece.drop(re.compile(r"^(\s*(?:\d{1,3}\s*[.、．)）]|[-*•·])\s*)"))
                blocks.append(Block("item", item, 1, i))
            else:
                blocks.append(Block("para", piece, 0, i))
            open_line = i
        previous_blank, above = False, text
    flush()
    return blocks


def _starts_question(number: int, text: str, last: int, in_list: int, after_heading: bool) -> bool:
    """Whether "N. text" is the next question rather than the next line of a list in an answer."""
    if in_list and number == in_list + 1 and not _ASKS.search(text):
        return False
    return number == last + 1 or (number == 1 and after_heading)


def _starts_with_emoji(text: str) -> bool:
    return unicodedata.category(text[0]) == "So" or 0x1F000 <= ord(text[0]) <= 0x1FAFF


def _has_cjk_prose(text: str) -> bool:
    # "损失 = 交叉熵加上正则项" is prose with an "x = y" shape; Chinese inside quotes is not
    return bool(re.search(r"[\u4e00-\u9fff]{4}", re.sub(r"[\"'].*?[\"']", "", text)))


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1
