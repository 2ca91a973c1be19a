"""Ingest, incremental re-ingest, search, and never trusting or half-writing a damaged index."""

import json
from pathlib import Path

import pytest

from knowledge.index import on_disk
from knowledge.index.embedder import FakeEmbedder
from knowledge.index.ingest import index_dir, ingest
from knowledge.index.knowledge_base import KnowledgeBase, open_kb
from knowledge.index.on_disk import CorruptIndex

NOTES = {
    "attention.md": "---\ntags: [Transformer]\n---\n## 什么是自注意力？\n- 每个位置与所有位置计算相关性\n"
    "- 用 softmax 归一化后对 V 加权求和\n\n## Why scale dot products by sqrt(d)?\n"
    "Large dot products saturate the softmax. Scaling keeps gradients healthy.\n",
    "sub/training.md": "## What is dropout?\nDropout randomly zeroes activations during training.\n"
    "It reduces co-adaptation between neurons.\n",
    "open.md": "## Open questions\n#### 1. How would you design memory for an agent?\n",
}


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    return write(tmp_path / "notes", NOTES)


def test_ingest_summary_and_search(notes: Path, data_dir: Path) -> None:
    emb = FakeEmbedder()
    kb, summary = ingest(notes, emb, index_dir(data_dir, notes, emb.name))
    assert [(f.path, f.items, f.answered, f.error) for f in summary.files] == [
        ("attention.md", 2, 2, None),
        ("open.md", 1, 0, None),
        ("sub/training.md", 1, 1, None),
    ]
    assert (summary.items, summary.answered) == (4, 3)
    assert summary.rubric_points == sum(len(i.rubric) for i in kb.items) == 6
    points = kb.search_points(emb.encode(["softmax 归一化"], "query")[0], limit=1)
    assert points[0].text == "用 softmax 归一化后对 V 加权求和" and points[0].point == 1
    attention = next(i for i in kb.items if i.source == "attention.md")
    assert attention.tags == ["Transformer"] and attention.topic == "Transformer"
    assert kb.point_vectors(attention.id).shape == (2, emb.dim)


def test_reingest_embeds_only_changed_files_and_drops_removed_ones(notes: Path, data_dir: Path) -> None:
    folder = index_dir(data_dir, notes, "fake")
    ingest(notes, FakeEmbedder(), folder)
    changed = "## What is weight decay?\nIt adds an L2 penalty on weights.\n"
    (notes / "sub" / "training.md").write_text(changed)
    (notes / "open.md").unlink()
    emb = FakeEmbedder()
    kb, summary = ingest(notes, emb, folder)
    embedded = [t for batch in emb.calls for t in batch]
    assert all("weight decay" in t or "L2 penalty" in t for t in embedded) and embedded
    assert (summary.reused_files, summary.embedded_files) == (1, 1)
    questions = sorted(i.question for i in kb.items)
    assert questions == ["What is weight decay?", "Why scale dot products by sqrt(d)?", "什么是自注意力？"]
    # reused vectors are the very vectors a fresh build gives
    fresh, _ = ingest(notes, FakeEmbedder(), folder.with_name("fresh"))
    item = next(i for i in kb.items if i.question == "什么是自注意力？")
    assert (kb.point_vectors(item.id) == fresh.point_vectors(item.id)).all()
    assert open_kb(folder, FakeEmbedder()).manifest.items == 3


def test_bad_files_are_reported_and_the_rest_indexed(notes: Path, data_dir: Path) -> None:
    (notes / "empty.md").write_text("")
    (notes / "binary.md").write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    (notes / "nothing.txt").write_text("just a line of text without any question in it")
    gbk = "一、基础\n1. 什么是梯度下降？\n沿负梯度方向更新参数。\n"
    (notes / "gbk.txt").write_bytes(gbk.encode("gb18030"))
    _, summary = ingest(notes, FakeEmbedder(), index_dir(data_dir, notes, "fake"))
    errors = {f.path: f.error for f in summary.files}
    assert errors["empty.md"] == "empty file"
    assert errors["binary.md"] is not None and "binary" in errors["binary.md"]
    assert errors["nothing.txt"] == "no questions found in this file"
    assert errors["gbk.txt"] is None and summary.items == 5


def test_empty_folder_gives_an_empty_index(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "none").mkdir()
    kb, summary = ingest(tmp_path / "none", FakeEmbedder(), data_dir / "x")
    assert summary.files == [] and summary.items == 0
    assert kb.search_points(FakeEmbedder().encode(["q"], "sts")[0]) == []


