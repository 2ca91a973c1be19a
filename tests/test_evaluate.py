"""The eval command: file formats, metrics against hand-worked values, folds, predictions."""

import json
from pathlib import Path

import numpy as np
import pytest

import app
from interviewer.chat import FakeChat
from interviewer.grading.evaluate import question_folds
from interviewer.grading.judge import judge
from interviewer.grading.metrics import metrics
from interviewer.grading.rows import load_rows
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


def test_folds_never_share_a_question() -> None:
    groups = [f"q{i % 7}" for i in range(70)]
    folds = question_folds(groups, 5)
    assert len(folds) == 5
    assert sorted(int(i) for _, test in folds for i in test) == list(range(70))
    for train, test in folds:
        assert not {groups[i] for i in train} & {groups[i] for i in test}


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
