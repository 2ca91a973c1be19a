"""Uploads are untrusted: every protection in interviewer.web.uploads, each shown to bite.

Every test that feeds a hostile upload also checks the filesystem afterwards: nothing new
anywhere under tmp_path except inside dest_root, no evil.md anywhere, no staging folder left.
"""

import io
import os
import random
import stat
import struct
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from interviewer.llm.chat import FakeChat
from interviewer.web import uploads
from interviewer.web.uploads import Unpacked, UploadError, unpack
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder
from knowledge.reading import files

NOTES = Path(__file__).parent / "fixtures" / "notes" / "deep_learning.md"
GOOD = b"# Notes\n\n## What is a hash map?\n- A table of buckets indexed by the key's hash\n"
EVIL = b"# evil\n\n## pwned?\n- yes\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"

Member = tuple[str | zipfile.ZipInfo, bytes]


# ---------------------------------------------------------------- helpers


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """Where the uploaded files sit before unpacking (the browser's temp folder)."""
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


@pytest.fixture
def dest(data_dir: Path) -> Path:
    return data_dir / "uploads"


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Runs the test from inside tmp_path, so a write relative to the working folder is seen too."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_zip(path: Path, members: Sequence[Member], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name", on purpose in some tests
        with zipfile.ZipFile(path, "w", compression) as z:
            for name, data in members:
                if isinstance(name, zipfile.ZipInfo):
                    name.compress_type = compression
                z.writestr(name, data)
    return path


def tree(root: Path) -> set[Path]:
    """Every file and link under root, hidden ones included, links not followed."""
    found: set[Path] = set()
    for folder, dirs, names in os.walk(root, followlinks=False):
        found |= {Path(folder) / n for n in names}
        found |= {Path(folder) / d for d in dirs if (Path(folder) / d).is_symlink()}
    return found


