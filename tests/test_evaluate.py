"""The eval command: file formats, metrics against hand-worked values, folds, predictions."""

import json
from pathlib import Path

import numpy as np
import pytest

import app
from evaluation import replay
from evaluation.evaluate import Prepared
from evaluation.judge import judge
from evaluation.metrics import metrics
from evaluation.rows import EvalRow, load_rows
from evaluation.splits import file_out, question_folds, units
from interviewer.llm.chat import FakeChat
from tests.conftest import ROOT

ZH = ROOT / "tests" / "fixtures" / "zh_graded.jsonl"


def test_metrics_match_a_hand_worked_example() -> None:
    # deviations from the mean 2.5: human -1.5 -.5 .5 1.5, predicted -1.5 .5 -.5 1.5
    # pearson = (2.25 - .25 - .25 + 2.25) / 5 = 0.8; ranks are the values, so spearman = 0.8
    # rmse = sqrt((0 + 1 + 1 + 0) / 4); quadratic kappa = 1 - (2/9) / (10/9) = 0.8
    m = metrics(np.array([1.0, 2, 3, 4]), np.array([1.0, 3, 2, 4]), scale=10, seconds=0.5)
    assert m == {"pearson": 0.8, "spearman": 0.8, "rmse": 0.7071, "qwk": 0.8, "sec_per_answer": 0.5}


