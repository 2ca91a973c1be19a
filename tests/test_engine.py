"""The interview engine with fakes: questions, grading, follow-ups, hints, history, report, export."""

import json
from pathlib import Path

import pytest

from interviewer.grading import calibration
from interviewer.grading.clauses import split_clauses
from interviewer.grading.grader import Grader
from interviewer.interview import export
from interviewer.interview.engine import Engine
from interviewer.llm.chat import ChatError, FakeChat
from interviewer.llm.followup import check, follow_up, template
from interviewer.storage.history import History
from interviewer.storage.session import Session, SessionOptions
from knowledge.index.embedder import FakeEmbedder
from knowledge.index.ingest import index_dir, ingest

NOTES = """---
tags: [Deep learning]
---
## What does dropout do?
- Dropout randomly zeroes activations during training
- It reduces co-adaptation between neurons

## Why use batch normalization?
- It normalizes activations with mini-batch statistics
- It allows higher learning rates and faster training

## Open questions
#### 1. How would you design memory for an agent?
"""


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "dl.md").write_text(NOTES)
    emb = FakeEmbedder()
    kb, _ = ingest(notes, emb, index_dir(tmp_path / "data", notes, emb.name))
    chat = FakeChat()
    return Engine(
        kb, Grader(emb, calibration.load(emb.name)), chat, History(tmp_path / "data" / "history.sqlite")
    )


def start(engine: Engine, **options: object) -> Session:
    return engine.start(SessionOptions(topics=["Deep learning"], questions=2, seed=1, **options))  # type: ignore[arg-type]


def test_questions_come_without_repeats_and_the_same_seed_gives_the_same_plan(engine: Engine) -> None:
    a, b = start(engine), start(engine)
    assert a.plan == b.plan and len(set(a.plan)) == 2
    assert a.turns[0].question == engine.kb.item(a.plan[0]).question
    with pytest.raises(ValueError, match="no questions"):
        engine.start(SessionOptions(topics=["Cooking"]))


def test_a_missed_point_gets_an_llm_follow_up_then_the_next_question(engine: Engine) -> None:
    s = start(engine, follow_ups=1)
    engine.chat.enqueue("What happens to neurons that always fire together?")  # type: ignore[union-attr]
    item = engine.kb.item(s.plan[0])
    first_answer = (
        "Dropout randomly zeroes activations during training."
        if "dropout" in item.question
        else "It normalizes activations with mini-batch statistics."
    )
    graded = engine.answer(s, first_answer)
    assert graded.grade is not None and graded.grade.score is not None
    assert [p.status for p in graded.grade.points][0] == "covered"
    fu = s.turns[-1]
    assert fu.kind == "follow_up" and fu.item_id == item.id and fu.note is None
    # the prompt named the missed point and the candidate's own words, nothing else from the notes
    prompt = engine.chat.history[-1][-1]["content"]  # type: ignore[union-attr]
    assert first_answer in prompt and item.rubric[1].text in prompt
    engine.answer(s, "It also lets the network use higher learning rates.")
    assert s.turns[-1].kind == "main" and s.turns[-1].item_id == s.plan[1]


def test_unusable_llm_follow_ups_fall_back_to_templates(engine: Engine) -> None:
    s = start(engine, follow_ups=2)
    item = engine.kb.item(s.plan[0])
    engine.chat.enqueue(item.question)  # type: ignore[union-attr]  # a copy of the question
    engine.answer(s, "I think it is about training.")
    assert s.turns[-1].kind == "follow_up" and s.turns[-1].note == "template follow-up (repeats the question)"
    assert s.turns[-1].question == template(item.question, "", "en")


def test_follow_up_checks() -> None:
    q, point = "What does dropout do?", "It reduces co-adaptation between neurons"
    assert check("", q, point) == "empty"
    assert check("Dropout reduces co-adaptation.", q, point) == "not a question"
    assert check("What does dropout do?", q, point) == "repeats the question"
    zh_q, zh_point = "为什么大模型普遍采用子词分词？", "子词分词能处理未登录词"
    restated = "为什么大模型在处理文本时，子词分词比词级分词更有效？"
    assert check(restated, zh_q, zh_point) == "repeats the question"
    assert check("遇到词表里没有的新词时，模型怎么办？", zh_q, zh_point) is None
    assert check("Does it reduce co-adaptation between neurons?", q, point) == "gives the answer away"
    assert check("What happens to units that learn to rely on each other?", q, point) is None
    down = follow_up(FakeChat(fail=ChatError("server down")), q, "x", point, "en")
    assert not down.from_llm and down.rejected == "server down" and down.text == template(q, point, "en")
    assert template(q, "模型架构：BERT 是编码器", "zh") == "关于「模型架构」这方面，你能再具体说说吗？"