def written(dest_root: Path) -> dict[str, bytes]:
    """The notes of the one upload folder under dest_root, by relative path."""
    folders = [p for p in dest_root.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return {p.relative_to(folders[0]).as_posix(): p.read_bytes() for p in sorted(tree(folders[0]))}


def reason(unpacked: Unpacked, name: str) -> str:
    found = [r.split(": ", 1)[1] for r in unpacked.refused if r.startswith(f"{name}: ")]
    assert len(found) == 1, (name, unpacked.refused)
    return found[0]


class Contained:
    """Snapshot of tmp_path; check() says nothing was written outside dest_root, nor left behind.

    The test's own upload files, written to src after the snapshot, are the one exception; an
    evil.md is looked for everywhere, src included.
    """

    def __init__(self, tmp_path: Path, dest_root: Path, src: Path) -> None:
        self.tmp_path, self.dest_root, self.src = tmp_path, dest_root, src
        self.before = tree(tmp_path)

    def allowed(self, path: Path) -> bool:
        """In src, or in an upload folder: dest_root/<16 hex digits>/..."""
        if path.is_relative_to(self.src):
            return True
        parts = path.relative_to(self.dest_root).parts if path.is_relative_to(self.dest_root) else ()
        return len(parts) >= 2 and len(parts[0]) == 16 and all(c in "0123456789abcdef" for c in parts[0])

    def check(self) -> None:
        after = tree(self.tmp_path)
        strays = sorted(p for p in after - self.before if not self.allowed(p))
        assert not strays, f"written outside the upload folders in {self.dest_root}: {strays}"
        assert not [p for p in after if p.name == "evil.md"], "evil.md landed somewhere"
        assert not (self.tmp_path.parent / "evil.md").exists()
        assert not Path("/etc/evil.md").exists() and not Path("/evil.md").exists()
        if self.dest_root.is_dir():
            assert not [p for p in self.dest_root.iterdir() if p.name.startswith(".upload-")], "staging left"


@pytest.fixture
def contained(tmp_path: Path, dest: Path, src: Path, cwd: Path) -> Iterator[Contained]:
    guard = Contained(tmp_path, dest, src)
    yield guard
    guard.check()  # every test using it is checked even if it forgets to


def counting(fn: Callable[..., Any], calls: list[object]) -> Callable[..., Any]:
    def wrapped(*args: Any) -> Any:
        calls.append(args)
        return fn(*args)

    return wrapped


# ---------------------------------------------------------------- size and count limits


def test_a_file_at_the_upload_limit_is_one_the_notes_reader_reads(src: Path, dest: Path) -> None:
    """One limit for both: an upload accepted here is never refused when it is indexed."""
    edge = write(src, "edge.md", b"## Why?\n" + b"a" * (files.MAX_BYTES - 8))
    assert edge.stat().st_size == files.MAX_BYTES
    got = unpack([edge], dest)
    assert got.files == 1 and got.refused == []
    files.read_note(got.folder / "edge.md")  # raises NotesFileError past the reader's own limit


def test_a_plain_file_over_the_size_limit_is_refused_with_its_size(
    src: Path, dest: Path, contained: Contained
) -> None:
    big = write(src, "big.md", b"a" * (files.MAX_BYTES + 1))
    got = unpack([big, write(src, "ok.md", GOOD)], dest)
    assert reason(got, "big.md") == "too large (5.2 MB; the limit is 5 MB)"
    assert got.files == 1 and written(dest) == {"ok.md": GOOD}


def test_a_zip_member_over_the_size_limit_is_refused_without_reading_it(
    src: Path, dest: Path, contained: Contained, monkeypatch: pytest.MonkeyPatch
) -> None:
    # stored, not deflated: the ratio is 1, so only the size check can refuse it
    archive = make_zip(
        src / "notes.zip", [("big.md", b"a" * (files.MAX_BYTES + 1)), ("ok.md", GOOD)], zipfile.ZIP_STORED
    )
    opened: list[object] = []
    monkeypatch.setattr(zipfile.ZipFile, "open", counting(zipfile.ZipFile.open, opened))
    got = unpack([archive], dest)
    assert reason(got, "big.md") == "too large (5.2 MB; the limit is 5 MB)"
    assert len(opened) == 1  # ok.md only: the big member's header was enough
    assert written(dest) == {"ok.md": GOOD}


def test_over_the_total_size_the_whole_upload_is_refused(
    src: Path, dest: Path, contained: Contained, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_TOTAL", 2**20)
    paths = [write(src, f"n{i}.md", b"x" * 300_000) for i in range(4)]
    assert unpack(paths[:3], dest).files == 3  # 900 kB: under the limit
    with pytest.raises(UploadError, match=r"^the upload is over 1 MB of notes; upload fewer files$"):
        unpack(paths, dest / "over")  # 1.2 MB
    assert not (dest / "over").exists()


def test_the_total_is_checked_while_unpacking_not_after_reading_every_member(
    src: Path, dest: Path, contained: Contained, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 50 MB zip of members at 99:1 would otherwise sit in memory as gigabytes before the check."""
    monkeypatch.setattr(uploads, "MAX_TOTAL", 2**20)
    letters = bytes(97 + i % 26 for i in range(256))  # random letters deflate ~1.6:1, under the ratio
    archive = make_zip(
        src / "many.zip",
        [(f"n{i:02}.md", random.Random(i).randbytes(300_000).translate(letters)) for i in range(40)],
    )
    opened: list[object] = []
    monkeypatch.setattr(zipfile.ZipFile, "open", counting(zipfile.ZipFile.open, opened))
    with pytest.raises(UploadError, match="over 1 MB of notes"):
        unpack([archive], dest)
    assert len(opened) == 4  # the fourth member crosses 1 MB; the other 36 are never decompressed
    assert not dest.exists()


def test_too_many_plain_files_refuse_the_upload(
    src: Path, dest: Path, contained: Contained, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_FILES", 3)
    paths = [write(src, f"n{i}.md", GOOD + bytes([65 + i])) for i in range(4)]
    assert unpack(paths[:3], dest).files == 3
    with pytest.raises(UploadError, match=r"^the upload has over 3 notes files; upload a smaller folder$"):
        unpack(paths, dest / "over")
    assert not (dest / "over").exists()


def test_too_many_zip_members_stop_the_unpacking_at_the_limit(
    src: Path, dest: Path, contained: Contained, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_FILES", 3)
    archive = make_zip(src / "many.zip", [(f"n{i}.md", GOOD) for i in range(10)])
    opened: list[object] = []
    monkeypatch.setattr(zipfile.ZipFile, "open", counting(zipfile.ZipFile.open, opened))
    with pytest.raises(UploadError, match="over 3 notes files"):
        unpack([archive], dest)
    assert len(opened) == 4
    assert not dest.exists()


def test_an_archive_with_far_too_many_members_is_refused_before_any_is_read(
    src: Path, dest: Path, contained: Contained, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_FILES", 3)
    archive = make_zip(src / "huge.zip", [(f"n{i}.md", GOOD) for i in range(13)])  # over 4 x 3
    opened: list[object] = []
    monkeypatch.setattr(zipfile.ZipFile, "open", counting(zipfile.ZipFile.open, opened))
    with pytest.raises(UploadError, match=r"^huge\.zip holds 13 files; the limit is 3 notes$"):
        unpack([archive], dest)
    assert opened == []


# ---------------------------------------------------------------- names that climb out


OUTSIDE = "path leads outside the archive (..)"
ABSOLUTE = "absolute path inside the archive"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../evil.md", OUTSIDE),
        ("a/../../evil.md", OUTSIDE),
        ("../../../../evil.md", OUTSIDE),  # staging is 3 deep in tmp_path: this aims above it
        ("a/b/../../../evil.md", OUTSIDE),
        ("..\\evil.md", OUTSIDE),  # Windows separators are separators too
        ("a\\..\\..\\evil.md", OUTSIDE),
        ("/etc/evil.md", ABSOLUTE),
        ("/evil.md", ABSOLUTE),
        ("\\evil.md", ABSOLUTE),
        ("C:/evil.md", ABSOLUTE),
        ("C:\\evil.md", ABSOLUTE),
        ("C:evil.md", ABSOLUTE),  # drive-relative: on Windows it lands in C:'s working folder
    ],
)
def test_zip_names_that_leave_the_folder_are_refused_and_nothing_escapes(
    name: str, why: str, src: Path, dest: Path, contained: Contained
) -> None:
    archive = make_zip(src / "notes.zip", [(zipfile.ZipInfo(name), EVIL), ("ok.md", GOOD)])
    assert [i.filename for i in zipfile.ZipFile(archive).infolist()][0] == name  # zipfile kept it as is
    got = unpack([archive], dest)
    contained.check()  # first: where the bytes went matters more than what the reason says
    assert reason(got, name.replace("\\", "/")) == why
    assert got.files == 1 and written(dest) == {"ok.md": GOOD}


def test_the_writer_itself_refuses_a_name_outside_its_folder(dest: Path, contained: Contained) -> None:
    """Second line of defence: a name that got past the checks still can't be written outside."""
    with pytest.raises(UploadError, match="path leads outside the upload folder"):
        uploads._write({"ok.md": GOOD, "../evil.md": EVIL}, dest)
    assert tree(dest) == set()


def test_a_symlink_member_is_refused(src: Path, dest: Path, contained: Contained) -> None:
    link = zipfile.ZipInfo("link.md")
    link.create_system = 3  # Unix
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = make_zip(src / "notes.zip", [(link, b"/etc/passwd"), ("ok.md", GOOD)])
    got = unpack([archive], dest)
    assert reason(got, "link.md") == "a symbolic link"
    assert written(dest) == {"ok.md": GOOD}
    assert not [p for p in tree(dest) if p.is_symlink()]


@pytest.mark.parametrize("name", [".hidden.md", ".git/notes.md", "topic/.obsidian/workspace.md"])
def test_hidden_zip_members_are_refused(name: str, src: Path, dest: Path, contained: Contained) -> None:
    archive = make_zip(src / "notes.zip", [(name, GOOD + b"x"), ("ok.md", GOOD)])
    got = unpack([archive], dest)
    assert reason(got, name) == "hidden file or folder"
    assert written(dest) == {"ok.md": GOOD}


def test_a_hidden_plain_file_is_refused_not_silently_dropped(
    src: Path, dest: Path, contained: Contained
) -> None:
    """The notes reader skips hidden files, so one accepted here would vanish without a reason."""
    got = unpack([write(src, ".secret.md", GOOD + b"x"), write(src, "ok.md", GOOD)], dest)
    assert reason(got, ".secret.md") == "hidden file or folder"
    assert written(dest) == {"ok.md": GOOD}


# ---------------------------------------------------------------- zip bombs


def test_a_member_compressed_over_the_ratio_is_refused_as_a_bomb(
    src: Path, dest: Path, contained: Contained
) -> None:
    # 4 MB of one letter: under the size limit, valid text, and about 1000:1 when deflated
    archive = make_zip(src / "bomb.zip", [("bomb.md", b"a" * (4 * 2**20)), ("ok.md", GOOD)])
    info = zipfile.ZipFile(archive).getinfo("bomb.md")
    assert info.file_size <= files.MAX_BYTES and info.file_size / info.compress_size > 500
    got = unpack([archive], dest)
    assert reason(got, "bomb.md") == "compressed over 100 to 1: refused as a possible zip bomb"
    assert written(dest) == {"ok.md": GOOD}


def test_twenty_megabytes_of_zeros_are_refused(src: Path, dest: Path, contained: Contained) -> None:
    archive = make_zip(src / "bomb.zip", [("zeros.md", bytes(20_000_000)), ("ok.md", GOOD)])
    got = unpack([archive], dest)
    assert reason(got, "zeros.md").startswith("too large (20.0 MB")
    assert written(dest) == {"ok.md": GOOD}


def _lie_about_size(archive: Path, name: str, size: int) -> None:
    """Rewrites the uncompressed size of `name` in both its local and central headers."""
    data = bytearray(archive.read_bytes())
    # signature, offset of the uncompressed size, of the name's length, of the name
    for signature, size_at, length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + length_at)[0]
            if bytes(data[at + name_at : at + name_at + length]) == name.encode():
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 4)
    archive.write_bytes(bytes(data))


def test_a_member_whose_header_understates_its_size_is_refused(
    src: Path, dest: Path, contained: Contained
) -> None:
    # 20 MB of text in ~20 kB, headers claiming 1000 bytes: passes the size and ratio checks on paper
    archive = make_zip(src / "liar.zip", [("liar.md", b"a" * 20_000_000), ("ok.md", GOOD)])
    _lie_about_size(archive, "liar.md", 1000)
    info = zipfile.ZipFile(archive).getinfo("liar.md")
    assert info.file_size == 1000 and info.file_size / info.compress_size < uploads.MAX_RATIO
    got = unpack([archive], dest)
    assert reason(got, "liar.md").startswith("can't be unpacked")  # zipfile stops at 1000 bytes: bad CRC
    assert written(dest) == {"ok.md": GOOD}


class _Endless(io.RawIOBase):
    """A member stream that yields more than its header said (a zip reader that trusts the data)."""

    def __init__(self, size: int) -> None:
        self.left, self.served = size, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        n = self.left if n is None or n < 0 else min(n, self.left)
        self.left -= n
        self.served += n
        return b"a" * n


def test_reading_a_member_stops_just_past_the_size_limit(
    src: Path, dest: Path, contained: Contained, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_BYTES", 1000)
    archive = make_zip(src / "liar.zip", [("liar.md", b"a" * 500)])
    stream = _Endless(10_000_000)
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: stream)
    with pytest.raises(UploadError, match="liar.md: larger than its archive header says"):
        unpack([archive], dest)
    assert stream.served == 1001  # never the 10 MB on offer


# ---------------------------------------------------------------- not notes


def _random_text_free(n: int) -> bytes:
    """Random bytes with no NUL, so only the control-character test can tell it isn't text."""
    return bytes(b for b in random.Random(0).randbytes(n) if b)


BINARY = "not a text file, or not in UTF-8 or GB18030"
NOT_NOTES = "not a notes file (.md, .markdown, .txt, .pdf, .docx, .pptx, .html, .ipynb or .apkg)"


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("image.md", PNG, "not a text file (binary data)"),
        ("random.txt", random.Random(1).randbytes(4096), "not a text file (binary data)"),
        ("random.md", _random_text_free(4096), BINARY),
        ("tool.exe", b"MZ\x90\x00" + bytes(100), NOT_NOTES),
        ("notes.md.exe", GOOD, NOT_NOTES),
        ("notes.odt", b"PK\x03\x04" + bytes(100), NOT_NOTES),  # .pdf is read now (converters.py)
    ],
)
def test_files_that_are_not_notes_are_refused_plain_or_zipped(
    name: str, data: bytes, why: str, src: Path, dest: Path, contained: Contained
) -> None:
    plain = unpack([write(src, name, data), write(src, "ok.md", GOOD)], dest)
    assert reason(plain, name) == why
    zipped = unpack([make_zip(src / "n.zip", [(f"d/{name}", data), ("ok.md", GOOD)])], dest)
    assert reason(zipped, f"d/{name}") == why
    assert written(dest) == {"ok.md": GOOD}  # the same one file both times


