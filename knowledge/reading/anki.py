"""Anki packages (.apkg, .colpkg) read as notes: front a question, back its answer, deck a topic.

A package is a zip holding a SQLite collection (collection.anki21, or collection.anki2 from
older Anki), read here with sqlite3; the `anki` package is not needed. Each note becomes a Q/A
pair under its deck's heading, cited as "note <id>" (Anki's browser finds it by `nid:<id>`),
with its own tags. HTML becomes text; images, sounds and LaTeX markup are dropped. A cloze note
becomes one question per cloze number, the hidden words its answer. Not read: review history,
scheduling, media files, the newer zstd-compressed collection.anki21b (refused, said why).
"""

import html
import io
import json
import re
import sqlite3
import zipfile
from collections import defaultdict

from knowledge.reading.converters import (
    MAX_PAGES,
    Builder,
    ConversionError,
    Deadline,
    Document,
    check_unpacked,
)

MAX_NOTES = 20 * MAX_PAGES  # a note is a card's worth of text, not a page's
MAX_COLLECTION_BYTES = 200 * 1024 * 1024  # unpacked; decks of 10,000s of text cards are ~20 MB
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)  # {{c1::Paris::a city}}
_SOUND = re.compile(r"\[sound:[^\]]*\]")
_BREAK = re.compile(r"<\s*(?:br|/div|/p|/li|/h\d|/tr)\s*/?>", re.I)
_TAG = re.compile(r"<[^>]*>")


def deck_to_markdown(data: bytes, deadline: Deadline) -> Document:
    """Notes in deck order (deck name, then when each note was made)."""
    with _Collection(data) as db:
        decks = _deck_names(db)
        rows = db.execute(
            "SELECT n.id, n.tags, n.flds, MIN(c.did) FROM notes n "
            "LEFT JOIN cards c ON c.nid = n.id GROUP BY n.id ORDER BY n.id"
        ).fetchall()
    by_deck: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for nid, tags, fields, did in rows:
        by_deck[decks.get(did, "Default")].append((nid, tags, fields))
    out = Builder()
    read = 0
    for deck in sorted(by_deck):
        if read >= MAX_NOTES:
            break
        topic = deck.split("::")[-1].strip()
        out.add("# " + topic)
        for nid, tags, fields in by_deck[deck]:
            if read >= MAX_NOTES:
                break
            if read % 200 == 0:
                deadline.check(f"note {read + 1}")
            read += 1
            values = fields.split("\x1f")
            tag_list = tuple(t for t in tags.split() if t)
            for question, answer in _cards(values):
                out.part(f"note {nid}", tag_list, topic)
                out.add(f"**Question:** {question}")
                out.add("**Answer:**\n\n" + _paragraphs(answer) if answer else "**Answer:**")
    warning = f"only the first {read} of its {len(rows)} notes were read" if read < len(rows) else None
    return out.document(warning)


def _cards(values: list[str]) -> list[tuple[str, str]]:
    """(question, answer) for each card the note makes, as text; none for an empty note."""
    text = values[0] if values else ""
    if _CLOZE.search(text):
        extra = to_text(values[1]) if len(values) > 1 else ""
        return [_cloze(text, n, extra) for n in sorted({int(m.group(1)) for m in _CLOZE.finditer(text)})]
    front = _one_line(to_text(text))
    back = to_text(values[1]) if len(values) > 1 else ""
    return [(front, back)] if front else []


def _cloze(text: str, number: int, extra: str) -> tuple[str, str]:
    """ "{{c1::Paris}} is the capital of {{c2::France}}", card 1 ->
    ("Fill in the blank: [...] is the capital of France", "Paris")."""
    hidden: list[str] = []

    def blank(m: re.Match[str]) -> str:
        if int(m.group(1)) != number:
            return m.group(2)
        hidden.append(to_text(m.group(2)))
        return f"[{m.group(3)}]" if m.group(3) else "[...]"

    question = _one_line(to_text(_CLOZE.sub(blank, text)))
    answer = "; ".join(hidden) + (f"\n\n{extra}" if extra else "")
    return f"Fill in the blank: {question}", answer


def to_text(field: str) -> str:
    """An Anki field's HTML as plain text: line breaks kept, tags, sounds and images gone."""
    text = _SOUND.sub("", field)
    text = _BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    # the HTML's own indentation goes (Markdown would take 4 spaces for code); &nbsp; stays, as
    # it is what keeps a code line's indent on the card
    lines = [line.rstrip().lstrip(" \t").replace("\xa0", " ") for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _paragraphs(text: str) -> str:
    """Each line of a field its own paragraph, as Anki shows a <br>; code fences kept whole.

    "A reliable<br>stream" would otherwise be one Markdown paragraph: "A reliable stream".
    """
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if out and not fenced:
            out.append("")
        out.append(line)
        if line.lstrip().startswith("```"):
            fenced = not fenced
    return "\n".join(out)


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()


class _Collection:
    """The package's SQLite collection, opened in memory from the zip, closed on exit."""

    def __init__(self, data: bytes) -> None:
        try:
            package = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as e:
            raise ConversionError("not an Anki package: the file is not a zip archive") from e
        with package:
            check_unpacked(package, "Anki")
            names = set(package.namelist())
            legacy = [n for n in ("collection.anki21", "collection.anki2") if n in names]
            if "collection.anki21b" in names and not legacy:
                raise ConversionError(
                    "newer Anki format (collection.anki21b), not supported: export it again with 'Support older Anki versions' ticked"  # noqa: E501 (one literal: messages.toml finds it by its wording)
                )
            if not legacy:
                raise ConversionError("not an Anki package: no collection.anki2 inside")
            info = package.getinfo(legacy[0])
            if info.file_size > MAX_COLLECTION_BYTES:
                raise ConversionError(f"the deck's collection is too large ({info.file_size / 1e6:.0f} MB)")
            with package.open(info) as member:
                raw = member.read(MAX_COLLECTION_BYTES + 1)  # the header's size can lie
            if len(raw) > MAX_COLLECTION_BYTES:
                raise ConversionError("the deck's collection is larger than its header says: refused")
        self.db = sqlite3.connect(":memory:")
        try:
            self.db.deserialize(raw)
            self.db.execute("SELECT id, mid, tags, flds FROM notes LIMIT 1").fetchall()
        except sqlite3.Error as e:
            self.db.close()
            raise ConversionError(f"the deck's collection is not a readable SQLite database ({e})") from e

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *exc: object) -> None:
        self.db.close()


def _deck_names(db: sqlite3.Connection) -> dict[int, str]:
    (decks,) = db.execute("SELECT decks FROM col").fetchone() or ("{}",)
    found = {int(k): str(d.get("name", "")) for k, d in json.loads(decks or "{}").items()}
    if not found and _has_table(db, "decks"):
        found = {did: name.replace("\x1f", "::") for did, name in db.execute("SELECT id, name FROM decks")}
    return found


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return (
        db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone()
        is not None
    )
