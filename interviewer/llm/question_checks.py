"""Is a question the LLM wrote for a section of notes usable? Checks in words, and one in vectors.

    check(text, item)       one question, in the notes' language, not the heading again, not
                            pointing at notes the candidate can't see ("这段代码"), not
                            stating one of the section's points
    grounded(v, kb, item)   the section's own points are among the closest to the question in
                            all the notes: it can be answered, and graded, from that section

Small models write statements, echo the heading ("GELU？"), or ask about something the section
doesn't say; each of those is caught here, and the template question is used instead.
"""

import re

import numpy as np

from interviewer.grading.features import words
from knowledge.index.knowledge_base import KnowledgeBase
from knowledge.items import QuestionItem
from knowledge.reading.spans import is_cjk

MAX_CHARS = {"zh": 80, "en": 200}
GIVES_AWAY = 0.6  # this share of a point's own words (those the headings don't say) states it
MIN_SECRET_WORDS = 4  # a point with fewer new words can't be given away by a share of them
NEAREST = 10  # grounded: the section's points among this many closest points of the notes (at most)
_PUNCT = re.compile(r"[\W_]+")
_UNSEEN = re.compile(
    # "7B以上的模型" is a fair question: 以上/以下 only before what would be shown
    r"这段|这一段|该段|上面的|上述|下面的|以[上下](?:代码|内容|公式|笔记)|该代码|这个代码|这些代码|"
    r"\b(?:this|the above|the following|the given|that) (?:code|snippet|function|section|passage|text)\b",
    re.I,
)


def check(text: str, item: QuestionItem) -> str | None:
    """Why a written question can't be used, or None when it can."""
    if not text:
        return "empty"
    if len(text) > MAX_CHARS[item.language]:
        return "too long"
    if not re.search(r"[?？]\s*$", text):
        return "not a question"
    if len(re.findall(r"[?？]", text)) > 1 or re.search(r"[。！!]|\.\s", text):
        return "more than one sentence"
    if is_cjk(text) != (item.language == "zh"):
        return "not in the notes' language"
    if "›" in text:
        return "repeats the heading"
    if _UNSEEN.search(text):  # the candidate is asked, never shown, the notes
        return "points at notes the candidate can't see"
    core = _PUNCT.sub("", text.lower())
    for heading in item.heading_path:
        head = _PUNCT.sub("", heading.lower())
        if head and head in core and len(core) <= len(head) + 2:
            return "repeats the heading"
    mine, known = words(text), words(" ".join(item.heading_path))
    for point in item.rubric:
        secret = words(point.text) - known
        if len(secret) >= MIN_SECRET_WORDS and len(mine & secret) / len(secret) >= GIVES_AWAY:
            return "gives the answer away"
    return None


def grounded(question: np.ndarray, kb: KnowledgeBase, item: QuestionItem) -> bool:
    """Whether the section's own points are among the notes' points nearest the question
    (embedded like them): then the section answers it, and its points can grade it. Among the
    nearest tenth of them, at most NEAREST: in a small folder, every point is near."""
    limit = max(1, min(NEAREST, kb.point_index.count // 10))
    return any(hit.item_id == item.id for hit in kb.search_points(question, limit=limit))
