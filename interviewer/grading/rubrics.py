"""Where a rubric comes from: the item's own points, related notes' points, or a reference text.

Point vectors come from the index whenever the points are in it; only a free-standing
reference text (the `grade --reference` command, eval files) is embedded here.
"""

import numpy as np

from interviewer.grading.grader import KIND, GradePoint, Rubric
from knowledge.index.embedder import Embedder
from knowledge.index.knowledge_base import KnowledgeBase
from knowledge.items import QuestionItem
from knowledge.reading.notes import reference_points

MAX_RELATED_POINTS = 6
MAX_RELATED_ITEMS = 2


def rubric_for(kb: KnowledgeBase, item: QuestionItem, embedder: Embedder, min_similarity: float) -> Rubric:
    """The item's own rubric, or for a question-only item the closest answered items' points."""
    if item.rubric:
        points = [_point(item, n) for n in range(len(item.rubric))]
        return Rubric(points, kb.point_vectors(item.id), "item", texts=[item.answer])
    query = embedder.encode([item.question], KIND)[0]
    chosen: list[tuple[QuestionItem, int]] = []
    items: list[str] = []
    for hit in kb.search_points(query, limit=40):
        if hit.item_id == item.id or hit.point is None or hit.score < min_similarity:
            continue
        if hit.item_id not in items and len(items) == MAX_RELATED_ITEMS:
            continue
        items += [hit.item_id] if hit.item_id not in items else []
        chosen.append((kb.item(hit.item_id), hit.point))
        if len(chosen) == MAX_RELATED_POINTS:
            break
    if not chosen:
        return Rubric([], np.zeros((0, kb.manifest.dim), np.float32), "related")
    vectors = np.vstack([kb.point_vectors(other.id)[[n]] for other, n in chosen])
    return Rubric([_point(other, n) for other, n in chosen], vectors, "related")


def reference_rubric(references: list[str], embedder: Embedder) -> Rubric:
    """Rubric points of one or more reference answers, by the same rules as notes. Several
    references are alternatives: each keeps its own points, and an answer is graded against
    the one it comes nearest (Grader.signals)."""
    refs = [r for r in references if r.strip()]
    pairs = [
        (k, t) for k, ref in enumerate(refs) for t in dict.fromkeys(p.text for p in reference_points(ref))
    ]
    vectors = (
        embedder.encode([t for _, t in pairs], KIND) if pairs else np.zeros((0, embedder.dim), np.float32)
    )
    points = [GradePoint(text=t, source="reference") for _, t in pairs]
    return Rubric(points, vectors, "reference", alternative=[k for k, _ in pairs], texts=refs)


def _point(item: QuestionItem, n: int) -> GradePoint:
    p = item.rubric[n]
    return GradePoint(text=p.text, source=item.source, heading=item.heading, line=p.line)
