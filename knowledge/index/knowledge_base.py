"""KnowledgeBase: the queries over an indexed notes folder. Building it is ingest.py's job.

Items come with their rubric points; each point's vector sits in one FAISS index, embedded
with the symmetric prompt, so the grader can match answer clauses to points and a question
can find related notes' points.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.index import on_disk
from knowledge.index.embedder import Embedder, Kind
from knowledge.index.on_disk import CorruptIndex, Manifest, Payload
from knowledge.index.vectors import VectorIndex
from knowledge.items import QuestionItem, SearchHit

# rubric points are compared with answer clauses, text of the same sort: the symmetric prompt
POINT_KIND: Kind = "sts"


@dataclass
class KnowledgeBase:
    manifest: Manifest
    payload: Payload
    point_index: VectorIndex

    def __post_init__(self) -> None:
        self.by_id = {item.id: item for item in self.payload.items}
        self._point_rows: dict[str, list[int]] = {}
        for row, p in enumerate(self.payload.points):
            self._point_rows.setdefault(p.item_id, []).append(row)

    @property
    def items(self) -> list[QuestionItem]:
        return self.payload.items

    def item(self, item_id: str) -> QuestionItem:
        return self.by_id[item_id]

    def point_vectors(self, item_id: str) -> np.ndarray:
        """The stored embeddings of an item's rubric points, in rubric order."""
        return self.point_index.vectors(self._point_rows.get(item_id, []))

    def search_points(self, query: np.ndarray, limit: int = 10) -> list[SearchHit]:
        """Rubric points closest to a query vector (embedded with POINT_KIND), best first."""
        out = []
        for row, score in self.point_index.search(query[None, :], limit)[0]:
            ref = self.payload.points[row]
            item = self.by_id[ref.item_id]
            out.append(
                SearchHit(
                    item_id=item.id,
                    score=score,
                    text=item.rubric[ref.point].text,
                    source=item.source,
                    heading=item.heading,
                    point=ref.point,
                )
            )
        return out


def open_kb(folder: Path, embedder: Embedder) -> KnowledgeBase:
    manifest, payload, points = on_disk.load(folder)
    if (manifest.embedder, manifest.dim) != (embedder.name, embedder.dim):
        raise CorruptIndex(f"built with {manifest.embedder}, not {embedder.name}")
    return KnowledgeBase(manifest, payload, points)
