"""Hostile notes: the notes pipeline never crashes, names every file it can't use, and keeps the rest.

Generated cases (hypothesis, derandomized so CI sees the same ones every run) and hand-made ones:
random bytes and unicode, deep nesting, 10,000 headings, unclosed fences and front-matter,
broken YAML, mixed encodings, UTF-16, a 1 MB line, NUL bytes, symlink loops, files that vanish
mid-ingest, files over the size limit, empty files, pipes, devices and folders named like notes.
Every hostile folder also holds one good note, which must still be indexed.
"""

import codecs
import os
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import knowledge.index.ingest
import knowledge.reading.converters
from knowledge.index.embedder import FakeEmbedder
from knowledge.index.ingest import ingest
from knowledge.index.knowledge_base import KnowledgeBase, open_kb
from knowledge.items import FileReport, QuestionItem
from knowledge.reading.files import MAX_BYTES, NotesFileError, decode, find_notes, read_note
from knowledge.reading.notes import parse_note

GOOD_Q = "What is dropout?"
GOOD = (
    f"## {GOOD_Q}\nDropout randomly zeroes activations during training.\n"
    "It reduces co-adaptation between neurons.\n"
)
FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def fuzz(examples: int) -> settings:
    """Repeatable (derandomized) runs of a given size, with no per-example deadline."""
    return settings(FUZZ, max_examples=examples)


def check_items(items: list[QuestionItem], text: str) -> None:
    """What any parse of any text must give: asked questions, unique ids, spans inside the text."""
    assert len({i.id for i in items}) == len(items)
    for item in items:
        assert item.question.strip()
        assert item.line >= 1
        assert item.answered or not item.rubric  # no key points without an answer
        for p in item.rubric:
            assert 0 <= p.start < p.end <= len(text) and p.text.strip() and p.line >= 1


