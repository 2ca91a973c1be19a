"""The verdict of a true/false question: does the answer say what the reference says?

Embeddings barely see negation: "这个说法正确" and "这个说法错误" sit close together, so a
judged statement ("判断以下叙述是否正确，并做出解释", "True or false: ...") is checked in words.
Only the first verdict word near the start of each text counts, and only when the question asks
for one; anything else is None, and no cap follows.

    question "判断正误：Dropout 在推理时也随机丢弃神经元。"  reference "错误。推理时保留全部神经元。"
    answer "正确，推理时也会丢弃。" -> contradicts;  answer "不对，推理时全部保留。" -> agrees
"""

import re
from typing import Literal

Verdict = Literal["agrees", "contradicts"]

_ASKS = re.compile(
    r"判断.{0,20}(?:正确|正误|对错|对不对|真假|成立)|是否正确|对吗|对不对|正确吗|"
    r"true or false|true/false|correct or incorrect|right or wrong|"
    r"is (?:it|this|the statement) (?:true|correct)",
    re.I,
)
# negated forms first: the leftmost match wins and "不正确" must not read as "正确"
_WORD = re.compile(
    r"(?P<no>不正确|不对|错误|不成立|错的|^\s*错|"
    r"\bnot (?:true|correct)\b|\bincorrect\b|\bfalse\b|\bwrong\b|^\s*no\b)"
    r"|(?P<yes>正确|对的|成立|\btrue\b|\bcorrect\b|^\s*yes\b|^\s*对)",
    re.I,
)
HEAD = 60  # a verdict stated later than this is part of the explanation, not the answer


def verdict_of(text: str) -> bool | None:
    """True, False, or None when the start of the text states no verdict."""
    m = _WORD.search(text[:HEAD])
    return None if m is None else m.group("yes") is not None


def compare(question: str, reference: str, answer: str) -> Verdict | None:
    if not _ASKS.search(question):
        return None
    expected, given = verdict_of(reference), verdict_of(answer)
    if expected is None or given is None:
        return None
    return "agrees" if expected == given else "contradicts"
