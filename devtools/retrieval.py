"""Retrieval benchmark: searched with its own question, is each answered item found?

Over rubric points alone (answer content only; the question's words are not there to match):
this is what grading a question-only item against related notes relies on, and what the
"fits another question" cap searches.
"""

import time

from knowledge.index.embedder import Embedder
from knowledge.index.knowledge_base import POINT_KIND, KnowledgeBase


def retrieval_bench(kb: KnowledgeBase, embedder: Embedder) -> dict[str, float | int | str]:
    items = [i for i in kb.items if i.rubric]
    started = time.perf_counter()
    queries = embedder.encode([i.question for i in items], POINT_KIND)
    ranks: list[int | None] = []
    for item, q in zip(items, queries, strict=True):
        ranked: list[str] = []
        for hit in kb.search_points(q, limit=50):
            if hit.item_id not in ranked:
                ranked.append(hit.item_id)
        ranks.append(ranked.index(item.id) + 1 if item.id in ranked[:5] else None)
    seconds = time.perf_counter() - started

    def share(k: int) -> float:
        return round(sum(1 for r in ranks if r is not None and r <= k) / max(len(ranks), 1), 3)

    return {
        "embedder": embedder.name,
        "items": len(kb.items),
        "answered_with_points": len(items),
        "points_only_top1": share(1),
        "points_only_top5": share(5),
        "ms_per_query": round(1000 * seconds / max(len(items), 1), 1),
    }
