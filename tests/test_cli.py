"""The command line: `ingest --json` prints exactly one JSON object; bench reports its figures."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

import app
from tests.conftest import BUNDLED, ROOT

KEYS = {"files", "items", "answered", "rubric_points", "seconds", "embedder"}


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


def test_bench_scales_the_seeds_up_to_a_big_folder(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--scale 250: 250 questions from the 92 seed ones, each text distinct, so all are embedded."""
    assert app.main(["bench", str(seeds), "--scale", "250", "--json", "--embedder", "fake"]) == 0
    out = json.loads(capsys.readouterr().out)
    seeds_out = app.main(["ingest", str(seeds), "--json", "--embedder", "fake"])
    per_seed = json.loads(capsys.readouterr().out)
    assert seeds_out == 0 and per_seed["items"] == 92
    # the seeds' own mix: as many points per question, give or take the cycle's remainder
    seeds_texts = per_seed["rubric_points"] / per_seed["items"]
    assert abs(out["texts_embedded_per_question"] - seeds_texts) < 0.5
    assert math.isfinite(out["ingest_cold_s"]) and out["ingest_cold_s"] >= 0


def test_bench_reports_retrieval_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert app.main(["bench", "--json", "--embedder", "fake"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["items"] >= 40 and 0 <= out["points_only_top1"] <= out["points_only_top5"] <= 1
    assert 1 <= out["texts_embedded_per_question"] <= 20  # each distinct point once, nothing else
    timings = [
        "ingest_cold_s",
        "ingest_warm_s",
        "index_load_s",
        "search_p50_s",
        "search_100k_p95_s",
        "grade_p50_s",
        "grade_p95_s",
        "app_start_to_ready_s",
        "peak_rss_mb",
    ]
    # present and sane, never a magnitude: a fast machine may round a timing to 0.0
    assert all(isinstance(out[k], float) and math.isfinite(out[k]) and out[k] >= 0 for k in timings)
    assert 0 <= out["followups_ready_after_ask_p50_s"] <= out["followups_ready_after_ask_p95_s"]
    assert out["llm"] == "fake" and out["followup_llm_calls_after_enter"] == 0  # all written while thinking
    assert out["followup_usable_en"] == "20 of 20"  # FakeChat asks a fair question
    assert out["followup_usable_zh"].endswith(" of 20")


def test_importing_the_packages_loads_no_heavy_library() -> None:
    code = (
        "import sys, app, knowledge.index.ingest, knowledge.index.knowledge_base, knowledge.reading.notes;"
        "import knowledge.index.embedder;"
        "import knowledge.index.vectors;"
        "heavy = {'torch', 'faiss', 'sentence_transformers', 'transformers'} & set(sys.modules);"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_grade_prints_the_grade_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "grade",
        "--question",
        "What does dropout do?",
        "--reference",
        "Dropout randomly zeroes activations during training. It reduces co-adaptation between neurons.",
        "--answer",
        "",
        "--embedder",
        "fake",
        "--json",
    ]
    assert app.main(argv) == 0
    grade = json.loads(capsys.readouterr().out)
    assert grade["score"] == 0.0 and grade["reason"] == "The answer is empty."
    assert [p["status"] for p in grade["points"]] == ["missed", "missed"]


def test_grade_against_a_notes_item(capsys: pytest.CaptureFixture[str]) -> None:
    assert app.main(["ingest", str(BUNDLED), "--json", "--embedder", "fake"]) == 0
    capsys.readouterr()
    from interviewer.settings import Settings
    from knowledge.index.embedder import FakeEmbedder
    from knowledge.index.ingest import index_dir
    from knowledge.index.knowledge_base import open_kb

    kb = open_kb(index_dir(Settings().data_dir, BUNDLED, "fake"), FakeEmbedder())
    item = next(i for i in kb.items if "KV cache" in i.question)
    answer = "KV cache 把历史 token 的 K 和 V 缓存下来，每步只算新 token。"
    assert app.main(["grade", "--item", item.id, "--answer", answer, "--embedder", "fake"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Score: ") and "[llm_training.md: " in out
    assert app.main(["grade", "--item", "nope", "--answer", "x", "--embedder", "fake"]) == 2
