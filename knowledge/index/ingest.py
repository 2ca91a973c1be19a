"""ingest(): a notes folder in, its KnowledgeBase (knowledge_base.py) saved on disk out.

Only files whose content changed since the saved index (same embedder, same parser) are
parsed and embedded again; stored vectors are reused for the rest, items of removed files are
dropped, and the whole is saved atomically (on_disk.py). What is embedded is what is read: each
rubric point, once, with the symmetric prompt.
"""

import hashlib
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from knowledge.index import on_disk
from knowledge.index.embedder import Embedder, Kind
from knowledge.index.knowledge_base import POINT_KIND, KnowledgeBase, open_kb
from knowledge.index.on_disk import CorruptIndex, FileEntry, Manifest, Payload, PointRow
from knowledge.index.vectors import VectorIndex
from knowledge.items import FileReport, IngestSummary, QuestionItem
from knowledge.reading.converters import cite, file_digest, read_document
from knowledge.reading.files import NotesFileError, find_notes
from knowledge.reading.notes import parse_note

log = logging.getLogger(__name__)
BATCH = 256  # texts per call to the embedder, which orders each call by tokens
GROUP = 256  # points embedded before the questions so far are handed to on_partial...
FIRST_GROUP = 32  # ...but the first: questions to start on within seconds, even at nice 19


def index_dir(data_dir: Path, notes_root: Path, embedder: str) -> Path:
    """Where the index of one notes folder, built by one embedder, lives in the data folder."""
    root = notes_root.resolve()
    key = hashlib.sha1(f"{root}\x1f{embedder}".encode()).hexdigest()[:10]
    return data_dir / "indexes" / f"{root.name or 'notes'}-{embedder}-{key}"


def up_to_date(notes_root: Path, embedder: Embedder, folder: Path) -> bool:
    """Whether ingest() would embed nothing: the index was built by this embedder and parser,
    and every readable file is unchanged since (each read and hashed, none parsed). Files
    removed since embed nothing either."""
    old = _previous(folder, embedder)
    if old is None:
        return False
    base = notes_root if notes_root.is_dir() else notes_root.parent
    for path in find_notes(notes_root):
        rel = path.relative_to(base).as_posix()
        if _printable(rel) != rel:
            continue
        try:
            digest = file_digest(path)
        except NotesFileError:
            continue
        before = old.manifest.files.get(rel)
        if before is None or before.sha256 != digest:
            return False
    return True