def test_rows_take_string_scores_several_references_and_question_ids(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    rows = [
        {"q_id": "a", "question": "Q1", "answer": "x", "score": "7.5", "reference1": "R1", "reference2": ""},
        {"q_id": "a", "question": "Q1", "answer": "y", "score": 3, "reference1": "R1", "reference2": "R2"},
        {"question": "Q2", "answer": "z", "score": 9, "reference": "R3"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    loaded, scale = load_rows(path)
    assert scale == 9 and [r.score for r in loaded] == [7.5, 3.0, 9.0]
    assert [r.references for r in loaded] == [["R1"], ["R1", "R2"], ["R3"]]
    assert [r.group for r in loaded] == ["a", "a", "Q2"]
    path.write_text('{"question": "Q", "answer": "A"}\n')
    with pytest.raises(ValueError, match="g.jsonl:1"):
        load_rows(path)


def row(group: str, question: str, reference: str, twin_of: str | None = None) -> EvalRow:
    return EvalRow(
        question=question, answer="a", score=1, references=[reference], group=group, twin_of=twin_of
    )


def test_twins_and_near_duplicates_are_one_unit() -> None:
    english = [
        row("1.1", "What is a pointer?", "An address."),
        row("6.1", "What is a  pointer ?", "A variable holding an address."),  # the same question
        row("9.1", "What is a stack?", "LIFO."),
        row("12.6", "Name a LIFO structure.", "lifo"),  # the same reference
        row("2.1", "What is a queue?", "FIFO."),
    ]
    chinese = [
        row("zh.1", "什么是指针？", "地址。", twin_of="1.1"),
        row("zh.2", "什么是队列？", "先进先出。"),
    ]
    assert units([english, chinese]) == ["0:1.1", "0:1.1", "0:9.1", "0:9.1", "0:2.1", "0:1.1", "1:zh.2"]


def test_folds_never_share_a_unit() -> None:
    unit = [f"q{i % 7}" for i in range(70)]
    folds = question_folds(unit, 5)
    assert len(folds) == 5
    assert sorted(int(i) for _, test in folds for i in test) == list(range(70))
    for train, test in folds:
        assert not {unit[i] for i in train} & {unit[i] for i in test}


def test_a_file_left_out_takes_its_twins_in_other_files_with_it() -> None:
    files = np.array([0, 0, 0, 1, 1, 1, 2])
    unit = ["a", "a", "b", "a", "c", "c", "d"]  # file 1's first row is a twin of file 0's "a"
    train, test = file_out(files, unit, 0)
    assert test.tolist() == [0, 1, 2] and train.tolist() == [4, 5, 6]
    train, test = file_out(files, unit, 1)
    assert test.tolist() == [3, 4, 5] and train.tolist() == [2, 6]


def test_eval_cli_predictions_match_the_reported_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pred.jsonl"
    argv = [
        "eval",
        str(ZH),
        "--embedder",
        "fake",
        "--folds",
        "3",
        "--json",
        "--predictions",
        str(out),
        "--judge-rows",
        "10",
    ]
    assert app.main(argv) == 0  # COACH_LLM=fake: the judge replies with no number at all
    report = json.loads(capsys.readouterr().out)
    assert set(report["graders"]) == {"rubric", "interview", "cosine", "llm_judge"}
    assert report["graders"]["llm_judge"]["rows"] == report["graders"]["llm_judge"]["unparsed"] == 10
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == report["n"] == 72 and [d["row"] for d in lines] == list(range(72))
    assert [d["llm_judge"] for d in lines] == [5.0] * 10 + [None] * 62
    human = np.array([d["human"] for d in lines])
    for name in ("rubric", "interview", "cosine"):
        again = metrics(human, np.array([d[name] for d in lines]), 10, 0)
        assert again["pearson"] == pytest.approx(report["graders"][name]["pearson"], abs=1e-3)
        assert again["rmse"] == pytest.approx(report["graders"][name]["rmse"], abs=1e-3)


def test_llm_judge_reads_the_first_number_of_each_reply() -> None:
    rows, scale = load_rows(ZH, limit=4)
    chat = FakeChat(["7", "Score: 3/10", "I would give it 12", "no idea"])
    scores, unparsed, seconds = judge(rows, chat, scale)
    assert scores.tolist() == [7.0, 3.0, 10.0, 5.0] and unparsed == 1 and len(seconds) == 4
    prompt = chat.history[0][0]["content"]
    assert rows[0].question in prompt and rows[0].answer in prompt and "0 to 10" in prompt


def test_eval_without_a_judge_reports_null(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        app.main(["eval", str(ZH), "--embedder", "fake", "--json", "--judge-rows", "0", "--limit", "12"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 12 and report["graders"]["llm_judge"] is None


def split_fixture(tmp_path: Path) -> tuple[Path, Path]:
    """The zh fixture as two files: its first six questions, then the other six plus a
    "translation" (twin_of) of zh1 and a near-duplicate of zh2 (same question, another id)."""
    rows = [json.loads(line) for line in ZH.read_text(encoding="utf-8").splitlines() if line.strip()]
    first = [r for r in rows if int(r["q_id"][2:]) <= 6]
    second = [r for r in rows if int(r["q_id"][2:]) > 6]
    second += [{**r, "q_id": "t1", "twin_of": "zh1"} for r in rows if r["q_id"] == "zh1"][:3]
    second += [{**r, "q_id": "d2"} for r in rows if r["q_id"] == "zh2"][:2]
    paths = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    for path, part in zip(paths, (first, second), strict=True):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
    return paths


def test_leave_one_file_out_reports_each_file_fitted_on_the_others_less_its_twins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = split_fixture(tmp_path)
    argv = ["eval", str(first), str(second), "--embedder", "fake", "--judge-rows", "0", "--json"]
    assert app.main([*argv, "--leave-one-file-out"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["mode"] == "leave_one_file_out" and set(report["files"]) == {"first.jsonl", "second.jsonl"}
    files = report["files"]
    assert files["first.jsonl"]["n"] == 36 and files["second.jsonl"]["n"] == 41
    # first held out: second's 36 rows less the twin of zh1 (3) and the duplicate of zh2 (2)
    assert files["first.jsonl"]["fitted_on"] == 36
    assert files["second.jsonl"]["fitted_on"] == 36 - 12  # zh1 and zh2 go with their twins
    for f in files.values():
        assert set(f["graders"]) == {"rubric", "interview", "cosine", "llm_judge"}
        assert f["graders"]["rubric"]["rmse"] > 0
    assert app.main([*argv, "--leave-one-file-out", "--folds", "3"]) == 2
    assert app.main([str(first) if a == str(second) else a for a in argv] + ["--leave-one-file-out"]) == 2
    assert "two or more files" in capsys.readouterr().err


def test_adapt_plays_appeals_on_questions_it_does_not_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = split_fixture(tmp_path)
    argv = ["eval", str(first), str(second), "--embedder", "fake", "--judge-rows", "0", "--json"]
    assert app.main([*argv, "--leave-one-file-out", "--adapt", "5"]) == 0
    report = json.loads(capsys.readouterr().out)
    for f in report["files"].values():
        adapted = f["adapted"]
        assert adapted["appeals"] == 5 and adapted["draws"] == 5  # five draws unless told
        for name in ("rubric", "interview", "cosine"):
            assert adapted["graders"][name]["rmse"] > 0 and adapted["unadapted"][name]["rmse"] > 0
            assert adapted["unadapted"][name]["rmse_mean_predictor"] > 0
            assert 0 <= adapted["best_line"][name] <= adapted["unadapted"][name]["rmse"] + 1e-9
            # the identity is one of the monotone maps, so the best of them does no worse
            assert 0 <= adapted["best_monotone"][name] <= adapted["unadapted"][name]["rmse"] + 1e-9
    assert app.main([*argv, "--folds", "3", "--adapt", "5"]) == 2
    assert app.main([*argv, "--adapt", "6"]) == 2  # first.jsonl has six questions: none left to score
    assert "only 6 questions" in capsys.readouterr().err


def test_appeals_recover_a_graders_level_on_the_questions_left() -> None:
    """A grader that ranks perfectly but squeezes and lowers every score: ten appeals, from ten
    questions of twenty, fix most of its RMSE on the other ten."""
    rng = np.random.default_rng(1)
    unit = [f"0:q{i // 5}" for i in range(100)]
    y = rng.uniform(0, 1, 100)
    p = Prepared([], np.zeros(100), [], {}, np.zeros(100), y, unit, unit, [], lambda i: lambda v: None)
    squeezed = 0.1 + 0.5 * y
    predicted = {
        "rubric": squeezed,
        "interview": squeezed,
        "cosine": np.full(100, np.nan),
        "ceiling": np.full(100, 10.0),
    }
    out = replay.report(p, np.arange(100), predicted, 5.0, 10, 3)
    assert out["scored"] == 50 and out["graders"]["cosine"] is None  # type: ignore[index]
    before, after = out["unadapted"]["interview"], out["graders"]["interview"]  # type: ignore[index]
    assert after["rmse"] < 0.5 * before["rmse"] and after["pearson"] == pytest.approx(
        before["pearson"], abs=0.02
    )
    # the squeeze is a line: the best line through the scored rows undoes it exactly
    exact = {"rubric": pytest.approx(0.0, abs=1e-9), "interview": pytest.approx(0.0, abs=1e-9)}
    assert out["best_line"] == exact and out["best_monotone"] == exact


def test_variants_measure_each_design_choice_with_every_file_held_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = split_fixture(tmp_path)
    argv = ["eval", str(first), str(second), "--embedder", "fake", "--judge-rows", "0", "--json"]
    assert app.main([*argv, "--leave-one-file-out", "--variants", "--adapt", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    files = {"first.jsonl", "second.jsonl"}
    for part in ("raw", "interview", "adapted"):
        assert result[part] and all(set(per_file) == files for per_file in result[part].values())
    shipped = result["interview"]["shipped caps"]
    gated = result["interview"]["+ a gate on the closest point (vague answers lower)"]
    for name in files:  # the gate only lowers scores: never the same figures by accident
        assert -1 <= gated[name]["pearson"] <= 1 and gated[name]["rmse"] != shipped[name]["rmse"]
    assert app.main([*argv, "--variants"]) == 2  # only with --leave-one-file-out
