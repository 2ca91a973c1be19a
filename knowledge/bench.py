"""Retrieval benchmark: searched with its own question, is each item found?

Two figures: over chunks (question + answer text, what search uses), and over rubric points
alone (answer content only, the question's words are not there to match; this is what grading
a question-only item against related notes relies on).
"""

import time

from knowledge.base import POINT_KIND, KnowledgeBase
from knowledge.embedder import Embedder


def retrieval_bench(kb: KnowledgeBase, embedder: Embedder) -> dict[str, float | int | str]:
    items = kb.items
    started = time.perf_counter()
    queries = embedder.encode([i.question for i in items], "query")
    # points are searched the way grading a question-only item searches them
    point_queries = embedder.encode([i.question for i in items], POINT_KIND)
    chunk_ranks = []
    point_ranks = []
    for item, q, pq in zip(items, queries, point_queries, strict=True):
        found = [h.item_id for h in kb.search(q, limit=5)]
        chunk_ranks.append(found.index(item.id) + 1 if item.id in found else None)
        if item.rubric:
            ranked: list[str] = []
            for hit in kb.search_points(pq, limit=50):
                if hit.item_id not in ranked:
                    ranked.append(hit.item_id)
            point_ranks.append(ranked.index(item.id) + 1 if item.id in ranked[:5] else None)
    seconds = time.perf_counter() - started

    def share(ranks: list[int | None], k: int) -> float:
        return round(sum(1 for r in ranks if r is not None and r <= k) / max(len(ranks), 1), 3)

    return {
        "embedder": embedder.name,
        "items": len(items),
        "chunks_top1": share(chunk_ranks, 1),
        "chunks_top5": share(chunk_ranks, 5),
        "answered_with_points": len(point_ranks),
        "points_only_top1": share(point_ranks, 1),
        "points_only_top5": share(point_ranks, 5),
        "ms_per_query": round(1000 * seconds / max(len(items), 1), 1),
    }
