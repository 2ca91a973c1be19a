"""PDF, Word, PowerPoint, web pages and notebooks: real files, written here by the libraries
that write them, read back into questions that cite their page, slide or cell; and each file
that can't be read, left out with one line saying why while the rest are indexed."""

import io
import json
import zipfile
from pathlib import Path

import pytest

from interviewer.messages import shown
from interviewer.web.uploads import unpack
from knowledge.index.embedder import FakeEmbedder
from knowledge.index.ingest import ingest
from knowledge.items import QuestionItem
from knowledge.reading import convert_pdf
from knowledge.reading.converters import ConversionError, Deadline, cite, read_document
from knowledge.reading.files import read_note
from knowledge.reading.notes import parse_note
from tests.conftest import BUNDLED
from tests.documents import to_docx, to_notebook, to_pdf, to_pptx

TWO_PAGES = """# Networking

## What is the difference between TCP and UDP?

TCP is connection-oriented and reliable; UDP is connectionless and unordered.

## Transport layer

Q: What does the TCP three-way handshake do?

A: It synchronises sequence numbers with SYN, SYN-ACK and ACK before any data flows.
"""


def items_of(path: Path) -> list[QuestionItem]:
    doc = read_document(path)
    return cite(parse_note(doc.text, path.name)[0], doc)


def by_question(items: list[QuestionItem]) -> dict[str, QuestionItem]:
    return {i.question: i for i in items}


def test_a_two_page_pdf_gives_its_heading_and_qa_questions_each_citing_its_page(tmp_path: Path) -> None:
    pdf = to_pdf(TWO_PAGES, tmp_path / "net.pdf", pages=[3])  # the Q/A section starts page 2
    found = by_question(items_of(pdf))
    first = found["What is the difference between TCP and UDP?"]
    second = found["What does the TCP three-way handshake do?"]
    assert (first.place, second.place) == ("page 1", "page 2")
    assert first.source == "net.pdf" and first.cited == "net.pdf, page 1"
    assert first.topic == "Networking" and "connectionless" in first.answer
    assert "SYN-ACK" in second.answer and second.heading_path[-1] == "Transport layer"


def test_a_pdf_heading_wrapped_over_two_lines_is_one_question(tmp_path: Path) -> None:
    long = "Why does a transformer scale its dot-product attention by the square root of the key size?"
    body = "Softmax saturates when the logits grow with the dimension, and its gradients vanish. " * 3
    pdf = to_pdf(f"# Attention\n\n## {long} And what goes wrong without it?\n\n{body}\n", tmp_path / "a.pdf")
    [item] = items_of(pdf)
    assert item.question == long + " And what goes wrong without it?" and item.answer.startswith("Softmax")


def test_a_docx_keeps_headings_lists_and_bold_labels(tmp_path: Path) -> None:
    notes = "# Databases\n\n## What is an index?\n\n- A sorted structure\n- Speeds up lookups\n\n"
    notes += "## Transactions\n\n**Question:** What is a transaction?\n\n"
    notes += "**Answer:** A unit of work that commits whole or not at all.\n"
    found = by_question(items_of(to_docx(notes, tmp_path / "db.docx")))
    assert found["What is an index?"].answer == "- A sorted structure\n- Speeds up lookups"
    assert found["What is a transaction?"].answer.startswith("A unit of work")
    assert all(i.place == "" and i.source == "db.docx" for i in found.values())  # no pages in Word


def test_a_pptx_cites_the_slide_of_each_question(tmp_path: Path) -> None:
    slides = [
        ("Caching", ["Why cache: latency and load"], ""),
        (
            "What is cache invalidation?",
            ["Removing stale entries", "  when the source changes"],
            "TTL or events",
        ),
    ]
    found = by_question(items_of(to_pptx(slides, tmp_path / "talk.pptx")))
    item = found["What is cache invalidation?"]
    assert item.place == "slide 2" and "stale entries" in item.answer and "TTL or events" in item.answer


def test_a_notebook_cites_the_cell_and_fences_its_code(tmp_path: Path) -> None:
    cells = [
        ("markdown", "# Python"),
        (
            "markdown",
            "## What is a closure?\n\nA function that keeps the variables of the scope it was made in.",
        ),
        ("code", "def outer():\n    x = 1\n    return lambda: x"),
        ("markdown", "## What does a generator do?\n\nIt yields values lazily, one at a time."),
    ]
    path = to_notebook(cells, tmp_path / "py.ipynb")
    found = by_question(items_of(path))
    assert found["What is a closure?"].place == "cell 2"
    assert "```python\ndef outer():" in read_document(path).text
    assert found["What does a generator do?"].place == "cell 4"


def test_a_web_page_drops_scripts_and_navigation(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><script>var x = 1;</script></head><body><nav>Home | About</nav>"
        "<h1>Security</h1><h2>What is XSS?</h2><p>Injecting <b>script</b> into a page.</p></body></html>"
    )
    text = read_document(page).text
    assert "var x" not in text and "Home" not in text
    assert by_question(items_of(page))["What is XSS?"].answer == "Injecting script into a page."


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_the_bundled_notes_converted_give_the_same_questions(kind: str, tmp_path: Path) -> None:
    writer = to_pdf if kind == "pdf" else to_docx
    same = total = 0
    for note in sorted(BUNDLED.iterdir()):
        text = read_note(note)
        original = {i.question for i in parse_note(text, note.name)[0]}
        converted = items_of(writer(text, tmp_path / f"{note.stem}.{kind}"))
        same += len(original & {i.question for i in converted})
        total += len(original)
        if kind == "pdf":
            assert all(i.place.startswith("page ") for i in converted)
    assert total > 40 and same >= 0.9 * total


