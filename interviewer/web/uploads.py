"""Uploaded notes: .md/.txt files (and PDF, Word, slides, web pages, notebooks, Anki decks, which
the indexing process converts), or .zip archives of them, unpacked into the data folder.

An upload is untrusted. A name in an archive may climb out of its folder (`../x`, `/etc/x`),
an archive may be a bomb, a "note" may be an image renamed .md. Everything is checked before
a byte is written; only text notes land, in one folder per distinct upload, moved into place
whole so a crash never leaves half an upload behind.
"""

import hashlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from knowledge.reading.converters import MAX_DOCUMENT_BYTES
from knowledge.reading.files import CONVERTED, MAX_BYTES, SUFFIXES, NotesFileError, decode

MAX_FILES = 500  # notes files in one upload
MAX_TOTAL = 50 * 1024 * 1024  # bytes of notes, unpacked, in one upload
MAX_RATIO = 100  # unpacked/packed size of one zip member; text compresses ~3-10x, bombs ~1000x
NOT_NOTES = "not a notes file (.md, .markdown, .txt, .pdf, .docx, .pptx, .html, .ipynb or .apkg)"


class UploadError(Exception):
    """The whole upload is refused; str(e) is the message shown to the user."""


@dataclass
class Unpacked:
    folder: Path
    files: int
    refused: list[str] = field(default_factory=list)  # "name: reason", one per file left out


def unpack(uploads: list[Path], dest_root: Path) -> Unpacked:
    """Checks every uploaded file and archive member, then writes the notes under dest_root."""
    notes: dict[str, bytes] = {}
    refused: list[str] = []
    taken: set[str] = set()  # kept names, case-folded
    folders: set[str] = set()  # the folders above them, case-folded
    total = 0
    for upload in uploads:
        # members are read one at a time, so the limits below stop a big archive before it is all in
        # memory (50 MB of members at 99:1 is 5 GB); closing() shuts the archive as soon as one is hit
        with closing(_members(upload)) as members:
            for name, data in members:
                if isinstance(data, str):
                    refused.append(f"{name}: {data}")
                    continue
                clash = _claim(name, taken, folders)
                if clash:
                    refused.append(f"{name}: {clash}")
                    continue
                total += len(data)
                if total > MAX_TOTAL:
                    raise UploadError(
                        f"the upload is over {MAX_TOTAL // 2**20} MB of notes; upload fewer files"
                    )
                if len(notes) >= MAX_FILES:
                    raise UploadError(f"the upload has over {MAX_FILES} notes files; upload a smaller folder")
                notes[name] = data
    if not notes:
        reasons = "; ".join(refused[:5]) or "nothing was uploaded"
        raise UploadError(
            "no usable notes files (.md, .txt, .pdf, .docx, .pptx, .html, .ipynb, .apkg) in the upload: "
            + reasons
        )
    return Unpacked(_write(notes, dest_root), len(notes), refused)


Members = Generator[tuple[str, bytes | str], None, None]  # name, and its bytes or why it is refused


def _members(upload: Path) -> Members:
    if upload.suffix.lower() == ".zip":
        yield from _zip_members(upload)
    else:
        yield upload.name, _plain(upload)


def _claim(name: str, taken: set[str], folders: set[str]) -> str | None:
    """Takes name for a note, or says why it can't be written beside the names already taken.

    Case is ignored because macOS and Windows folders ignore it: Notes.md would overwrite notes.md.
    A file where a folder goes (a.md beside a.md/b.md) would fail the write half way with an OSError.
    """
    key = name.casefold()
    parents = [key.rsplit("/", n)[0] for n in range(1, key.count("/") + 1)]
    if key in taken:
        return "a second file with this name (the first is kept)"
    if key in folders or taken.intersection(parents):
        return "a file and a folder with the same name (the first is kept)"
    taken.add(key)
    folders.update(parents)
    return None


def _plain(path: Path) -> bytes | str:
    """The file's bytes, or why it is refused."""
    if not path.name.lower().endswith(SUFFIXES + CONVERTED):
        return NOT_NOTES
    if path.name.startswith("."):  # find_notes skips hidden files: kept, it would vanish without a reason
        return "hidden file or folder"
    size = path.stat().st_size
    if size > _limit(path.name):
        return f"too large ({size / 1e6:.1f} MB; the limit is {_limit(path.name) / 1e6:.0f} MB)"
    return _text_or_reason(path.read_bytes(), path.name)


def _zip_members(path: Path) -> Members:
    """Each member, read only when the caller asks for it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise UploadError(f"{path.name} is not a readable .zip archive ({e})") from e
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_FILES * 4:
            raise UploadError(f"{path.name} holds {len(infos)} files; the limit is {MAX_FILES} notes")
        for info in infos:
            name, problem = _safe_name(info)
            yield name, problem if problem else _member(archive, info)


def _safe_name(info: zipfile.ZipInfo) -> tuple[str, str | None]:
    raw = info.filename.replace("\\", "/")
    parts = PurePosixPath(raw).parts
    if raw.startswith("/") or (parts and ":" in parts[0]):  # C:/x, and C:x (relative to C:'s folder)
        return raw, "absolute path inside the archive"
    if ".." in parts:
        return raw, "path leads outside the archive (..)"
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        return raw, "a symbolic link"
    if any(p.startswith(".") for p in parts):
        return raw, "hidden file or folder"
    if not raw.lower().endswith(SUFFIXES + CONVERTED):
        return raw, NOT_NOTES
    return "/".join(parts), None


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | str:
    limit = _limit(info.filename)
    if info.file_size > limit:
        return f"too large ({info.file_size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB)"
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        return "compressed over 100 to 1: refused as a possible zip bomb"
    try:
        with archive.open(info) as f:
            data = f.read(limit + 1)  # the header's size can lie; never read past the limit
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as e:
        return f"can't be unpacked ({e})"
    if len(data) > limit:
        return "larger than its archive header says: refused"
    return _text_or_reason(data, info.filename)


def _limit(name: str) -> int:
    return MAX_DOCUMENT_BYTES if name.lower().endswith(CONVERTED) else MAX_BYTES


def _text_or_reason(data: bytes, name: str) -> bytes | str:
    if name.lower().endswith(CONVERTED):
        return data  # converted, and checked, where the notes are indexed: never in the page's process
    try:
        decode(data)
    except NotesFileError as e:
        return str(e)
    return data


def _write(notes: dict[str, bytes], dest_root: Path) -> Path:
    digest = hashlib.sha256()
    for name in sorted(notes):
        digest.update(name.encode() + b"\0" + hashlib.sha256(notes[name]).digest())
    final = dest_root / digest.hexdigest()[:16]
    if final.is_dir():
        return final  # the same upload again: its index is already built
    dest_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".upload-", dir=dest_root))
    try:
        for name, data in notes.items():
            target = (staging / name).resolve()
            if not target.is_relative_to(staging.resolve()):
                raise UploadError(f"{name}: path leads outside the upload folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.replace(staging, final)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if final.is_dir():  # another tab uploaded the same files a moment earlier
            return final
        raise
    except UploadError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final