def test_a_zip_inside_a_zip_is_refused_not_opened(src: Path, dest: Path, contained: Contained) -> None:
    inner = make_zip(src / "inner.zip", [("evil.md", EVIL)]).read_bytes()
    got = unpack([make_zip(src / "outer.zip", [("inner.zip", inner), ("ok.md", GOOD)])], dest)
    assert reason(got, "inner.zip") == NOT_NOTES
    assert written(dest) == {"ok.md": GOOD}


@pytest.mark.parametrize(
    "data",
    [b"not a zip at all", b"PK\x03\x04" + bytes(60), b"", b"__truncated__"],
)
def test_a_corrupt_zip_refuses_the_upload(data: bytes, src: Path, dest: Path, contained: Contained) -> None:
    if data == b"__truncated__":
        whole = make_zip(src / "whole.zip", [("ok.md", GOOD)]).read_bytes()
        data = whole[: len(whole) - 10]  # the end of central directory is cut off
    with pytest.raises(UploadError, match=r"^broken\.zip is not a readable \.zip archive \("):
        unpack([write(src, "broken.zip", data), write(src, "ok.md", GOOD)], dest)
    assert not dest.exists()


def test_an_upload_with_nothing_usable_says_why(src: Path, dest: Path, contained: Contained) -> None:
    archive = make_zip(src / "junk.zip", [("../evil.md", EVIL), ("pic.md", PNG)])
    with pytest.raises(UploadError) as e:
        unpack([write(src, "tool.exe", b"MZ"), archive], dest)
    assert str(e.value) == (
        "no usable notes files (.md, .txt, .pdf, .docx, .pptx, .html, .ipynb, .apkg) in the upload: "
        "tool.exe: "
        + NOT_NOTES
        + "; ../evil.md: "
        + OUTSIDE
        + "; pic.md: not a text file (binary data)"
    )
    with pytest.raises(UploadError, match=r"no usable notes files .*: nothing was uploaded$"):
        unpack([], dest)
    with pytest.raises(UploadError, match=r"nothing was uploaded$"):
        unpack([make_zip(src / "empty.zip", [("folder/", b"")])], dest)
    assert not dest.exists()


