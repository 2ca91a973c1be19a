"""Text that remembers where it came from.

A Piece is cleaned text plus, for every character, its offset in the source file, so a rubric
point cut out of a cleaned answer can still be cited by its exact span in the user's notes.
Cleaning here is per line (markup markers, embeds, links); block structure is markdown-it's job.
"""

import re
from dataclasses import dataclass

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
LATIN_WORD = re.compile(r"[A-Za-z0-9_]+(?:[-'.][A-Za-z0-9_]+)*")


@dataclass(frozen=True)
class Piece:
    text: str
    offsets: tuple[int, ...]  # offsets[i] = source offset of text[i]

    def __post_init__(self) -> None:
        assert len(self.text) == len(self.offsets), "every character needs its source offset"

    @classmethod
    def of(cls, source: str, start: int, end: int) -> "Piece":
        end = min(end, len(source))
        return cls(source[start:end], tuple(range(start, end)))

    @property
    def span(self) -> tuple[int, int]:
        return (self.offsets[0], self.offsets[-1] + 1) if self.offsets else (0, 0)

    def __getitem__(self, s: slice) -> "Piece":
        return Piece(self.text[s], self.offsets[s])

    def strip(self, chars: str | None = None) -> "Piece":
        left = len(self.text) - len(self.text.lstrip(chars))
        right = len(self.text.rstrip(chars))
        return self[left : max(left, right)]

    def drop(self, pattern: re.Pattern[str]) -> "Piece":
        """Remove every match of pattern (group 1 only, if the pattern has groups)."""
        matches = list(pattern.finditer(self.text))
        if not matches:  # most text has no markup: don't rebuild it character by character
            return self
        keep = [True] * len(self.text)
        for m in matches:
            groups = range(1, (pattern.groups or 0) + 1) or [0]
            for g in groups:
                if m.start(g) >= 0:
                    keep[m.start(g) : m.end(g)] = [False] * (m.end(g) - m.start(g))
        return Piece(
            "".join(c for c, k in zip(self.text, keep, strict=True) if k),
            tuple(o for o, k in zip(self.offsets, keep, strict=True) if k),
        )

    def __add__(self, other: "Piece") -> "Piece":
        sep = "" if not self.text or not other.text else " " if _latin_edge(self, other) else ""
        mid = (self.offsets[-1],) if sep else ()
        return Piece(self.text + sep + other.text, self.offsets + mid + other.offsets)


def _latin_edge(a: Piece, b: Piece) -> bool:
    return a.text[-1].isascii() and b.text[0].isascii()


def weight(text: str) -> int:
    """How much a text says: one per CJK character, two per latin word.

    weight("注意力机制") == 5, weight("self attention layer") == 6
    """
    return len(CJK.findall(text)) + 2 * len(LATIN_WORD.findall(text))


def is_cjk(text: str) -> bool:
    return len(CJK.findall(text)) * 4 >= len(LATIN_WORD.findall(text)) and bool(CJK.search(text))


# Inline markup to drop. Each pattern's groups are the characters removed; the rest stays.
# No unclosed "[" or "**" may scan the rest of the line (a 40 KB line of them took minutes):
# link and embed texts stop at the next bracket, a pair's text at the next same marker, and
# every span is bounded. (Nested brackets in link text never worked: it always ended at a "]".)
_CODE_OR_MATH = re.compile(r"(`+)[^`]*?\1|\$\$.*?\$\$|\$[^$\n]+\$")
_EMBED = re.compile(r"(!\[\[[^\[\]]{0,500}+\]\])|(!\[[^\[\]]{0,500}+\]\([^()]{0,2000}+\))")
_LINK = re.compile(r"(\[)[^\[\]\n]{1,500}+(\]\([^()\s]{0,2000}+\))")
_WIKI = re.compile(r"(\[\[(?:[^\[\]|\n]{0,500}+\|)?)[^\[\]\n]{0,500}+(\]\])")
_PAIRS = re.compile(r"(\*\*\*|\*\*|__|==|~~)(?=\S)(?:(?!\1).){0,500}?(?<=\S)(\1)")
_HTML = re.compile(r"(</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>)")
_STRAY_BOLD = re.compile(r"(\*\*+)")


def clean_inline(piece: Piece) -> Piece:
    """Drop Markdown inline markup, keeping code and LaTeX exactly as written.

    clean_inline("**Q** ==K== ![[a.png]] $x_1$") -> "Q K  $x_1$"
    """
    # code and math are protected: swap them out, clean the rest, then put them back
    protected = [m.span() for m in _CODE_OR_MATH.finditer(piece.text)]
    parts: list[Piece] = []
    pos = 0
    for s, e in protected:
        parts.append(_clean_plain(piece[pos:s]))
        chunk = piece[s:e]
        tick = len(chunk.text) - len(chunk.text.lstrip("`"))
        parts.append(chunk[tick : len(chunk.text) - tick] if tick else chunk)
        pos = e
    parts.append(_clean_plain(piece[pos:]))
    return concat(parts)


def concat(parts: list[Piece]) -> Piece:
    """Pieces joined as they are, in linear time (a line of 100k `code` spans has 200k parts)."""
    return Piece("".join(p.text for p in parts), tuple(o for p in parts for o in p.offsets))


# Emoji and what is left of them: a keycap "1️⃣" is a digit, U+FE0F and U+20E3, so dropping the
# symbol alone would leave "1" or a bare "️⃣"; ZWJ sequences and flags go whole.
_EMOJI = re.compile(
    r"([0-9#*]\ufe0f?\u20e3|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u231A\u231B\u23E9-\u23FA]"
    r"|[\ufe0e\ufe0f\u200d\u20e3\U000E0020-\U000E007F])"
)


def drop_emoji(piece: Piece) -> Piece:
    """Headings and questions without emoji: "1️⃣ 贪婪解码" -> "贪婪解码", "🎯 概述" -> "概述"."""
    return piece.drop(_EMOJI).strip()


def _clean_plain(piece: Piece) -> Piece:
    for pattern in (_EMBED, _WIKI, _LINK, _PAIRS, _HTML, _STRAY_BOLD):
        piece = piece.drop(pattern)
    return piece