def ingest(
    notes_root: Path,
    embedder: Embedder,
    folder: Path,
    progress: bool = False,
    on_partial: Callable[[KnowledgeBase], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[KnowledgeBase, IngestSummary]:
    """The notes' KnowledgeBase, saved. New questions are embedded a group at a time, and
    `on_partial` gets those ready so far after each group but the last (in memory only, not
    saved), so an interview can start on them while the rest follow. `progress` draws a tqdm
    bar; `on_progress` is told (texts embedded, texts to embed) instead, where no bar can be
    seen (another process)."""
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
    root = _printable(str(notes_root.resolve()))

    def knowledge(payload: Payload, vectors: np.ndarray) -> KnowledgeBase:
        manifest = Manifest(
            embedder=embedder.name,
            dim=embedder.dim,
            notes_root=root,
            files=entries,
            items=len(payload.items),
            answered=sum(i.answered for i in payload.items),
            rubric_points=len(payload.points),
            built_at="",
            data={},
        )
        return KnowledgeBase(manifest, payload, VectorIndex.build(vectors, embedder.dim))

    partial = (lambda payload, vectors: on_partial(knowledge(payload, vectors))) if on_partial else None
    kb = knowledge(*_assemble(keep, fresh, old, embedder, progress, partial, on_progress))
    on_disk.save(folder, kb.manifest, kb.payload, kb.point_index)
    manifest = kb.manifest
    summary = IngestSummary(
        files=[FileReport(**e.model_dump(exclude={"sha256"})) for e in entries.values()],
        items=manifest.items,
        answered=manifest.answered,
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
    return old if old.manifest.parser == on_disk.PARSER_VERSION else None


def _printable(name: str) -> str:
    """A file name as valid text: bytes that aren't UTF-8 shown as \\xff escapes.

    Linux hands such bytes over as lone surrogates, which the JSON manifest (and an item's id
    hash) can't hold; a name with none comes back unchanged.
    """
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _read_one(path: Path, rel: str, old: KnowledgeBase | None) -> tuple[FileEntry, list[QuestionItem], bool]:
    try:
        digest = file_digest(path)  # a PDF is converted only when it changed
        before = old.manifest.files.get(rel) if old else None
        if old and before and before.sha256 == digest:
            items = [i for i in old.items if i.source == rel]
            return before, items, True
        doc = read_document(path)
    except NotesFileError as e:
        return FileEntry(path=rel, error=str(e)), [], False
    try:
        items, warning = parse_note(doc.text, rel, folder=path.parent.name)
        items = cite(items, doc)
    except Exception as e:  # a parser bug must cost one file, never the whole ingest
        log.exception("parsing %s failed", rel)
        return FileEntry(path=rel, sha256=digest, error=f"could not parse ({type(e).__name__})"), [], False
    entry = FileEntry(
        path=rel,
        sha256=digest,
        items=len(items),
        answered=sum(i.answered for i in items),
        rubric_points=sum(len(i.rubric) for i in items),
        error=warning or doc.warning or (None if items else "no questions found in this file"),
    )
    return entry, items, False


def _assemble(
    keep: list[QuestionItem],
    fresh: list[QuestionItem],
    old: KnowledgeBase | None,
    embedder: Embedder,
    progress: bool,
    partial: Callable[[Payload, np.ndarray], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[Payload, np.ndarray]:
    def points_of(items: list[QuestionItem]) -> list[PointRow]:
        return [PointRow(item_id=i.id, point=n) for i in items for n in range(len(i.rubric))]

    vectors = [np.zeros((0, embedder.dim), np.float32)]
    if old and keep:
        kept = {i.id for i in keep}
        rows = [r for r, p in enumerate(old.payload.points) if p.item_id in kept]
        vectors = [old.point_index.vectors(rows)]
    total = len({p.text for i in fresh for p in i.rubric})
    bar = None
    if progress and total:
        from tqdm import tqdm  # type: ignore[import-untyped]

        bar = tqdm(total=total, desc="embedding notes", unit="text", file=sys.stderr)
    done: dict[str, np.ndarray] = {}  # a text in two groups is embedded once

    def embedded(n: int) -> None:
        if bar:
            bar.update(n)
        if on_progress:
            on_progress(len(done), total)

    if total:
        embedded(0)
    batches = _groups(fresh, FIRST_GROUP, GROUP)
    for n, items in enumerate(batches):
        group_texts = [p.text for i in items for p in i.rubric]
        _embed([t for t in group_texts if t not in done], embedder, POINT_KIND, done, embedded)
        vectors.append(np.array([done[t] for t in group_texts], np.float32).reshape(-1, embedder.dim))
        if partial and n < len(batches) - 1:
            so_far = keep + [i for g in batches[: n + 1] for i in g]
            partial(Payload(items=so_far, points=points_of(so_far)), np.vstack(vectors))
    if bar:
        bar.close()
    return Payload(items=keep + fresh, points=points_of(keep + fresh)), np.vstack(vectors)


def _groups(items: list[QuestionItem], first: int, points: int) -> list[list[QuestionItem]]:
    """Items in the notes' order, cut at `first` points, then every `points`; a question whole."""
    groups: list[list[QuestionItem]] = [[]]
    size = 0
    for item in items:
        if size >= (first if len(groups) == 1 else points):
            groups.append([])
            size = 0
        groups[-1].append(item)
        size += len(item.rubric)
    return groups


def _embed(
    texts: list[str],
    embedder: Embedder,
    kind: Kind,
    into: dict[str, np.ndarray],
    embedded: Callable[[int], None],
) -> None:
    """Each distinct text once, in batches of similar length: a batch is padded to its longest
    text, so mixing a 200-token point with 10-token ones costs the short ones 20x their work.
    Characters only roughly say tokens (Chinese and English differ ~4x), so the batches are
    wide and the embedder orders each by tokens."""
    unique = sorted(dict.fromkeys(texts), key=len)
    for start in range(0, len(unique), BATCH):
        chunk = unique[start : start + BATCH]
        into.update(zip(chunk, embedder.encode(chunk, kind), strict=True))
        embedded(len(chunk))
