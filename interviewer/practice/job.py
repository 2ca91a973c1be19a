"""A job description to requirement lines, each matched against the notes through the point index.

A requirement is covered when its closest rubric point is as near as an answer clause must be to
partly cover a point (the grader's calibrated `partly` threshold); otherwise it is a gap, a
topic to write notes for. Lines only: no LLM reads the job description.

    "- Experience with dropout and regularization" -> "What does dropout do?" (0.41, covered)
    "- Kubernetes in production"                   -> gap (closest 0.09)
"""

import re
from dataclasses import dataclass, field

from interviewer.storage.session import Requirement
from knowledge.index.embedder import Embedder
from knowledge.index.knowledge_base import POINT_KIND, KnowledgeBase

MAX_REQUIREMENTS = 40  # a pasted page is trimmed, not embedded whole
HITS = 20  # rubric points looked at per requirement, to rank the questions they belong to
# a leading bullet, number or letter: "- ", "* ", "• ", "1. ", "2) ", "3、", "a) "
_BULLET = re.compile(r"^\s*(?:[-*•·+]|\d{1,2}[.)、]|[a-z][.)])\s*")


@dataclass
class JobMatch:
    requirements: list[Requirement] = field(default_factory=list)
    relevance: dict[str, float] = field(default_factory=dict)  # item id -> its best covered similarity


def requirements(text: str) -> list[str]:
    """The description's lines as requirements: bullets stripped; headings ("Requirements:"),
    blank and one-word-fragment lines dropped; repeats once."""
    out: list[str] = []
    for raw in text.splitlines():
        line = _BULLET.sub("", raw.strip().lstrip("#").strip()).strip()
        if len(line) < 4 or line.endswith((":", "：")) or line in out:
            continue
        out.append(line)
    return out[:MAX_REQUIREMENTS]


def match(kb: KnowledgeBase, embedder: Embedder, lines: list[str], threshold: float) -> JobMatch:
    result = JobMatch()
    if not lines or not kb.items:
        result.requirements = [Requirement(text=line) for line in lines]
        return result
    for line, vector in zip(lines, embedder.encode(lines, POINT_KIND), strict=True):
        hits = kb.search_points(vector, limit=HITS)
        best = hits[0] if hits else None
        if best is None or best.score < threshold:
            result.requirements.append(Requirement(text=line, similarity=round(best.score if best else 0, 3)))
            continue
        result.requirements.append(
            Requirement(
                text=line,
                item_id=best.item_id,
                question=kb.item(best.item_id).question,
                similarity=round(best.score, 3),
            )
        )
        for hit in hits:
            if hit.score >= threshold:
                result.relevance[hit.item_id] = max(result.relevance.get(hit.item_id, 0.0), hit.score)
    return result