@pytest.mark.parametrize("damage", ["manifest", "faiss", "payload", "truncate"])
def test_damaged_index_is_detected_and_rebuilt(notes: Path, data_dir: Path, damage: str) -> None:
    folder = index_dir(data_dir, notes, "fake")
    ingest(notes, FakeEmbedder(), folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    target = {
        "manifest": folder / "manifest.json",
        "faiss": folder / next(n for n in manifest["data"] if n.startswith("points")),
        "payload": folder / next(n for n in manifest["data"] if n.startswith("kb")),
        "truncate": folder / next(n for n in manifest["data"] if n.startswith("points")),
    }[damage]
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"{not json" + data[9:])
    with pytest.raises(CorruptIndex):
        open_kb(folder, FakeEmbedder())
    emb = FakeEmbedder()
    kb, summary = ingest(notes, emb, folder)
    assert summary.embedded_files == 3 and summary.reused_files == 0
    assert open_kb(folder, FakeEmbedder()).manifest.items == kb.manifest.items == 4


def test_crash_mid_save_leaves_the_previous_index_loadable(
    notes: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = index_dir(data_dir, notes, "fake")
    ingest(notes, FakeEmbedder(), folder)
    (notes / "extra.md").write_text("## What is batch norm?\nIt normalises activations per mini-batch.\n")

    def crash(*args: object) -> None:
        raise KeyboardInterrupt("killed while writing")

    monkeypatch.setattr(on_disk, "write_atomic", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest(notes, FakeEmbedder(), folder)
    monkeypatch.undo()
    assert open_kb(folder, FakeEmbedder()).manifest.items == 4


def test_index_built_by_another_embedder_is_not_used(notes: Path, data_dir: Path) -> None:
    folder = data_dir / "kb"
    ingest(notes, FakeEmbedder(dim=64), folder)
    with pytest.raises(CorruptIndex, match="built with"):
        open_kb(folder, type("Other", (FakeEmbedder,), {})(dim=32))


def test_a_point_written_in_two_notes_is_embedded_once(tmp_path: Path, data_dir: Path) -> None:
    shared = "Dropout randomly zeroes activations during training."
    notes = write(
        tmp_path / "twice",
        {
            "a.md": f"## What does dropout do?\n- {shared}\n- It reduces co-adaptation.\n",
            "b.md": f"## Why is dropout a regularizer?\n- {shared}\n- It acts like an ensemble.\n",
        },
    )
    emb = FakeEmbedder()
    kb, _ = ingest(notes, emb, index_dir(data_dir, notes, emb.name))
    embedded = [t for batch in emb.calls for t in batch]
    assert embedded.count(shared.rstrip(".")) == 1 and len(embedded) == 3  # points lose the full stop
    a, b = (next(i for i in kb.items if i.source == name) for name in ("a.md", "b.md"))
    assert (kb.point_vectors(a.id)[0] == kb.point_vectors(b.id)[0]).all()
    assert not (kb.point_vectors(a.id)[1] == kb.point_vectors(b.id)[1]).all()


def test_a_big_folder_hands_over_its_first_questions_before_the_rest(tmp_path: Path, data_dir: Path) -> None:
    """300 questions of 2 points: the first group's questions come out while the rest wait, each
    with the very vectors the finished index gives it."""
    files = {
        f"{f:02d}.md": "".join(
            f"## Question {f}-{q}?\n- point one of {f}-{q}\n- point two of {f}-{q}\n" for q in range(30)
        )
        for f in range(10)
    }
    notes = write(tmp_path / "big", files)
    emb = FakeEmbedder()
    partial: list[KnowledgeBase] = []
    kb, summary = ingest(notes, emb, index_dir(data_dir, notes, emb.name), on_partial=partial.append)
    # 600 points: a first group of 32 (the first questions come soon), then groups of 256
    assert summary.items == 300 and [len(p.items) for p in partial] == [16, 144, 272]
    first = partial[0]
    assert [i.id for i in first.items] == [i.id for i in kb.items[: len(first.items)]]  # notes' order
    for item in first.items:
        assert (first.point_vectors(item.id) == kb.point_vectors(item.id)).all()
    embedded = [t for batch in emb.calls for t in batch]
    assert len(embedded) == len(set(embedded)) == 600  # grouping embeds nothing twice
    again: list[KnowledgeBase] = []
    ingest(notes, emb, index_dir(data_dir, notes, emb.name), on_partial=again.append)
    assert again == []  # nothing new to embed: the whole index at once