def scanned_pdf(path: Path) -> Path:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (200, 100), "white")
    pdf = canvas.Canvas(str(path))
    pdf.drawImage(ImageReader(image), 50, 600, 200, 100)
    pdf.save()
    return path


def encrypted_pdf(path: Path) -> Path:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), encrypt=StandardEncryption("secret", ownerPassword="owner"))
    pdf.drawString(50, 700, "What is a secret?")
    pdf.save()
    return path


BROKEN: dict[str, tuple[object, str]] = {
    "scan.pdf": (scanned_pdf, "no text in this PDF: it is scanned pages; OCR is not supported"),
    "locked.pdf": (encrypted_pdf, "encrypted PDF: it needs a password to open; save a copy without one"),
    "truncated.pdf": (b"%PDF-1.4\n1 0 obj <<", "not a readable PDF"),
    "corrupt.docx": (b"PK\x03\x04 this is not really a zip", "not a readable Word file"),
    "protected.docx": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "password-protected Word file, or an old .doc/.ppt: save a copy without a password",
    ),
    "slides.pptx": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "password-protected PowerPoint file",
    ),
    "broken.ipynb": (b'{"cells": [', "not a Jupyter notebook: the file is not JSON"),
}


def make(name: str, folder: Path) -> Path:
    what, _ = BROKEN[name]
    path = folder / name
    if isinstance(what, bytes):
        path.write_bytes(what)
        return path
    return what(path)  # type: ignore[operator]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_file_that_cant_be_read_says_why_in_the_pages_languages(name: str, tmp_path: Path) -> None:
    with pytest.raises(ConversionError) as e:
        read_document(make(name, tmp_path))
    assert str(e.value).startswith(BROKEN[name][1])
    assert shown("zh", str(e.value)) != str(e.value)  # messages.toml knows its wording


def test_one_folder_of_every_format_indexes_the_good_files_and_lists_the_bad_with_reasons(
    tmp_path: Path,
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    to_pdf(TWO_PAGES, notes / "net.pdf", pages=[3])
    to_docx("## What is an index?\n\nA sorted structure that speeds up lookups.\n", notes / "db.docx")
    to_notebook([("markdown", "## What is a closure?\n\nA function with its scope.")], notes / "py.ipynb")
    (notes / "plain.md").write_text("## What is DNS?\n\nIt turns names into addresses.\n")
    for name in BROKEN:
        make(name, notes)
    kb, summary = ingest(notes, FakeEmbedder(), tmp_path / "index")
    reports = {f.path: f for f in summary.files}
    for name, (_, why) in BROKEN.items():
        assert reports[name].items == 0 and (reports[name].error or "").startswith(why)
    assert {reports[n].items for n in ("net.pdf", "db.docx", "py.ipynb", "plain.md")} >= {1}
    assert all(reports[n].error is None for n in ("net.pdf", "db.docx", "py.ipynb", "plain.md"))
    places = {i.question: i.place for i in kb.items}
    assert places["What does the TCP three-way handshake do?"] == "page 2"
    assert places["What is a closure?"] == "cell 1" and places["What is DNS?"] == ""
    # a second ingest reuses the converted files without converting them again
    _, again = ingest(notes, FakeEmbedder(), tmp_path / "index")
    assert again.embedded_files == 0 and again.reused_files == 4


def test_a_word_file_that_would_unpack_to_gigabytes_is_refused_unread(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:t>" + b" " * 50_000_000 + b"</w:t>")
    with pytest.raises(ConversionError, match="unpacks to 50 MB: refused as a possible zip bomb"):
        read_document(bomb)


def test_past_the_page_cap_the_rest_is_left_out_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(convert_pdf, "MAX_PAGES", 1)
    doc = read_document(to_pdf(TWO_PAGES, tmp_path / "net.pdf", pages=[3]))
    assert doc.warning == "only the first 1 of its 2 pages were read"
    assert "three-way" not in doc.text and "UDP" in doc.text


def test_past_the_time_limit_conversion_stops_with_a_reason(tmp_path: Path) -> None:
    ticks = iter([0.0, 1000.0, 1000.0, 1000.0])  # the clock has run out by the first page: no sleeping
    deadline = Deadline(60, clock=lambda: next(ticks))
    with pytest.raises(ConversionError, match=r"took over 60 s to convert \(stopped at page 1\)"):
        read_document(to_pdf(TWO_PAGES, tmp_path / "net.pdf"), deadline)


def test_an_upload_keeps_pdfs_and_office_files_plain_or_zipped_for_the_indexer(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    pdf = to_pdf(TWO_PAGES, src / "net.pdf")
    docx = to_docx("## What is an index?\n\nA sorted structure.\n", tmp_path / "db.docx")
    archive = src / "more.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(docx, "course/db.docx")
        z.writestr("course/nb.ipynb", json.dumps({"cells": []}))
    unpacked = unpack([pdf, archive], tmp_path / "uploads")
    assert unpacked.files == 3 and not unpacked.refused
    assert (unpacked.folder / "net.pdf").read_bytes() == pdf.read_bytes()
    assert zipfile.is_zipfile(io.BytesIO((unpacked.folder / "course" / "db.docx").read_bytes()))
