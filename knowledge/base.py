"""KnowledgeBase: notes folder in, searchable items, chunks and rubric points out.

ingest() parses and embeds only files whose content changed since the saved index (same
embedder), reuses stored vectors for the rest, drops items of removed files, and saves
atomically (see store.py). Chunks embed "question + a slice of the answer" with the document
prompt; rubric points embed on their own with the symmetric prompt, so the grader can match
answer clauses to them.
"""

import hashlib
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge import store
from knowledge.embedder import Embedder, Kind
from knowledge.files import NotesFileError, find_notes, read_note
from knowledge.index import VectorIndex
from knowledge.items import FileReport, IngestSummary, QuestionItem, SearchHit
from knowledge.notes import parse_note
from knowledge.store import ChunkRow, CorruptIndex, FileEntry, Manifest, Payload, PointRow

log = logging.getLogger(__name__)
# rubric points are compared with answer clauses, text of the same sort: the symmetric prompt
POINT_KIND: Kind = "sts"
CHUNK_CHARS = 600  # long answers are split into slices of about this many characters


@dataclass
class KnowledgeBase:
    manifest: Manifest
    payload: Payload
    chunk_index: VectorIndex
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

    def search(self, query: np.ndarray, limit: int = 5) -> list[SearchHit]:
        """Items closest to a query vector, best chunk per item, best first."""
        hits: dict[str, SearchHit] = {}
        for row, score in self.chunk_index.search(query[None, :], limit * 4)[0]:
            chunk = self.payload.chunks[row]
            if chunk.item_id not in hits:
                item = self.by_id[chunk.item_id]
                hits[chunk.item_id] = SearchHit(
                    item_id=item.id,
                    score=score,
                    kind="chunk",
                    text=chunk.text,
                    source=item.source,
                    heading=item.heading,
                )
        return list(hits.values())[:limit]

    def search_points(self, query: np.ndarray, limit: int = 10) -> list[SearchHit]:
        """Rubric points closest to a query vector, best first."""
        out = []
        for row, score in self.point_index.search(query[None, :], limit)[0]:
            ref = self.payload.points[row]
            item = self.by_id[ref.item_id]
            out.append(
                SearchHit(
                    item_id=item.id,
                    score=score,
                    kind="point",
                    text=item.rubric[ref.point].text,
                    source=item.source,
                    heading=item.heading,
                    point=ref.point,
                )
            )
        return out


def index_dir(data_dir: Path, notes_root: Path, embedder: str) -> Path:
    """Where the index of one notes folder, built by one embedder, lives in the data folder."""
    root = notes_root.resolve()
    key = hashlib.sha1(f"{root}\x1f{embedder}".encode()).hexdigest()[:10]
    return data_dir / "indexes" / f"{root.name or 'notes'}-{embedder}-{key}"


def open_kb(folder: Path, embedder: Embedder) -> KnowledgeBase:
    manifest, payload, chunks, points = store.load(folder)
    if (manifest.embedder, manifest.dim) != (embedder.name, embedder.dim):
        raise CorruptIndex(f"built with {manifest.embedder}, not {embedder.name}")
    return KnowledgeBase(manifest, payload, chunks, points)


def ingest(
    notes_root: Path, embedder: Embedder, folder: Path, progress: bool = False
) -> tuple[KnowledgeBase, IngestSummary]:
    started = time.perf_counter()
    old = _previous(folder, embedder)
    files = find_notes(notes_root)
    base = notes_root if notes_root.is_dir() else notes_root.parent
    entries: dict[str, FileEntry] = {}
    keep: list[QuestionItem] = []  # items of unchanged files: vectors reused
    fresh: list[QuestionItem] = []  # items of new or changed files: embedded now
    for path in files:
        rel = path.relative_to(base).as_posix()
        shown = _printable(rel)
        if shown != rel:
            error = "file name is not valid UTF-8; rename it to index it"
            entries[shown] = FileEntry(path=shown, error=error)
            continue
        entry, items, reused = _read_one(path, rel, old)
        entries[rel] = entry
        (keep if reused else fresh).extend(items)
    payload, vectors = _assemble(keep, fresh, old, embedder, progress)
    dim = embedder.dim
    chunks = VectorIndex.build(vectors[0], dim)
    points = VectorIndex.build(vectors[1], dim)
    manifest = Manifest(
        embedder=embedder.name,
        dim=dim,
        notes_root=_printable(str(notes_root.resolve())),
        files=entries,
        items=len(payload.items),
        answered=sum(i.answered for i in payload.items),
        chunks=len(payload.chunks),
        rubric_points=len(payload.points),
        built_at="",
        data={},
    )
    store.save(folder, manifest, payload, chunks, points)
    kb = KnowledgeBase(manifest, payload, chunks, points)
    summary = IngestSummary(
        files=[FileReport(**e.model_dump(exclude={"sha256"})) for e in entries.values()],
        items=manifest.items,
        answered=manifest.answered,
        chunks=manifest.chunks,
        rubric_points=manifest.rubric_points,
        seconds=round(time.perf_counter() - started, 2),
        embedder=embedder.name,
        reused_files=len({i.source for i in keep}),
        embedded_files=len({i.source for i in fresh}),
    )
    return kb, summary


