"""Course notes: a notes set an admin indexes once (`app.py ingest FOLDER --shared NAME`) for
every user and every replica to practise on.

The index's files (knowledge/index/on_disk.py's manifest and the data files it names) go into the
database by the notes' content hash; a replica copies them into its data folder the first time
it is asked for that version and opens them there, checked against the manifest's sha256s as
any index is. Nothing is embedded again per replica, nor per user. Interviews on them name the
notes `course:NAME`, whichever machine or folder they were indexed from, so everyone's schedule
follows the set through new versions.
"""

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from interviewer.storage.database import Database
from knowledge.index.on_disk import PARSER_VERSION, Manifest, write_atomic

PREFIX = "course:"  # a session's notes, for course notes


class Published(BaseModel):
    name: str
    embedder: str
    digest: str  # of the name, the notes' content, the parser and the embedder: what replicas cache by
    questions: int
    published: str


def root(name: str) -> str:
    return PREFIX + name


class Courses:
    def __init__(self, db: Database) -> None:
        self.db = db  # its tables: migrations.py's c001_course_notes

    def publish(self, name: str, folder: Path) -> Published:
        """Stores the index in `folder` (just ingested) as course notes NAME, for every replica."""
        manifest = Manifest.model_validate_json((folder / "manifest.json").read_bytes())
        manifest.notes_root = root(name)  # not the admin's folder: the set's name, the same everywhere
        files = {"manifest.json": manifest.model_dump_json(indent=2).encode()}
        files |= {f: (folder / f).read_bytes() for f in manifest.data}
        content = sorted((f.path, f.sha256) for f in manifest.files.values())
        # the name too: the stored manifest names the set, so two sets never share files
        key = [name, PARSER_VERSION, manifest.embedder, content]
        digest = hashlib.sha256(json.dumps(key).encode()).hexdigest()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        entry = Published(
            name=name, embedder=manifest.embedder, digest=digest, questions=manifest.items, published=now
        )
        with self.db.transaction() as tx:
            tx.executemany(
                "INSERT INTO course_files (digest, file, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [(digest, f, data) for f, data in files.items()],
            )
            tx.execute(
                "INSERT INTO course_notes (name, embedder, digest, questions, published) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, embedder) DO UPDATE SET digest = excluded.digest, "
                "questions = excluded.questions, published = excluded.published",
                (name, entry.embedder, digest, entry.questions, now),
            )
        return entry

    def listed(self, embedder: str) -> list[Published]:
        """The course notes there are for this embedder, by name."""
        rows = self.db.rows(
            "SELECT name, embedder, digest, questions, published FROM course_notes WHERE embedder = ? "
            "ORDER BY name",
            (embedder,),
        )
        return [Published(name=n, embedder=e, digest=d, questions=q, published=p) for n, e, d, q, p in rows]

    def fetch(self, name: str, embedder: str, data_dir: Path) -> Path:
        """The folder holding the current version of course notes NAME, copied from the database
        the first time; KeyError if there are none by that name for this embedder."""
        found = {p.name: p for p in self.listed(embedder)}.get(name)
        if found is None:
            raise KeyError(f"no course notes {name!r} for {embedder}")
        folder = data_dir / "course" / f"{found.digest[:16]}-{embedder}"
        if not (folder / "manifest.json").exists():
            rows = self.db.rows("SELECT file, data FROM course_files WHERE digest = ?", (found.digest,))
            _unpack(folder, {file: bytes(data) for file, data in rows})
        return folder


def _unpack(folder: Path, files: dict[str, bytes]) -> None:
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for file, data in files.items():
        write_atomic(tmp / file, data)
    try:
        tmp.rename(folder)  # whole or not at all
    except OSError:  # another process of this data folder has just done the same
        shutil.rmtree(tmp, ignore_errors=True)
