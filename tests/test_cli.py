"""The command line: `ingest --json` prints exactly one JSON object; bench reports its figures."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import app
from tests.conftest import BUNDLED, ROOT

KEYS = {"files", "items", "answered", "chunks", "rubric_points", "seconds", "embedder"}


def test_ingest_json_is_one_object(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert app.main(["ingest", str(seeds), "--json", "--embedder", "fake"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == KEYS
    assert (out["items"], out["answered"], out["embedder"]) == (92, 75, "fake")
    assert set(out["files"][0]) == {"path", "items", "answered", "rubric_points", "error"}


def test_ingest_single_file_and_missing_path(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = next(seeds.glob("004_*"))
    assert app.main(["ingest", str(one), "--json", "--embedder", "fake"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in out["files"]] == [one.name] and out["items"] == 30
    assert app.main(["ingest", str(seeds / "nope"), "--embedder", "fake"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_bundled_notes_are_rich_enough(capsys: pytest.CaptureFixture[str]) -> None:
    assert app.main(["ingest", str(BUNDLED), "--json", "--embedder", "fake"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["items"] >= 40 and out["answered"] >= 40
    assert all(f["error"] is None and f["items"] > 0 for f in out["files"])
    assert {Path(f["path"]).suffix for f in out["files"]} >= {".md", ".txt"}


def test_bench_reports_retrieval_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert app.main(["bench", "--json", "--embedder", "fake"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["items"] >= 40 and 0 <= out["chunks_top1"] <= out["chunks_top5"] <= 1


def test_importing_the_packages_loads_no_heavy_library() -> None:
    code = (
        "import sys, app, knowledge.base, knowledge.notes, knowledge.embedder, knowledge.index;"
        "heavy = {'torch', 'faiss', 'sentence_transformers', 'transformers'} & set(sys.modules);"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
