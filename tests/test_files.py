"""Reading notes files: encodings, and a clear reason for every file we can't use."""

import os
from pathlib import Path

import pytest

from knowledge.reading.files import MAX_BYTES, NotesFileError, decode, find_notes, read_note

TEXT = "## 什么是注意力？\n注意力按相关性加权求和。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_decodes_common_encodings(encoding: str) -> None:
    assert decode(TEXT.encode(encoding)) == TEXT


@pytest.mark.parametrize(
    "data, reason",
    [(b"", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"), (bytes(range(256)) * 4, "binary")],
)
def test_refuses_empty_and_binary(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(data)
    with pytest.raises(NotesFileError, match=reason):
        read_note(path)


def test_refuses_huge_files(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with open(path, "wb") as f:
        f.truncate(MAX_BYTES + 1)
    with pytest.raises(NotesFileError, match="too large"):
        read_note(path)


def test_reports_unreadable_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.md"
    path.write_text(TEXT)
    path.chmod(0)
    if os.geteuid() == 0:  # root reads any file: make the read fail the way it would for a user

        def denied(self: Path) -> bytes:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(NotesFileError, match="permission"):
        read_note(path)


def test_finds_notes_recursively_skipping_hidden_and_other_files(tmp_path: Path) -> None:
    for name in ["a.md", "sub/b.markdown", "sub/deeper/c.txt", ".obsidian/d.md", "e.odt", "sub/.hidden.md"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(TEXT)
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    found = [p.relative_to(tmp_path).as_posix() for p in find_notes(tmp_path)]
    assert found == ["a.md", "sub/b.markdown", "sub/deeper/c.txt"]
