"""An answer to the clauses the grader matches rubric points against.

Splits at sentence ends (。！？；.!?;), line breaks and bullets; fenced code stays one clause.
Long sentences also give their comma-separated parts as extra clauses: a point matched by half
a sentence should not be diluted by the other half.

    split_clauses("BERT 是编码器，用 MLM 预训练。GPT 是解码器") ->
        ["BERT 是编码器，用 MLM 预训练", "GPT 是解码器"]
"""

import re

from knowledge.reading.spans import weight

_FENCE = re.compile(r"```.*?(?:```|$)", re.S)
_SENTENCE = re.compile(r"(?<=[。！？!?；;])|(?<=[a-z0-9)\]])\.(?=\s)|\n+")
_BULLET = re.compile(r"^\s*(?:[-*+•·]|\d{1,3}[.)、])\s+")
_COMMA = re.compile(r"[，,、]|\s+(?:and|but|while|because|so|which)\s+")
SUBCLAUSE_WEIGHT = 24  # sentences heavier than this also contribute their parts
MAX_CLAUSES = 64  # a pasted essay is graded on its first 64 clauses, not all of it


def split_clauses(answer: str) -> list[str]:
    clauses: list[str] = []
    pos = 0
    for m in _FENCE.finditer(answer):
        clauses += _prose(answer[pos : m.start()])
        clauses.append(m.group(0).strip())
        pos = m.end()
    clauses += _prose(answer[pos:])
    unique = list(dict.fromkeys(c for c in clauses if c))
    return unique[:MAX_CLAUSES]


def _prose(text: str) -> list[str]:
    out = []
    for raw in _SENTENCE.split(text):
        sentence = _BULLET.sub("", raw).strip(" \t。；;，,.")
        if not sentence:
            continue
        out.append(sentence)
        if weight(sentence) > SUBCLAUSE_WEIGHT:
            parts = [p.strip() for p in _COMMA.split(sentence) if p and p.strip()]
            if len(parts) > 1:
                out += [p for p in parts if weight(p) >= 4]
    return out