def test_skip_hint_model_answer_and_end(engine: Engine) -> None:
    s = start(engine, follow_ups=0)
    first = engine.kb.item(s.plan[0])
    hint = engine.hint(s)
    assert hint.startswith("Hint:") and first.rubric[0].text not in hint
    answer = engine.model_answer(s)
    assert first.answer in answer and "dl.md, line" in answer
    engine.skip(s)
    assert s.turns[0].skipped and s.turns[-1].item_id == s.plan[1]
    engine.answer(s, "")
    assert s.finished and s.current is None
    with pytest.raises(ValueError, match="over"):
        engine.answer(s, "late")


def test_every_turn_is_saved_and_survives_a_restart(engine: Engine, tmp_path: Path) -> None:
    s = start(engine, follow_ups=0)
    engine.answer(s, "Dropout randomly zeroes activations during training.")
    saved = History(tmp_path / "data" / "history.sqlite").load(s.id)  # a new process, as after a crash
    assert saved == s and saved.turns[0].grade == s.turns[0].grade and saved.turns[1].answer is None
    assert Session.model_validate_json(export.to_json(s)) == s


def test_report_and_exports(engine: Engine) -> None:
    s = start(engine, follow_ups=0)
    engine.answer(s, "Dropout randomly zeroes activations during training. <script>alert(1)</script>")
    engine.answer(s, "It normalizes activations with mini-batch statistics.")
    report = engine.end(s)
    scores = [t.grade.score for t in s.turns if t.grade and t.grade.score is not None]
    assert report.overall == round(sum(scores) / len(scores), 1)  # one main answer per question here
    assert [q.score for q in report.questions if q.score is not None] == scores
    assert set(report.per_topic) == {"Deep learning"} and report.per_topic["Deep learning"] == report.overall
    assert report.missed and all(p.source == "dl.md" for p in report.missed)
    md = export.to_markdown(s, report)
    assert "# Report" in md and s.turns[0].question in md and report.missed[0].text in md
    page = export.to_html(s, report)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_review_weak_topics_brings_missed_items_first(engine: Engine) -> None:
    s = engine.start(SessionOptions(questions=3, follow_ups=0, seed=3))
    answers = {
        "What does dropout do?": "No idea about this one, sorry, something with weights",
        "Why use batch normalization?": "It normalizes activations with mini-batch statistics. "
        "It allows higher learning rates and faster training.",
    }
    while s.current:
        engine.answer(s, answers.get(s.current.question, "pass"))
    weak = engine.history.weakness()
    ids = {engine.kb.item(i).question: i for i in s.plan}
    dropout, norm = ids["What does dropout do?"], ids["Why use batch normalization?"]
    assert weak[dropout] > weak[norm]  # the history saw which was missed
    review = engine.start(SessionOptions(questions=3, follow_ups=0, seed=3, review_weak=True))
    assert review.plan == sorted(review.plan, key=lambda i: -weak.get(i, 0.5))
    assert review.plan.index(dropout) < review.plan.index(norm)
    assert json.loads(engine.history.load(review.id).model_dump_json())["options"]["review_weak"] is True


def test_an_answer_to_another_question_of_the_notes_is_capped(engine: Engine) -> None:
    s = start(engine, follow_ups=0)
    asked = engine.kb.item(s.plan[0])
    other = next(i for i in engine.kb.items if i.rubric and i.id != asked.id)
    graded = engine.answer(s, ". ".join(p.text for p in other.rubric))
    assert graded.grade is not None and graded.grade.score is not None and graded.grade.score <= 1.0
    assert graded.grade.reason == f"The answer fits another question in your notes better: {other.question}"


def test_an_answer_typed_before_enter_is_graded_from_what_was_embedded_while_typing(engine: Engine) -> None:
    s = start(engine, follow_ups=1)
    emb = engine.grader.embedder
    assert isinstance(emb, FakeEmbedder)
    main = "I think it is about training."
    engine.typing(s, main[:8])
    engine.typing(s, main)
    typed = emb.calls[-1]
    before = len(emb.calls)
    engine.answer(s, main)
    assert typed not in emb.calls[before:]  # the grade found the typed answer's clauses embedded
    item = engine.kb.item(s.turns[0].item_id)
    assert [item.question] in emb.calls[:before]  # so were the question and its points' words
    points = [p.text for p in item.rubric]
    assert [item.question] not in emb.calls[before:] and points not in emb.calls[before:]
    assert s.turns[-1].kind == "follow_up"
    # a follow-up answer is graded together with the main one: that is what typing prepares
    engine.typing(s, "It stops neurons co-adapting.")
    typed = emb.calls[-1]
    assert typed == split_clauses(f"{main}\nIt stops neurons co-adapting.")
    before = len(emb.calls)
    engine.answer(s, "It stops neurons co-adapting.")
    assert typed not in emb.calls[before:]
