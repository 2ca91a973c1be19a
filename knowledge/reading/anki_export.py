"""`app.py export-anki FOLDER -o deck.apkg`: the notes' questions and model answers as an Anki deck.

One note per answered question (Question, Answer, Source fields; the source cites the file and
its line, page, slide or cell). Ids are derived, never random: the deck's from its name, each
note's guid from the question's stable id (items.py), so importing a second export updates the
same cards and keeps their review history. Questions without a model answer are left out (a card
with an empty back teaches nothing). Reads and parses the notes; never embeds, never calls an LLM.
"""

import hashlib
import html
import json
import os
import re
import sqlite3
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from pydantic import BaseModel

from knowledge.items import QuestionItem
from knowledge.reading import anki_schema as schema
from knowledge.reading.converters import cite, read_document
from knowledge.reading.files import NotesFileError, find_notes
from knowledge.reading.notes import parse_note

MODEL_ID = 1733500034  # the coach's note type; fixed so every export shares it
FIELDS = ("Question", "Answer", "Source")
CSS = (
    ".card { font-family: sans-serif; font-size: 20px; text-align: left; }\n"
    ".source { color: #888; font-size: 14px; }"
)
BACK = '{{FrontSide}}<hr id="answer">{{Answer}}<div class="source">{{Source}}</div>'


class ExportSummary(BaseModel):
    deck: str
    cards: int
    unanswered: int  # questions with no model answer, left out
    files_left_out: list[str]  # "path: why"


def export_anki(folder: Path, out: Path, deck: str | None = None) -> ExportSummary:
    """Writes the deck to `out` (whole, or not at all) and says what went in."""
    items, left_out = notes_items(folder)
    name = deck or folder.resolve().name or "notes"
    answered = [i for i in items if i.answered]
    write_apkg(answered, name, out)
    return ExportSummary(
        deck=name, cards=len(answered), unanswered=len(items) - len(answered), files_left_out=left_out
    )


def notes_items(root: Path) -> tuple[list[QuestionItem], list[str]]:
    """Every file's items as ingest parses them (sources relative to root), and the files left out."""
    base = root if root.is_dir() else root.parent
    items: list[QuestionItem] = []
    left_out: list[str] = []
    for path in find_notes(root):
        rel = path.relative_to(base).as_posix()
        try:
            doc = read_document(path)
        except NotesFileError as e:
            left_out.append(f"{rel}: {e}")
            continue
        found, _ = parse_note(doc.text, rel, folder=path.parent.name)
        items += cite(found, doc)
    return items, left_out


def write_apkg(items: list[QuestionItem], deck: str, out: Path) -> None:
    now = int(time.time())
    deck_id = stable_id("deck", deck, bits=30) + (1 << 30)  # Anki's own ids for decks are about this size
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "collection.anki2"
        db = sqlite3.connect(db_path)
        try:
            db.executescript(schema.SCHEMA)
            decks = {
                "1": {**schema.DECK, "id": 1, "name": "Default"},
                str(deck_id): {**schema.DECK, "id": deck_id, "name": deck},
            }
            db.execute(
                "INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')",
                (
                    now - now % 86400,
                    now * 1000,
                    now * 1000,
                    json.dumps(schema.CONF),
                    json.dumps({str(MODEL_ID): _model(deck_id, now)}),
                    json.dumps(decks),
                    json.dumps(schema.DECK_CONF),
                ),
            )
            for position, item in enumerate(items):
                _add_note(db, item, deck_id, position, now)
            db.commit()
        finally:
            db.close()
        partial = Path(tmp) / "deck.apkg"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as package:
            package.write(db_path, "collection.anki2")
            package.writestr("media", "{}")  # no media files: the notes' images are not carried
        out.parent.mkdir(parents=True, exist_ok=True)
        staged = out.with_name(f".{out.name}.partial")
        staged.write_bytes(partial.read_bytes())
        os.replace(staged, out)


def stable_id(kind: str, key: str, bits: int = 52) -> int:
    """A positive integer from a name: the same name, the same id, export after export."""
    return int(hashlib.sha1(f"{kind}\x1f{key}".encode()).hexdigest(), 16) % (1 << bits) + 1


def _add_note(db: sqlite3.Connection, item: QuestionItem, deck_id: int, position: int, now: int) -> None:
    where = item.cited + (f" ({item.heading})" if item.heading else "")
    fields = [_html(item.question), _html(item.answer), _html(where)]
    tags = " ".join(re.sub(r"\s+", "_", t) for t in item.tags)
    note_id = stable_id("note", item.id)
    db.execute(
        "INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, '')",
        (
            note_id,
            f"coach-{item.id}",
            MODEL_ID,
            now,
            f" {tags} " if tags else "",
            "\x1f".join(fields),
            item.question,
            _checksum(item.question),
        ),
    )
    db.execute(
        "INSERT INTO cards VALUES (?, ?, ?, 0, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')",
        (stable_id("card", item.id), note_id, deck_id, now, position + 1),
    )


def _model(deck_id: int, now: int) -> dict[str, object]:
    fields = [
        {"name": n, "ord": i, "sticky": False, "rtl": False, "font": "Arial", "size": 20, "media": []}
        for i, n in enumerate(FIELDS)
    ]
    template = {"name": "Card 1", "ord": 0, "qfmt": "{{Question}}", "afmt": BACK, "did": None,
                "bqfmt": "", "bafmt": "", "bfont": "", "bsize": 0}  # fmt: skip
    return {
        "id": MODEL_ID, "name": "Interview coach Q/A", "type": 0, "mod": now, "usn": -1, "sortf": 0,
        "did": deck_id, "tmpls": [template], "flds": fields, "css": CSS, "latexPre": schema.LATEX_PRE,
        "latexPost": schema.LATEX_POST, "latexsvg": False, "req": [[0, "any", [0]]], "tags": [], "vers": [],
    }  # fmt: skip


def _html(text: str) -> str:
    """Plain text on a card: line breaks kept, and a code line's indent (HTML collapses spaces)."""
    lines = html.escape(text).split("\n")
    return "<br>".join("&nbsp;" * (len(x) - len(x.lstrip(" "))) + x.lstrip(" ") for x in lines)


def _checksum(text: str) -> int:
    """Anki's duplicate check: the first 8 hex digits of the sort field's SHA-1, as an integer."""
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def main(folder: Path, out: Path, deck: str | None = None) -> int:
    """The command: writes the deck, prints what went in and what was left out."""
    if not folder.exists():
        print(f"error: {folder} does not exist", file=sys.stderr)
        return 2
    summary = export_anki(folder, out, deck)
    for line in summary.files_left_out:
        print(f"  ! {line}")
    print(f"{summary.cards} cards in deck {summary.deck!r} written to {out}"
          f" ({summary.unanswered} questions without a model answer left out)")  # fmt: skip
    return 0
