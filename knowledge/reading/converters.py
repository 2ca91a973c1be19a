"""Notes kept in other formats (PDF, Word, slides, web pages, notebooks, Anki decks) as Markdown.

Each converter hands back one Markdown text, which then goes through the same parsing as a
Markdown file (notes.py), and the parts it came from (a PDF page, a slide, a notebook cell, an
Anki note), so an item can cite "page 3" where the converted text's line numbers mean nothing
to its reader. What can't be read raises ConversionError with one line saying why. No OCR, no
images, no network; heavy libraries are imported only when a file of their kind is read.
"""

import bisect
import hashlib
import stat
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.items import QuestionItem
from knowledge.reading.files import CONVERTED, NotesFileError, read_note

MAX_DOCUMENT_BYTES = 30 * 1024 * 1024  # a textbook PDF is ~5-20 MB; the upload's total is 50 MB
MAX_PAGES = 500  # pages, slides, cells or notes read from one file; the rest is left out, said so
TIME_LIMIT = 120.0  # seconds converting one file; a 50-page PDF takes a few
MAX_UNPACKED_BYTES = 300 * 1024 * 1024  # what a zip-based file (.docx, .pptx, .apkg) may unpack to
MAX_RATIO = 100  # unpacked/packed, as for an uploaded zip (interviewer/web/uploads.py)
CONVERTER_VERSION = 1  # bump when a converter's output changes, so converted files are redone


class ConversionError(NotesFileError):
    """A file in a converted format that can't be read; str(e) is the one line shown."""


@dataclass(frozen=True)
class Part:
    line: int  # 1-based line of the Markdown text where this part starts
    label: str  # "page 3", "slide 2", "cell 5", "note 1712345"
    tags: tuple[str, ...] = ()  # an Anki note's own tags
    topic: str = ""  # an Anki note's deck, which is its topic whatever its heading looks like


@dataclass
class Document:
    text: str  # Markdown
    parts: list[Part] = field(default_factory=list)
    warning: str | None = None  # read, but not all of it (e.g. past MAX_PAGES)


class Deadline:
    """The per-file time limit, checked between pages: a converter stops at the next one.

    `clock` is there for tests: a test hands a clock that has already run out, never sleeps.
    """

    def __init__(self, seconds: float = TIME_LIMIT, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.clock = seconds, clock
        self.end = clock() + seconds

    def check(self, where: str) -> None:
        if self.clock() > self.end:
            raise ConversionError(
                f"took over {self.seconds:.0f} s to convert (stopped at {where}); split it into smaller files"
            )


class Builder:
    """Markdown lines with the part each line came from; what every converter writes into."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.parts: list[Part] = []

    def part(self, label: str, tags: tuple[str, ...] = (), topic: str = "") -> None:
        self.parts.append(Part(len(self.lines) + 1, label, tags, topic))

    def add(self, markdown: str) -> None:
        """A block of Markdown, with a blank line after it so blocks never run together."""
        self.lines.extend(markdown.rstrip("\n").split("\n"))
        self.lines.append("")

    def document(self, warning: str | None = None) -> Document:
        return Document("\n".join(self.lines), self.parts, warning)


def is_converted(path: Path) -> bool:
    return path.name.lower().endswith(CONVERTED)


def read_document(path: Path, deadline: Deadline | None = None) -> Document:
    """A notes file as Markdown: text files as they are (files.read_note), others converted."""
    if not is_converted(path):
        return Document(read_note(path))
    data = _read_bytes(path)
    try:
        doc = _convert(path.suffix.lower(), data, deadline or Deadline())
    except ConversionError:
        raise
    except Exception as e:  # a library's bug on one odd file must cost that file, never the ingest
        raise ConversionError(f"could not convert this file ({type(e).__name__}: {str(e)[:120]})") from e
    if not doc.text.strip():
        raise ConversionError("no text found in this file")
    return doc


def _convert(suffix: str, data: bytes, deadline: Deadline) -> Document:
    if suffix == ".pdf":
        from knowledge.reading.convert_pdf import pdf_to_markdown

        doc = pdf_to_markdown(data, deadline)
    elif suffix in (".docx", ".pptx"):
        from knowledge.reading.convert_office import docx_to_markdown, pptx_to_markdown

        doc = (docx_to_markdown if suffix == ".docx" else pptx_to_markdown)(data, deadline)
    elif suffix in (".apkg", ".colpkg"):
        from knowledge.reading.anki import deck_to_markdown

        doc = deck_to_markdown(data, deadline)
    else:
        from knowledge.reading.convert_web import html_to_markdown, notebook_to_markdown

        doc = notebook_to_markdown(data, deadline) if suffix == ".ipynb" else html_to_markdown(data)
    return doc


def file_digest(path: Path) -> str:
    """What says a file changed: the decoded text's sha256 for text notes (as ingest always
    hashed them), the raw bytes' for converted ones, so an unchanged PDF is never converted
    again just to find out it is unchanged."""
    if not is_converted(path):
        return hashlib.sha256(read_note(path).encode()).hexdigest()
    data = _read_bytes(path)
    return hashlib.sha256(f"converted-{CONVERTER_VERSION}\0".encode() + data).hexdigest()


def cite(items: list[QuestionItem], doc: Document) -> list[QuestionItem]:
    """Each item with the part its question came from (place, and an Anki note's tags and deck)."""
    if not doc.parts:
        return items
    starts = [p.line for p in doc.parts]
    cited = []
    for item in items:
        n = bisect.bisect_right(starts, item.line) - 1
        if n < 0:
            cited.append(item)
            continue
        part = doc.parts[n]
        tags = list(dict.fromkeys([*item.tags, *part.tags]))
        topic = part.topic or item.topic
        cited.append(item.model_copy(update={"place": part.label, "tags": tags, "topic": topic}))
    return cited


def check_unpacked(package: zipfile.ZipFile, kind: str) -> None:
    """Refuses a zip-based file (Word, PowerPoint, Anki) that would unpack into far more than it
    is: the library would inflate it all in memory. Text-heavy XML packs ~5-20 to 1."""
    total = sum(i.file_size for i in package.infolist())
    packed = sum(i.compress_size for i in package.infolist()) or 1
    if total > MAX_UNPACKED_BYTES or total / packed > MAX_RATIO:
        raise ConversionError(
            f"this {kind} file unpacks to {total / 1e6:.0f} MB: refused as a possible zip bomb"
        )


def _read_bytes(path: Path) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the read forever
            raise ConversionError("not a regular file (a folder, pipe, socket or device)")
        size = info.st_size
        if size > MAX_DOCUMENT_BYTES:
            limit = MAX_DOCUMENT_BYTES / 1e6
            raise ConversionError(f"too large ({size / 1e6:.1f} MB; the limit is {limit:.0f} MB)")
        return path.read_bytes()
    except PermissionError as e:
        raise ConversionError("permission denied: can't read this file") from e
    except OSError as e:
        raise ConversionError(f"can't read: {e.strerror or e}") from e