def _previous(folder: Path, embedder: Embedder) -> KnowledgeBase | None:
    if not (folder / "manifest.json").exists():
        return None
    try:
        old = open_kb(folder, embedder)
    except CorruptIndex as e:
        log.warning("previous index not usable (%s); rebuilding it from the notes", e)
        return None
    return old if old.manifest.parser == store.PARSER_VERSION else None


def _printable(name: str) -> str:
    """A file name as valid text: bytes that aren't UTF-8 shown as \\xff escapes.

    Linux hands such bytes over as lone surrogates, which the JSON manifest (and an item's id
    hash) can't hold; a name with none comes back unchanged.
    """
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _read_one(path: Path, rel: str, old: KnowledgeBase | None) -> tuple[FileEntry, list[QuestionItem], bool]:
    try:
        text = read_note(path)
    except NotesFileError as e:
        return FileEntry(path=rel, error=str(e)), [], False
    digest = hashlib.sha256(text.encode()).hexdigest()
    before = old.manifest.files.get(rel) if old else None
    if old and before and before.sha256 == digest:
        items = [i for i in old.items if i.source == rel]
        return before, items, True
    try:
        items, warning = parse_note(text, rel)
    except Exception as e:  # a parser bug must cost one file, never the whole ingest
        log.exception("parsing %s failed", rel)
        return FileEntry(path=rel, sha256=digest, error=f"could not parse ({type(e).__name__})"), [], False
    entry = FileEntry(
        path=rel,
        sha256=digest,
        items=len(items),
        answered=sum(i.answered for i in items),
        rubric_points=sum(len(i.rubric) for i in items),
        error=warning or (None if items else "no questions found in this file"),
    )
    return entry, items, False


def _assemble(
    keep: list[QuestionItem],
    fresh: list[QuestionItem],
    old: KnowledgeBase | None,
    embedder: Embedder,
    progress: bool,
) -> tuple[Payload, tuple[np.ndarray, np.ndarray]]:
    def chunks_of(items: list[QuestionItem]) -> list[ChunkRow]:
        return [ChunkRow(item_id=i.id, text=t) for i in items for t in chunk_texts(i)]

    def points_of(items: list[QuestionItem]) -> list[PointRow]:
        return [PointRow(item_id=i.id, point=n) for i in items for n in range(len(i.rubric))]

    fresh_chunks, fresh_points = chunks_of(fresh), points_of(fresh)
    old_chunks = np.zeros((0, embedder.dim), np.float32)
    old_points = old_chunks
    if old and keep:
        kept = {i.id for i in keep}
        chunk_rows_kept = [r for r, c in enumerate(old.payload.chunks) if c.item_id in kept]
        point_rows_kept = [r for r, p in enumerate(old.payload.points) if p.item_id in kept]
        old_chunks = old.chunk_index.vectors(chunk_rows_kept)
        old_points = old.point_index.vectors(point_rows_kept)
    new_chunks = _embed([c.text for c in fresh_chunks], embedder, "document", progress)
    fresh_by_id = {i.id: i for i in fresh}
    point_texts = [fresh_by_id[p.item_id].rubric[p.point].text for p in fresh_points]
    new_points = _embed(point_texts, embedder, POINT_KIND, progress)
    payload = Payload(
        items=keep + fresh, chunks=chunks_of(keep) + fresh_chunks, points=points_of(keep) + fresh_points
    )
    return payload, (np.vstack([old_chunks, new_chunks]), np.vstack([old_points, new_points]))


def _embed(texts: list[str], embedder: Embedder, kind: Kind, progress: bool, batch: int = 64) -> np.ndarray:
    out = [np.zeros((0, embedder.dim), np.float32)]
    bar = None
    if progress and texts:
        from tqdm import tqdm  # type: ignore[import-untyped]

        bar = tqdm(total=len(texts), desc="embedding notes", unit="text", file=sys.stderr)
    for start in range(0, len(texts), batch):
        out.append(embedder.encode(texts[start : start + batch], kind))
        if bar:
            bar.update(len(texts[start : start + batch]))
    if bar:
        bar.close()
    return np.vstack(out)


def chunk_texts(item: QuestionItem) -> list[str]:
    """What gets embedded for search: the question, plus its answer in slices."""
    body = "\n".join(t for t in (item.answer, item.explanation) if t)
    if not body:
        return [item.question]
    slices, current = [], ""
    for line in body.split("\n"):
        if current and len(current) + len(line) > CHUNK_CHARS:
            slices.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    slices.append(current)
    return [f"{item.question}\n{s}" for s in slices]
