"""Finding notes files and decoding them, with a clear reason for every file we can't use."""

import os
import stat
from pathlib import Path

SUFFIXES = (".md", ".markdown", ".txt")  # text notes, read as they are
# converted to Markdown first (knowledge/reading/converters.py); found and uploaded like text notes
CONVERTED = (".pdf", ".docx", ".pptx", ".html", ".htm", ".ipynb", ".apkg", ".colpkg")
MAX_BYTES = 5 * 1024 * 1024  # far above any hand-written notes file; a 50 MB "note" is a mistake
_ENCODINGS = ("utf-8", "gb18030")  # a BOM, if any, is read first


class NotesFileError(Exception):
    """A notes file that can't be read; str(e) is the message shown to the user."""


def find_notes(root: Path) -> list[Path]:
    """Notes files under root (or root itself), sorted; hidden folders (.git, .obsidian) skipped."""
    if root.is_file():
        return [root]
    found = []
    # followlinks=False: a symlink loop can't send us round forever
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        kept = SUFFIXES + CONVERTED
        found += [Path(folder) / f for f in files if f.lower().endswith(kept) and not f.startswith(".")]
    return sorted(found)


def read_note(path: Path) -> str:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise NotesFileError("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            # a FIFO would block the read forever, a link to /dev/zero would fill the memory
            raise NotesFileError("not a regular file (a pipe, socket or device)")
        size = info.st_size
        if size > MAX_BYTES:
            raise NotesFileError(f"too large ({size / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB)")
        data = path.read_bytes()
    except PermissionError as e:
        raise NotesFileError("permission denied: can't read this file") from e
    except FileNotFoundError as e:
        raise NotesFileError("file disappeared while reading") from e
    except IsADirectoryError as e:
        raise NotesFileError("is a folder, not a file") from e
    except OSError as e:
        raise NotesFileError(f"can't read: {e.strerror or e}") from e
    text = decode(data)
    if not text.strip():
        raise NotesFileError("empty file")
    return text


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030; binary data is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _newlines(data.decode("utf-16"))
        except UnicodeDecodeError as e:
            raise NotesFileError("starts like UTF-16 but isn't valid UTF-16") from e
    if b"\x00" in data:
        raise NotesFileError("not a text file (binary data)")
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return _newlines(text)
    raise NotesFileError("not a text file, or not in UTF-8 or GB18030")


def _newlines(text: str) -> str:
    # Windows \r\n and old Mac \r alike: markdown-it breaks lines at a lone \r too, so a
    # file saved with \r alone would otherwise be one long line to us and many to it
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_text(text: str) -> bool:
    # gb18030 decodes almost any bytes; random binary comes out full of control characters
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    return controls <= len(text) // 100
