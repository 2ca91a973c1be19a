"""A knowledge base on disk: data files first, then the manifest that names them, atomically.

    manifest.json            which notes, which embedder, per-file hashes, counts, data files
    kb-<gen>.json            items, point rows
    points-<gen>.faiss       one vector per rubric point row
The manifest is written last with os.replace, so a crash mid-save leaves the previous manifest
and its files intact. Every data file's sha256 is in the manifest: a corrupt file is detected
on load, never silently used.
"""

import hashlib
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ValidationError

from knowledge.index.vectors import VectorIndex
from knowledge.items import FileReport, QuestionItem

FORMAT_VERSION = 2  # 2: no chunk index (nothing read it)
PARSER_VERSION = 5  # bump when parsing or embedding changes, so unchanged files are redone


class CorruptIndex(Exception):
    """The saved index can't be trusted; str(e) says why. Rebuild it from the notes."""


class PointRow(BaseModel):
    item_id: str
    point: int  # index into the item's rubric


class Payload(BaseModel):
    items: list[QuestionItem]
    points: list[PointRow]


class FileEntry(FileReport):
    sha256: str = ""


class Manifest(BaseModel):
    format: int = FORMAT_VERSION
    parser: int = PARSER_VERSION
    embedder: str
    dim: int
    notes_root: str
    files: dict[str, FileEntry]
    items: int
    answered: int
    rubric_points: int
    built_at: str
    data: dict[str, str]  # data file name -> sha256


def save(folder: Path, manifest: Manifest, payload: Payload, points: VectorIndex) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    gen = uuid.uuid4().hex[:8]
    names = {"payload": f"kb-{gen}.json", "points": f"points-{gen}.faiss"}
    write_atomic(folder / names["payload"], payload.model_dump_json().encode())
    points.save(folder / names["points"])
    manifest.data = {name: _sha256(folder / name) for name in names.values()}
    manifest.built_at = datetime.now(UTC).isoformat(timespec="seconds")
    write_atomic(folder / "manifest.json", manifest.model_dump_json(indent=2).encode())
    for old in folder.iterdir():  # files of earlier generations, and leftovers of crashed saves
        if old.name != "manifest.json" and old.name not in manifest.data:
            old.unlink(missing_ok=True)


def load(folder: Path) -> tuple[Manifest, Payload, VectorIndex]:
    path = folder / "manifest.json"
    if not path.exists():
        raise CorruptIndex(f"no index in {folder}")
    try:
        manifest = Manifest.model_validate_json(path.read_bytes())
    except (ValidationError, ValueError) as e:
        raise CorruptIndex(f"manifest is unreadable ({type(e).__name__})") from e
    if manifest.format != FORMAT_VERSION:
        raise CorruptIndex(f"index format {manifest.format} is not {FORMAT_VERSION}")
    for name, digest in manifest.data.items():
        if not (folder / name).exists() or _sha256(folder / name) != digest:
            raise CorruptIndex(f"{name} is missing or damaged")
    by_kind = {name.split("-", 1)[0]: folder / name for name in manifest.data}
    try:
        payload = Payload.model_validate_json(by_kind["kb"].read_bytes())
        points = VectorIndex.load(by_kind["points"])
    except (KeyError, ValidationError, ValueError, RuntimeError) as e:
        raise CorruptIndex(f"index files are unreadable ({type(e).__name__})") from e
    if points.count != len(payload.points) or points.dim != manifest.dim:
        raise CorruptIndex("index files disagree with each other")
    return manifest, payload, points


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
