"""Anki decks in and out: a package's notes read as questions (HTML, media and cloze handled),
an exported deck read back the same, opening as a SQLite collection inside a zip, with ids that
stay put from one export to the next."""

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

import app
from knowledge.index.embedder import FakeEmbedder
from knowledge.index.ingest import ingest
from knowledge.items import QuestionItem
from knowledge.reading import anki_schema
from knowledge.reading.anki_export import notes_items
from knowledge.reading.converters import ConversionError, cite, read_document
from knowledge.reading.notes import parse_note
from tests.conftest import BUNDLED

BASIC, CLOZE = 11, 22  # model ids
Note = tuple[int, int, str, list[str], int]  # id, model, tags, fields, deck


def apkg(path: Path, notes: list[Note], decks: dict[int, str], member: str = "collection.anki2") -> Path:
    """A package as Anki writes one: the schema-11 collection, models and decks as JSON in col."""
    db = sqlite3.connect(":memory:")
    db.executescript(anki_schema.SCHEMA)
    models = {
        str(BASIC): {
            "name": "Basic",
            "type": 0,
            "flds": [{"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}],
        },
        str(CLOZE): {
            "name": "Cloze",
            "type": 1,
            "flds": [{"name": "Text", "ord": 0}, {"name": "Extra", "ord": 1}],
        },
    }
    deck_json = {str(k): {"id": k, "name": v} for k, v in decks.items()}
    db.execute(
        "INSERT INTO col VALUES (1, 0, 0, 0, 11, 0, 0, 0, '{}', ?, ?, '{}', '{}')",
        (json.dumps(models), json.dumps(deck_json)),
    )
    for nid, mid, tags, fields, did in notes:
        db.execute(
            "INSERT INTO notes VALUES (?, ?, ?, 0, 0, ?, ?, '', 0, 0, '')",
            (nid, f"g{nid}", mid, tags, "\x1f".join(fields)),
        )
        db.execute(
            "INSERT INTO cards VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')",
            (nid, nid, did),
        )
    db.commit()
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(member, db.serialize())
        z.writestr("media", "{}")
    return path


def read(path: Path) -> list[QuestionItem]:
    doc = read_document(path)
    return cite(parse_note(doc.text, path.name)[0], doc)


def test_a_deck_is_read_as_questions_with_answers_topics_tags_and_note_ids(tmp_path: Path) -> None:
    notes: list[Note] = [
        (
            1001,
            BASIC,
            " network tcp ",
            ["What is <b>TCP</b>?", "A reliable<br>stream protocol [sound:tcp.mp3]"],
            7,
        ),
        (1002, BASIC, "", ['<div>Explain DNS</div><img src="dns.png">', "Names&nbsp;to addresses"], 8),
        (
            1003,
            CLOZE,
            "geo",
            ["{{c1::Paris}} is the capital of {{c2::France::a country}}", "<i>Since 508</i>"],
            7,
        ),
    ]
    items = read(apkg(tmp_path / "cards.apkg", notes, {7: "Interview::Networking", 8: "Web"}))
    found = {i.question: i for i in items}
    tcp = found["What is TCP?"]
    assert tcp.answer == "A reliable\nstream protocol" and tcp.topic == "Networking"
    assert tcp.place == "note 1001" and tcp.tags == ["network", "tcp"] and tcp.source == "cards.apkg"
    assert found["Explain DNS"].answer == "Names to addresses" and found["Explain DNS"].topic == "Web"
    first = found["Fill in the blank: [...] is the capital of France"]
    second = found["Fill in the blank: Paris is the capital of [a country]"]
    assert (
        first.answer.startswith("Paris")
        and "Since 508" in first.answer
        and second.answer.startswith("France")
    )
    assert first.tags == ["geo"] and first.place == "note 1003"


def test_a_newer_format_deck_is_refused_saying_how_to_export_it(tmp_path: Path) -> None:
    path = tmp_path / "new.apkg"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("collection.anki21b", b"\x28\xb5\x2f\xfd zstd data")
        z.writestr("meta", b"\x08\x03")
    with pytest.raises(
        ConversionError, match=r"newer Anki format \(collection.anki21b\), not supported"
    ):
        read_document(path)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"not a zip at all", "not an Anki package: the file is not a zip archive"),
        (None, "the deck's collection is not a readable SQLite database"),
    ],
)
def test_a_broken_deck_says_why(data: bytes | None, why: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.apkg"
    if data is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("collection.anki2", b"SQLite format 3\x00" + bytes(50))
    else:
        path.write_bytes(data)
    with pytest.raises(ConversionError) as e:
        read_document(path)
    assert str(e.value).startswith(why)


def test_a_colpkg_is_read_by_the_same_code(tmp_path: Path) -> None:
    path = apkg(tmp_path / "all.colpkg", [(5, BASIC, "", ["What is a mutex?", "A lock"], 1)], {1: "Default"})
    assert [(i.question, i.answer) for i in read(path)] == [("What is a mutex?", "A lock")]


def plain(items: list[QuestionItem]) -> list[tuple[str, str]]:
    return [(i.question, i.answer.replace("**", "")) for i in items]


def export(folder: Path, out: Path) -> Path:
    assert app.main(["export-anki", str(folder), "-o", str(out)]) == 0
    return out


def test_an_exported_deck_is_a_sqlite_collection_in_a_zip_with_each_notes_fields(tmp_path: Path) -> None:
    out = export(BUNDLED, tmp_path / "deck.apkg")
    with zipfile.ZipFile(out) as z:
        assert {"collection.anki2", "media"} <= set(z.namelist())
        raw = z.read("collection.anki2")
    assert raw.startswith(b"SQLite format 3\x00")
    db = sqlite3.connect(":memory:")
    db.deserialize(raw)
    (models_json, decks_json) = db.execute("SELECT models, decks FROM col").fetchone()
    models = json.loads(models_json)
    fields = {int(mid): len(m["flds"]) for mid, m in models.items()}
    notes = db.execute("SELECT id, mid, flds FROM notes").fetchall()
    assert notes and all(len(flds.split("\x1f")) == fields[mid] for _, mid, flds in notes)
    cards = db.execute("SELECT nid, did FROM cards").fetchall()
    assert {nid for nid, _ in cards} == {nid for nid, _, _ in notes}
    assert {str(did) for _, did in cards} <= set(json.loads(decks_json))


def test_an_exported_deck_read_back_gives_the_same_questions_and_answers(tmp_path: Path) -> None:
    answered = [i for i in notes_items(BUNDLED)[0] if i.answered]
    back = read(export(BUNDLED, tmp_path / "deck.apkg"))
    assert len(back) == len(answered) > 40
    # in the deck's order, not the notes': Anki keeps no order of notes but their ids. A heading
    # inside an answer is shown **bold**, and bold text read back is plain: emphasis aside, the same
    assert sorted(plain(back)) == sorted(plain(answered))
    sources = {i.question: i for i in answered}
    assert all(i.topic == "notes" and i.tags == sources[i.question].tags for i in back)


def test_a_second_export_keeps_the_deck_and_every_cards_ids(tmp_path: Path) -> None:
    def ids(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, int, int]]]:
        db = sqlite3.connect(":memory:")
        with zipfile.ZipFile(path) as z:
            db.deserialize(z.read("collection.anki2"))
        notes = db.execute("SELECT id, guid FROM notes ORDER BY id").fetchall()
        cards = db.execute("SELECT id, nid, did FROM cards ORDER BY id").fetchall()
        return notes, cards

    first = ids(export(BUNDLED, tmp_path / "a.apkg"))
    assert first == ids(export(BUNDLED, tmp_path / "b.apkg"))
    assert len({guid for _, guid in first[0]}) == len(first[0])


def test_a_deck_in_a_notes_folder_is_indexed_beside_the_markdown(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    apkg(
        notes / "cards.apkg",
        [(9, BASIC, "os", ["What is a page fault?", "A miss in the page table"], 1)],
        {1: "OS"},
    )
    (notes / "a.md").write_text("## What is DNS?\n\nIt turns names into addresses.\n")
    kb, summary = ingest(notes, FakeEmbedder(), tmp_path / "index")
    assert {f.path: f.items for f in summary.files} == {"a.md": 1, "cards.apkg": 1}
    card = next(i for i in kb.items if i.source == "cards.apkg")
    assert (card.place, card.tags, card.topic) == ("note 9", ["os"], "OS")