def ingest_beside_good(root: Path, data: Path) -> tuple[KnowledgeBase, dict[str, FileReport]]:
    """Ingest root with a good note added; check it was indexed and every other file accounted for."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "good.md").write_text(GOOD, encoding="utf-8")
    kb, summary = ingest(root, FakeEmbedder(), data)
    reports = {f.path: f for f in summary.files}
    assert len(reports) == len(summary.files), "one report per file"
    good = reports["good.md"]
    assert (good.items, good.answered, good.rubric_points, good.error) == (1, 1, 2, None)
    assert [i.question for i in kb.items if i.source == "good.md"] == [GOOD_Q]
    for r in summary.files:
        assert r.items > 0 or (r.error and r.error.strip()), f"{r.path}: nothing indexed and no reason given"
        assert r.rubric_points == sum(len(i.rubric) for i in kb.items if i.source == r.path)
    assert summary.items == len(kb.items) == sum(r.items for r in summary.files)
    hit = kb.search_points(FakeEmbedder().encode(["dropout zeroes activations"], "sts")[0], limit=1)[0]
    assert kb.item(hit.item_id).question == GOOD_Q  # (a generated file may hold the same note)
    assert open_kb(data, FakeEmbedder()).manifest.files.keys() == reports.keys()  # the manifest loads back
    return kb, reports


# ---------------------------------------------------------------- generated: parse_note on any text

LINE_ENDS = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "\n\n"])
TOKENS = st.sampled_from(
    [
        "What is", "为什么", "什么是", "？", "?", "**", "==", "~~", "__", "[", "]", "(", ")", "![[", "]]",
        "[[", "|", "| a | b |", "|---|---|", "`", "```", "~~~", "$", "$$", "<b>", "</b>", "<!--", "-->",
        "---", "===", "题目：", "答案：", "解析", "Q1.", "1.", "2)", "一、", "第一章", "📘", "\t", " ",
        "\x00", "\u200b", "\ufeff", "\u2028", "\x0b", "\x0c", "\ud7ff", "\U0010ffff", "word", "中文内容",
        "\\", "&amp;", "*", "+", "#", "import os", "x = 1", "def f():", "。", "；", ".",
    ]
)  # fmt: skip
LINE = st.builds(
    lambda quote, indent, mark, body: quote + indent + mark + "".join(body),
    st.sampled_from(["", "", "> ", ">", "> > ", ">" * 30, "> " * 60]),
    st.sampled_from(["", "", "  ", "    ", "\t", " " * 40]),
    st.sampled_from(["", "", "", "# ", "## ", "### 1. ", "####### ", "- ", "* ", "1. ", "- [x] ", "12345. "]),
    st.lists(TOKENS, max_size=12),
)
HOSTILE_MARKDOWN = st.lists(st.tuples(LINE, LINE_ENDS), max_size=40).map(
    lambda lines: "".join(a + b for a, b in lines)
)


@fuzz(250)
@given(st.text(max_size=3000))
def test_parse_note_survives_any_unicode_text(text: str) -> None:
    items, warning = parse_note(text, "fuzz.md")
    check_items(items, text)
    assert warning is None or "front-matter" in warning


@fuzz(250)
@given(HOSTILE_MARKDOWN)
def test_parse_note_survives_hostile_markdown(text: str) -> None:
    items, _ = parse_note(text, "fuzz.md")
    check_items(items, text)
    if any(f in text for f in ("```", "~~~", "<!--")):
        return  # an unclosed fence or comment rightly swallows whatever follows
    # a good note after the noise is still read: as a question, or as part of one above it
    tail = f"{text}\n\n{GOOD}"
    found, _ = parse_note(tail, "fuzz.md")
    check_items(found, tail)
    assert any(GOOD_Q in i.question + i.answer + i.explanation for i in found)


YAML_VALUES = st.sampled_from(
    [
        "[", "]", "{", "}", ", ", ": ", "&a ", "*a", "&b ", "*b", "!!binary ", "!!timestamp ",
        "!!python/object:os.system ", "!!set ", "!!int ", "2024-02-30", "2024-13-01",
        "2001-12-14t21:59:43.10-25:00", "9" * 4400, "'", '"', "|", ">", "null", "~", "true", "1e999",
        "0x1F", "中文", "\\u", "#", "@", "`", "!", " ", "? ", "- ", "\t", "%", "x",
    ]
)  # fmt: skip
YAML_LINE = st.builds(
    lambda indent, lead, key, values: indent + lead + key + "".join(values),
    st.sampled_from(["", "", "  ", "    ", "\t"]),
    st.sampled_from(["", "", "- ", "? ", "<<: "]),
    st.sampled_from(["", "tags: ", "tag: ", "title: ", "date: ", "a: ", "b: "]),
    st.lists(YAML_VALUES, max_size=6),
)
YAML_JUNK = st.lists(YAML_LINE, max_size=10).map("\n".join)


@fuzz(200)
@given(YAML_JUNK, st.booleans())
def test_front_matter_junk_never_hides_the_notes(yaml_text: str, closed: bool) -> None:
    text = f"---\n{yaml_text}\n---\n{GOOD}" if closed else f"---\n{yaml_text}\n{GOOD}"
    items, warning = parse_note(text, "fm.md")
    check_items(items, text)
    assert warning is None or "front-matter is not valid YAML" in warning
    assert all(t and isinstance(t, str) for i in items for t in i.tags)
    if closed:  # the body after a closed front-matter is read whatever the YAML was
        assert [i.question for i in items] == [GOOD_Q]


@fuzz(60)
@given(st.integers(1, 1200), st.sampled_from(["[", "{", "- ", "&a [*a, "]))
def test_deeply_nested_front_matter_is_a_warning(depth: int, opener: str) -> None:
    text = f"---\ntags: {opener * depth}\n---\n{GOOD}"
    items, warning = parse_note(text, "deep.md")
    assert [i.question for i in items] == [GOOD_Q]
    assert warning is None or "front-matter" in warning


# ------------------------------------------------------------------ generated: bytes to text


BOMS = st.sampled_from([b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])


@fuzz(300)
@given(BOMS, st.binary(max_size=3000))
def test_any_bytes_decode_to_text_or_a_clear_error(bom: bytes, data: bytes) -> None:
    try:
        text = decode(bom + data)
    except NotesFileError as e:
        assert str(e).strip()
        return
    assert "\r" not in text  # every line ending is \n by now
    items, _ = parse_note(text, "bytes.md")
    check_items(items, text)


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])


@fuzz(100)
@given(st.lists(st.tuples(st.text(max_size=200), ENCODINGS), min_size=1, max_size=4))
def test_mixed_encodings_in_one_file_decode_or_are_refused(parts: list[tuple[str, str]]) -> None:
    data = b"".join(text.encode(encoding) for text, encoding in parts)
    try:
        text = decode(data)
    except NotesFileError as e:
        assert "text" in str(e) or "UTF-16" in str(e)
        return
    items, _ = parse_note(text, "mixed.md")
    check_items(items, text)


# ------------------------------------------------------------- generated: whole folders, ingested

NAMES = st.sampled_from(["a.md", "b.txt", "c.markdown", "sub/d.md", "E.MD", "sub/deeper/f.txt", "g.md"])
CONTENT = st.one_of(
    st.binary(max_size=2000),
    st.tuples(st.text(max_size=1000), ENCODINGS).map(lambda t: t[0].encode(t[1])),
    st.tuples(HOSTILE_MARKDOWN, ENCODINGS).map(lambda t: t[0].encode(t[1])),
    st.tuples(YAML_JUNK, st.booleans()).map(lambda t: f"---\n{t[0]}\n{'---' * t[1]}\n{GOOD}".encode()),
)


@fuzz(60)
@given(st.lists(st.tuples(NAMES, CONTENT), min_size=1, max_size=4, unique_by=lambda f: f[0]))
def test_ingest_survives_generated_folders(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "notes"
        for name, data in files:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        _, reports = ingest_beside_good(root, Path(tmp) / "data")
        assert set(reports) == {name for name, _ in files} | {"good.md"}
        for name, data in files:
            if not data.strip():
                assert reports[name].error == "empty file"
            elif b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
                assert reports[name].error == "not a text file (binary data)"


# --------------------------------------------------------------------- hand-made hostile files

RANDOM = random.Random(0).randbytes(65536)
ONE_ITEM = "## What is y?\nY is a thing we really know about.\n"
DEEP_QUOTES = "## What is quoting?\n" + "".join(">" * i + f" Line {i} of an answer.\n" for i in range(1, 501))
DEEP_LIST = "## What is a deep list?\n" + "".join("  " * i + f"- item {i} of a list\n" for i in range(500))
TEN_K = "".join(f"## {i}. What is {i}?\nAnswer {i}.\n" for i in range(10_000))
OLD_MAC = "## What is CR?\rA lone carriage return.\r## Why is it old?\rClassic Mac OS used it.\r"
# each level nine references to the one before: expanded, tags would hold 9**9 strings
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi", strict=True)
)
WORDS = "Regularisation **shrinks** large [weights](http://x.org) toward `zero`; it ==smooths== models. "
WIDE_ROW = "| x " * 250_000
YAML_BROKEN = "front-matter is not valid YAML"

# name -> (bytes, expected): an error message fragment, or the number of items the file gives
HOSTILE: dict[str, tuple[bytes, str | int]] = {
    "random.md": (RANDOM, "binary"),
    "random_no_nul.txt": (bytes(b for b in RANDOM if b), "not a text file"),
    "nul.md": (GOOD.replace("?", "?\x00").encode(), "binary"),
    "empty.md": (b"", "empty file"),
    "blank.md": (b" \n\t\n\r\n", "empty file"),
    "utf16.md": ("## What is attention?\nA weighted sum of values by relevance.\n".encode("utf-16"), 1),
    "utf16_be.md": (codecs.BOM_UTF16_BE + ONE_ITEM.encode("utf-16-be"), 1),
    "utf16_broken.md": (b"\xff\xfe" + "## Q?\n".encode("utf-16-le") + b"\x00", "UTF-16"),
    "utf8_bom.md": (codecs.BOM_UTF8 + ONE_ITEM.encode(), 1),
    "old_mac.md": (OLD_MAC.encode(), 2),
    "deep_quotes.md": (DEEP_QUOTES.encode(), 1),
    "deep_quote_line.md": (("## What is deep?\n" + ">" * 500 + " deeply quoted text\n").encode(), 1),
    "deep_list.md": (DEEP_LIST.encode(), 1),
    "headings_10k.md": (TEN_K.encode(), 10_000),
    "unclosed_fence.md": (("## How do you load a model?\n```python\nmodel = load('x')\n" * 3).encode(), 1),
    "unclosed_front_matter.md": (("---\ntags: [a, b]\ntitle: never closed\n" + ONE_ITEM).encode(), 1),
    "only_dashes.md": (b"---\n", "no questions"),
    "broken_yaml.md": (("---\ntags: [unclosed\n---\n" + ONE_ITEM).encode(), YAML_BROKEN),
    "bad_date_yaml.md": (("---\ndate: 2024-02-30\n---\n" + ONE_ITEM).encode(), YAML_BROKEN),
    "bad_tag_yaml.md": (("---\ntitle: !!timestamp soon\n---\n" + ONE_ITEM).encode(), YAML_BROKEN),
    "deep_yaml.md": (("---\ntags: " + "[" * 3000 + "\n---\n" + ONE_ITEM).encode(), YAML_BROKEN),
    "alias_bomb.md": (("---\n" + BOMB + "tags: [*i]\ntitle: *i\n---\n" + ONE_ITEM).encode(), 1),
    "one_mb_line.md": (("## What is a long line?\n" + WORDS * (1_000_000 // len(WORDS))).encode(), 1),
    "one_mb_brackets.md": (("## What are brackets?\n" + "[" * 1_000_000).encode(), 1),
    "one_mb_markers.md": (("## What are markers?\n" + "==a **b ![c](d [[e " * 50_000).encode(), 1),
    "one_mb_table.md": (("## What is a wide table?\n| a | b |\n|---|---|\n" + WIDE_ROW + "\n").encode(), 1),
    "csv_as_text.txt": (("一、数据\n1. 什么是CSV？\n" + "id,name,value\n" * 70_000).encode(), 1),
    # not refused: read whole as GB18030, so today its UTF-8 part comes out garbled but indexed
    "mixed_encodings.md": ("## What is 注意力？\n".encode() + "按相关性加权求和。\n".encode("gb18030"), 1),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_file_beside_a_good_one(name: str, tmp_path: Path) -> None:
    data, expected = HOSTILE[name]
    root = tmp_path / "notes"
    root.mkdir()
    (root / name).write_bytes(data)
    kb, reports = ingest_beside_good(root, tmp_path / "data")
    report = reports[name]
    if isinstance(expected, str):
        assert report.error is not None and expected in report.error
        if "front-matter" in expected:  # broken front-matter is a warning: the body is still read
            assert [i.question for i in kb.items if i.source == name] == ["What is y?"]
        else:
            assert report.items == 0
    else:
        assert report.items == expected and report.error is None


def test_hostile_details_survive(tmp_path: Path) -> None:
    """The parts of hostile files that should come through do: code, quotes, tags, lines."""
    root = tmp_path / "notes"
    root.mkdir()
    for name in ("unclosed_fence.md", "deep_quotes.md", "alias_bomb.md", "old_mac.md", "headings_10k.md"):
        (root / name).write_bytes(HOSTILE[name][0])
    kb, _ = ingest_beside_good(root, tmp_path / "data")
    by_source: dict[str, list[QuestionItem]] = {}
    for item in kb.items:
        by_source.setdefault(item.source, []).append(item)
    assert "model = load('x')" in by_source["unclosed_fence.md"][0].answer
    assert "Line 1 of an answer." in by_source["deep_quotes.md"][0].answer
    assert by_source["alias_bomb.md"][0].tags == []  # the bomb is not expanded into tags
    old_mac = [(i.question, i.line) for i in by_source["old_mac.md"]]
    assert old_mac == [("What is CR?", 1), ("Why is it old?", 3)]
    tenk = by_source["headings_10k.md"]
    assert [i.question for i in (tenk[0], tenk[-1])] == ["What is 0?", "What is 9999?"]
    assert len({i.id for i in kb.items}) == len(kb.items)


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    root.mkdir()
    with open(root / "huge.md", "wb") as f:  # sparse: costs no disk
        f.truncate(MAX_BYTES + 1)
    with open(root / "at_limit.md", "wb") as f:
        f.write(GOOD.encode())
        f.truncate(MAX_BYTES)  # exactly the limit is allowed: the NULs then make it binary
    _, reports = ingest_beside_good(root, tmp_path / "data")
    error = reports["huge.md"].error
    assert error is not None and error.startswith("too large (5.2 MB; the limit is 5 MB)")
    assert reports["at_limit.md"].error == "not a text file (binary data)"


def test_symlink_loops_are_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "inner.md").write_text(ONE_ITEM)
    os.symlink(root, root / "loop")  # a folder linked to its parent
    os.symlink(root, root / "sub" / "up.md")  # ... named like a note
    os.symlink(root / "b.md", root / "a.md")  # two files linked to each other
    os.symlink(root / "a.md", root / "b.md")
    os.symlink(root / "self.md", root / "self.md")
    kb, reports = ingest_beside_good(root, tmp_path / "data")
    assert set(reports) == {"a.md", "b.md", "self.md", "good.md", "sub/inner.md"}
    for name in ("a.md", "b.md", "self.md"):
        error = reports[name].error
        assert error is not None and "symbolic links" in error
    assert [i.source for i in kb.items].count("good.md") == 1


def test_folders_named_like_notes_are_walked_not_read(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    (root / "x.md").mkdir(parents=True)
    (root / "x.md" / "inner.md").write_text(ONE_ITEM)
    (root / "empty.md").mkdir()
    _, reports = ingest_beside_good(root, tmp_path / "data")
    assert set(reports) == {"good.md", "x.md/inner.md"} and reports["x.md/inner.md"].items == 1


def test_a_folder_given_as_a_note_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.md").mkdir()
    with pytest.raises(NotesFileError, match="is a folder"):
        read_note(tmp_path / "x.md")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_pipes_and_devices_are_refused_not_read(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    root.mkdir()
    os.mkfifo(root / "pipe.md")  # reading it would wait for a writer forever
    os.symlink("/dev/zero", root / "zero.md")  # reading it would never end
    os.symlink("/dev/null", root / "null.txt")
    _, reports = ingest_beside_good(root, tmp_path / "data")
    for name in ("pipe.md", "zero.md", "null.txt"):
        assert reports[name].error == "not a regular file (a pipe, socket or device)"


def test_dangling_symlink_is_a_vanished_file(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    root.mkdir()
    os.symlink(root / "deleted.md", root / "gone.md")
    _, reports = ingest_beside_good(root, tmp_path / "data")
    assert reports["gone.md"].error == "file disappeared while reading"


def test_files_that_vanish_or_change_between_listing_and_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "notes"
    root.mkdir()
    for name in ("vanish.md", "turned_folder.md", "turned_binary.md"):
        (root / name).write_text(ONE_ITEM)

    def find_then_meddle(notes_root: Path) -> list[Path]:
        found = find_notes(notes_root)  # the listing still names all three...
        (root / "vanish.md").unlink()  # ... then the user's sync tool gets there first
        (root / "turned_folder.md").unlink()
        (root / "turned_folder.md").mkdir()
        (root / "turned_binary.md").write_bytes(b"\x00" * 10)
        return found

    monkeypatch.setattr(knowledge.index.ingest, "find_notes", find_then_meddle)
    _, reports = ingest_beside_good(root, tmp_path / "data")
    assert reports["vanish.md"].error == "file disappeared while reading"
    assert reports["turned_folder.md"].error == "is a folder, not a file"
    assert reports["turned_binary.md"].error == "not a text file (binary data)"


def test_file_deleted_while_ingest_is_reading_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a.md deletes b.md (the wrapper stands in for another process): b.md is reported."""
    root = tmp_path / "notes"
    root.mkdir()
    (root / "a.md").write_text(ONE_ITEM)
    (root / "b.md").write_text(ONE_ITEM)
    real: Callable[[Path], str] = knowledge.reading.converters.read_note  # ingest reads through converters.py

    def read_and_delete_the_next(path: Path) -> str:
        if path.name == "a.md":
            (root / "b.md").unlink(missing_ok=True)  # a.md is read twice: hashed, then parsed
        return real(path)

    monkeypatch.setattr(knowledge.reading.converters, "read_note", read_and_delete_the_next)
    _, reports = ingest_beside_good(root, tmp_path / "data")
    assert (reports["a.md"].items, reports["a.md"].error) == (1, None)
    assert reports["b.md"].error == "file disappeared while reading"


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    (root / "sub").mkdir(parents=True)
    try:
        (root / os.fsdecode(b"bad\xff.md")).write_text(ONE_ITEM)
        (root / "sub" / os.fsdecode(b"\xe9t\xe9.txt")).write_text(ONE_ITEM)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses names that aren't UTF-8")
    _, reports = ingest_beside_good(root, tmp_path / "data")
    for shown in ("bad\\xff.md", "sub/\\xe9t\\xe9.txt"):
        assert reports[shown].error == "file name is not valid UTF-8; rename it to index it"


def test_reingesting_a_hostile_folder_reuses_the_good_files(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    root.mkdir()
    for name in ("random.md", "empty.md", "broken_yaml.md", "utf16.md", "mixed_encodings.md"):
        (root / name).write_bytes(HOSTILE[name][0])
    os.symlink(root, root / "loop")
    _, first = ingest_beside_good(root, tmp_path / "data")
    emb = FakeEmbedder()
    kb, summary = ingest(root, emb, tmp_path / "data")
    assert {f.path: f for f in summary.files} == first
    assert emb.calls == [] and summary.embedded_files == 0 and summary.reused_files == 4
    assert GOOD_Q in [i.question for i in kb.items]