# ---------------------------------------------------------------- good uploads


def test_notes_land_under_one_folder_with_their_paths_and_bytes(
    src: Path, dest: Path, contained: Contained
) -> None:
    members = {
        "topic/sub/c.md": b"# C\r\n\r\n## Why?\r\n- windows line ends kept as sent\r\n",
        "topic/d.markdown": b"\xef\xbb\xbf# D with a BOM\n",
        "E.TXT": b"plain text\n",
        "./f.md": b"# F\n",
    }
    archive = make_zip(src / "notes.zip", [(*kv,) for kv in members.items()] + [("topic/", b"")])
    got = unpack([write(src, "a.md", GOOD), write(src, "b.txt", b"b\n"), archive], dest)
    assert (
        got.folder.parent == dest
        and len(got.folder.name) == 16
        and set(got.folder.name) <= set("0123456789abcdef")
    )
    assert got.files == 6 and got.refused == []
    expected = {"a.md": GOOD, "b.txt": b"b\n", **{k.removeprefix("./"): v for k, v in members.items()}}
    assert written(dest) == expected


def test_the_same_upload_twice_returns_the_same_folder(
    src: Path, dest: Path, contained: Contained, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = write(src, "a.md", GOOD), write(src, "b.md", b"# B\n")
    first = unpack([a, b], dest)
    stamp = (first.folder / "a.md").stat().st_mtime_ns
    with monkeypatch.context() as m:
        m.setattr(uploads.tempfile, "mkdtemp", lambda **_: pytest.fail("wrote the same upload again"))
        again = unpack([b, a], dest)  # order doesn't matter either
    assert again.folder == first.folder and again.files == 2
    assert (first.folder / "a.md").stat().st_mtime_ns == stamp  # not rewritten
    other = unpack([a, write(src, "c/b.md", b"# B changed\n")], dest)
    assert other.folder != first.folder
    assert sorted(p.name for p in dest.iterdir()) == sorted([first.folder.name, other.folder.name])


def test_a_duplicate_name_keeps_the_first_and_reports_the_second(
    src: Path, dest: Path, contained: Contained
) -> None:
    first, second = write(src, "one/a.md", GOOD), write(src, "two/a.md", b"# second\n")
    archive = make_zip(src / "n.zip", [("a.md", b"# third\n"), ("t/x.md", b"# x1\n"), ("t/x.md", b"# x2\n")])
    got = unpack([first, second, archive], dest)
    assert got.refused == [
        "a.md: a second file with this name (the first is kept)",
        "a.md: a second file with this name (the first is kept)",
        "t/x.md: a second file with this name (the first is kept)",
    ]
    assert written(dest) == {"a.md": GOOD, "t/x.md": b"# x1\n"}


def test_a_file_and_a_folder_of_the_same_name_are_refused_not_a_crash(
    src: Path, dest: Path, contained: Contained
) -> None:
    """Writing both would fail half way with an OSError; the one that comes second is refused."""
    archive = make_zip(
        src / "n.zip",
        [("a.md", GOOD), ("a.md/b.md", b"# b\n"), ("c.md/d.md", b"# d\n"), ("c.md", b"# c\n")],
    )
    got = unpack([archive], dest)
    assert got.refused == [
        "a.md/b.md: a file and a folder with the same name (the first is kept)",
        "c.md: a file and a folder with the same name (the first is kept)",
    ]
    assert written(dest) == {"a.md": GOOD, "c.md/d.md": b"# d\n"}


def test_names_differing_only_in_case_are_one_name(src: Path, dest: Path, contained: Contained) -> None:
    """On macOS and Windows the second would silently overwrite the first."""
    archive = make_zip(src / "n.zip", [("Notes.md", GOOD), ("notes.md", b"# lower\n"), ("t/a.md", b"# a\n")])
    got = unpack([archive, write(src, "x/NOTES.MD", b"# upper\n"), write(src, "y/A.md", b"# A\n")], dest)
    assert got.refused == [
        "notes.md: a second file with this name (the first is kept)",
        "NOTES.MD: a second file with this name (the first is kept)",
    ]
    assert written(dest) == {"Notes.md": GOOD, "t/a.md": b"# a\n", "A.md": b"# A\n"}


def test_chinese_names_and_gb18030_text_are_accepted(src: Path, dest: Path, contained: Contained) -> None:
    utf8 = "# 数据结构\n\n## 什么是哈希表？\n- 用键的哈希值定位桶\n".encode()
    gb = "# 算法\n\n## 动态规划的核心是什么？\n- 最优子结构和重叠子问题\n".encode("gb18030")
    archive = make_zip(src / "笔记.zip", [("算法/动态规划.md", gb), ("面试/题目.txt", utf8)])
    got = unpack([write(src, "面试笔记.md", utf8), write(src, "旧笔记.txt", gb), archive], dest)
    assert got.refused == [] and got.files == 4
    assert written(dest) == {
        "面试笔记.md": utf8,
        "旧笔记.txt": gb,
        "算法/动态规划.md": gb,
        "面试/题目.txt": utf8,
    }
    assert "动态规划" in files.read_note(got.folder / "算法" / "动态规划.md")


# ---------------------------------------------------------------- through the Coach


def test_the_coach_indexes_the_good_file_and_lists_the_refused(
    data_dir: Path, tmp_path: Path, src: Path
) -> None:
    before = tree(tmp_path)
    bad = make_zip(src / "more.zip", [("../evil.md", EVIL), ("pic.md", PNG), ("extra/more.md", GOOD)])
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat())
    loaded = coach.upload([NOTES, write(src, "tool.exe", b"MZ"), bad])
    assert Path(loaded.root).is_relative_to((data_dir / "uploads").resolve())
    assert loaded.summary.items == 4  # 3 in the fixture notes, 1 in extra/more.md
    assert sorted(f.path for f in loaded.summary.files) == ["deep_learning.md", "extra/more.md"]
    assert loaded.refused == [
        "tool.exe: " + NOT_NOTES,
        "../evil.md: " + OUTSIDE,
        "pic.md: not a text file (binary data)",
    ]
    assert "Deep learning" in loaded.topics
    strays = sorted(p for p in tree(tmp_path) - before if not p.is_relative_to(data_dir) and p.parent != src)
    assert not strays and not [p for p in tree(tmp_path) if p.name == "evil.md"]
    assert coach.engine(loaded.root) is coach.engine(loaded.root)
