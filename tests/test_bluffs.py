"""A bluff can't earn a score: answers that say nothing, to the bundled notes' own questions,
land in the bottom band, under answers that state one point, and the page and the follow-up say so.

Scores come from the tiny English embedder (its calibration's margins), so only the English half
of tests/fixtures/bluffs.jsonl is graded here; `app.py eval --bluffs` grades all of it with the
real model (docs/benchmarks.md). A list of terms is caught in words, in any language.
"""

import json
from pathlib import Path

import pytest

import app
from evaluation import bluffs
from interviewer.grading import calibration
from interviewer.grading.grader import Grader
from interviewer.interview.engine import Engine
from interviewer.llm.chat import FakeChat
from interviewer.messages import Lang
from interviewer.settings import Settings
from interviewer.storage.history import History
from interviewer.storage.session import SessionOptions
from interviewer.web import views
from knowledge.index.embedder import FakeEmbedder
from knowledge.index.ingest import index_dir, ingest
from knowledge.index.knowledge_base import KnowledgeBase

BLUFFS = Path(__file__).parent / "fixtures" / "bluffs.jsonl"


@pytest.fixture(scope="module")
def minilm(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, Grader]:
    emb = app.make_embedder(app.TEST_EMBEDDER, Settings(), progress=False)
    kb, _ = ingest(app.BUNDLED_NOTES, emb, tmp_path_factory.mktemp("kb"))
    return kb, Grader(emb, calibration.load(emb.name))


def test_the_bluff_set_is_big_enough_in_both_languages_and_asks_the_notes_own_questions() -> None:
    rows = [line for line in BLUFFS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sum('"kind": "bluff"' in r for r in rows) >= 30
    for lang in ("zh", "en"):
        assert sum(f'"lang": "{lang}"' in r and '"kind": "bluff"' in r for r in rows) >= 15


def test_english_bluffs_score_in_the_bottom_band_and_one_point_answers_above(
    minilm: tuple[KnowledgeBase, Grader], tmp_path: Path
) -> None:
    kb, grader = minilm
    english = tmp_path / "en.jsonl"
    english.write_text("".join(r + "\n" for r in BLUFFS.read_text().splitlines() if '"lang": "en"' in r))
    kinds = bluffs.run(english, kb, grader)["kinds"]
    assert isinstance(kinds, dict)
    assert kinds["bluff"]["n"] == 18 and kinds["bluff"]["p50"] <= 1.5
    assert kinds["one_point"]["p50"] >= 3.5 and kinds["one_point"]["min"] > kinds["bluff"]["p50"]
    for shape in ("praise", "it_depends", "buzzwords", "restate"):
        assert kinds[f"bluff:{shape}"]["p50"] <= 1.5, shape


EN_NOTES = """## What is the difference between L1 and L2 regularization?
- L1 adds the absolute weights to the loss and drives many weights to exactly zero
- L2 adds the squared weights and shrinks all weights smoothly
"""
ZH_NOTES = """## L1 和 L2 正则化有什么区别？
- L1 把权重绝对值之和加进损失，会让很多权重变成 0，得到稀疏模型
- L2 把权重平方和加进损失，让所有权重平滑地变小
"""


@pytest.mark.parametrize(
    "notes_text, answer, lang",
    [
        (EN_NOTES, "That's a great question and one of the most fundamental ideas; it really depends.", "en"),
        # a list of terms to a question asking the difference: caught in words, whatever the embedder
        (ZH_NOTES, "正则化、惩罚项、权重、稀疏、L1、L2。", "zh"),
    ],
)
def test_the_page_shows_a_bluff_in_a_low_colour_with_no_point_covered_and_asks_for_substance(
    tmp_path: Path, notes_text: str, answer: str, lang: Lang
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ml.md").write_text(notes_text, encoding="utf-8")
    emb = app.make_embedder(app.TEST_EMBEDDER, Settings(), progress=False) if lang == "en" else FakeEmbedder()
    kb, _ = ingest(notes, emb, index_dir(tmp_path / "data", notes, emb.name))
    # judge nothing off-topic here: the fake embedder's vectors say nothing of Chinese topics
    grader = Grader(emb, calibration.load(emb.name).model_copy(update={"unrelated": -1.0}))
    engine = Engine(kb, grader, FakeChat(), History(tmp_path / "data" / "history.sqlite"))
    session = engine.start(SessionOptions(questions=1, follow_ups=1, seed=1))
    turn = engine.answer(session, answer)
    assert turn.grade is not None and turn.grade.decided_by == "no_evidence"
    assert turn.grade.score is not None and turn.grade.score <= 1.5
    html = views.feedback_html(turn, lang=lang)
    assert "score needs-work" in html
    assert ("0 of 2 points covered" if lang == "en" else "覆盖 0/2 个要点") in html
    follow_up = session.turns[-1]
    asks = "specific mechanism, step or example" if lang == "en" else "具体的机制、步骤或例子"
    assert follow_up.kind == "follow_up" and asks in follow_up.question
    assert follow_up.note == "template follow-up (stated no point)"


def test_eval_bluffs_grades_the_file_against_the_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--data-dir", str(tmp_path), "eval", "--bluffs", str(BLUFFS), "--embedder", "fake", "--json"]
    assert app.main(argv) == 0
    kinds = json.loads(capsys.readouterr().out)
    assert kinds["bluff"]["n"] == 36 and kinds["one_point"]["n"] == 12
    assert kinds["bluff:buzzwords"]["max"] <= 1.5  # lists of terms are caught in words, any embedder
    stray = tmp_path / "stray.jsonl"
    stray.write_text('{"question": "Not in the notes?", "answer": "x", "kind": "bluff"}\n')
    assert app.main([*argv[:3], "--bluffs", str(stray), "--embedder", "fake"]) == 2
    assert "no question 'Not in the notes?'" in capsys.readouterr().err
