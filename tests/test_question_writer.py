"""Questions the LLM writes for headings that don't ask one: checked, kept by the section's
content, written in the background behind the follow-ups, and never waited for at ask time."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewer.grading import calibration
from interviewer.grading.grader import Grader
from interviewer.interview.engine import Engine
from interviewer.llm.chat import ChatError, FakeChat, Message
from interviewer.llm.followup import Interrupted
from interviewer.llm.followup_drafts import Preparer
from interviewer.llm.question_checks import check, grounded
from interviewer.llm.question_writer import QuestionWriter
from interviewer.storage.history import History
from interviewer.storage.session import SessionOptions
from interviewer.web.views import feedback_html
from knowledge.index.embedder import FakeEmbedder
from knowledge.index.ingest import index_dir, ingest
from knowledge.index.knowledge_base import KnowledgeBase
from knowledge.items import QuestionItem, RubricPoint

NOTES = """## Dropout
- Dropout randomly zeroes activations during training
- It reduces co-adaptation between neurons

## Batch normalization
- Batch normalization normalizes activations with mini-batch statistics
- It allows higher learning rates and faster training

## Why do transformers need positional encodings?
- Self-attention is permutation invariant, so order must be added to the inputs
"""
DROPOUT_Q = "How does randomly zeroing activations help a network?"


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "dl.md").write_text(NOTES)
    emb = FakeEmbedder()
    built, _ = ingest(notes, emb, index_dir(tmp_path / "data", notes, emb.name))
    return built


def item(kb: KnowledgeBase, heading: str) -> QuestionItem:
    return next(i for i in kb.items if i.heading_path[-1] == heading)


def zh_item(question: str = "请介绍注意力机制") -> QuestionItem:
    point = RubricPoint(text="缩放点积：分数除以根号d_k，避免softmax饱和", start=0, end=1, line=1)
    return QuestionItem(
        id="x",
        source="a.md",
        heading_path=["Transformer", "注意力机制"],
        topic="Transformer",
        question=question,
        written_by="template",
        answer=point.text,
        rubric=[point],
        line=1,
        language="zh",
    )


def test_a_usable_question_passes_and_each_fault_is_named(kb: KnowledgeBase) -> None:
    dropout = item(kb, "Dropout")
    assert check(DROPOUT_Q, dropout) is None
    assert check("", dropout) == "empty"
    assert check("Dropout zeroes activations.", dropout) == "not a question"
    assert check("Dropout?", dropout) == "repeats the heading"
    assert check("What is dropout? Why use it?", dropout) == "more than one sentence"
    assert check("丢弃法是什么？", dropout) == "not in the notes' language"
    given = "Why does dropout randomly zero activations during training?"
    assert check(given, dropout) == "gives the answer away"
    assert check("为什么注意力分数要缩放？", zh_item()) is None
    assert check("注意力机制？", zh_item()) == "repeats the heading"
    unseen = "points at notes the candidate can't see"  # asked, never shown: "this code" says nothing
    assert check("这段代码实现了什么？", zh_item()) == unseen
    assert check("What does this code compute for each step?", dropout) == unseen
    assert check("以下代码的时间复杂度是多少？", zh_item()) == unseen
    assert check("为什么7B以上的模型更需要缩放注意力分数？", zh_item()) is None


def test_a_question_is_grounded_only_in_the_section_that_answers_it(kb: KnowledgeBase) -> None:
    emb = FakeEmbedder()
    vector = emb.encode(["How does batch normalization use mini-batch statistics?"], "sts")[0]
    assert grounded(vector, kb, item(kb, "Batch normalization"))
    assert not grounded(vector, kb, item(kb, "Dropout"))


def test_written_questions_are_kept_by_content_and_never_written_twice(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    chat = FakeChat([DROPOUT_Q, "How does normalizing with batch statistics change training?"])
    path = tmp_path / "questions.sqlite"
    writer = QuestionWriter(chat, FakeEmbedder(), path)
    asked = next(i for i in kb.items if i.written_by == "notes")
    assert writer.wording(asked) == (asked.question, "notes")  # the notes' own: never rewritten
    assert [i.heading_path[-1] for i in writer.pending(kb)] == ["Dropout", "Batch normalization"]
    writer.write_all(kb)
    assert writer.wording(item(kb, "Dropout")) == (DROPOUT_Q, "model")
    assert len(chat.history) == 2 and writer.pending(kb) == []

    again = QuestionWriter(chat, FakeEmbedder(), path)  # the app restarted, the notes unchanged
    again.write_all(kb)
    assert len(chat.history) == 2 and again.wording(item(kb, "Dropout")) == (DROPOUT_Q, "model")

    changed = item(kb, "Dropout").model_copy(update={"answer": "Dropout also acts like an ensemble."})
    assert again.wording(changed)[1] == "template"  # a changed section is written again


def test_a_draft_that_fails_every_check_leaves_the_template_with_why(kb: KnowledgeBase) -> None:
    chat = FakeChat(["Dropout.", "Dropout is a regularizer.", "Dropout?"])
    writer = QuestionWriter(chat, FakeEmbedder())
    written = writer.write(kb, item(kb, "Dropout"))
    assert (
        not written.from_llm
        and written.text == "Explain Dropout."
        and written.rejected == "repeats the heading"
    )
    assert len(chat.history) == 3  # every try was made, each with the section's points in it
    assert all("co-adaptation" in c[-1]["content"] for c in chat.history)
    assert writer.wording(item(kb, "Dropout")) == ("Explain Dropout.", "template")


def test_an_llm_that_is_down_is_asked_again_next_time(kb: KnowledgeBase) -> None:
    writer = QuestionWriter(FakeChat(fail=ChatError("server down")), FakeEmbedder())
    assert writer.write(kb, item(kb, "Dropout")).rejected == "LLM failed: server down"
    assert len(writer.pending(kb)) == 2


def test_writing_waits_for_follow_ups_and_a_grade_stops_it(kb: KnowledgeBase) -> None:
    """The follow-ups are for the question on screen: no question is written while they are."""
    preparer = Preparer(None)

    class Watched(FakeChat):
        def stream(self, messages: list[Message], *args: object, **kw: object) -> Iterator[str]:
            quiet.append(preparer.quiet())  # was anything more urgent going on?
            return super().stream(messages, *args, **kw)  # type: ignore[arg-type]

    quiet: list[bool] = []
    writer = QuestionWriter(Watched([DROPOUT_Q] * 3), FakeEmbedder(), preparer=preparer)
    with preparer.hold():  # a grade under way
        with pytest.raises(Interrupted):
            writer.write(kb, item(kb, "Dropout"), writer._interrupted)
        assert writer.pending(kb)[0].heading_path[-1] == "Dropout"  # nothing half-written was kept
        waiter = threading.Thread(target=writer.write_all, args=(kb,))
        waiter.start()
    waiter.join(30)
    assert not waiter.is_alive() and writer.pending(kb) == []
    assert not quiet[0] and all(quiet[1:])  # only the interrupted call ran during the grade


def test_the_engine_asks_the_model_s_question_once_written_and_never_waits_for_it(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    emb = FakeEmbedder()
    chat = FakeChat([DROPOUT_Q])
    writer = QuestionWriter(chat, emb)
    engine = Engine(
        kb, Grader(emb, calibration.load(emb.name)), chat, History(tmp_path / "h.sqlite"), writer=writer
    )
    dropout = item(kb, "Dropout")
    before = {q.id: q for q in engine.questions()}
    assert before[dropout.id].question == "Explain Dropout." and before[dropout.id].written_by == "template"
    writer.write(kb, dropout)
    session = engine.start(SessionOptions(questions=3, seed=0, follow_ups=0))
    asked = session.asked[dropout.id] if dropout.id in session.asked else None
    while asked is None:  # answer until the dropout question comes
        engine.answer(session, "I am not sure.")
        asked = session.asked.get(dropout.id)
    assert (asked.question, asked.written_by) == (DROPOUT_Q, "model")
    assert session.turns[-1].question == DROPOUT_Q
    after = {q.id: q for q in engine.questions()}
    assert after[dropout.id].written_by == "model"


def test_the_first_question_is_one_the_notes_can_grade(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    # question-only items nothing in these notes relates to (the fake embedder matches characters)
    open_questions = "".join(f"#### {'一二三四五六'[n]}、智能体的记忆怎么设计？\n" for n in range(6))
    (notes / "a.md").write_text(open_questions + NOTES)
    emb = FakeEmbedder()
    kb, _ = ingest(notes, emb, index_dir(tmp_path / "data", notes, emb.name))
    engine = Engine(kb, Grader(emb, calibration.load(emb.name)), None, History(tmp_path / "h.sqlite"))
    for seed in range(8):
        session = engine.start(SessionOptions(questions=3, seed=seed, follow_ups=0))
        assert kb.item(session.plan[0]).rubric, seed  # graded by its own points
        # and no question the notes can't grade at all
        assert all(kb.item(i).rubric for i in session.plan)


def test_the_feedback_says_who_wrote_the_question_and_cites_the_section(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    emb = FakeEmbedder()
    writer = QuestionWriter(FakeChat([DROPOUT_Q]), emb)
    dropout = item(kb, "Dropout")
    writer.write(kb, dropout)
    engine = Engine(
        kb, Grader(emb, calibration.load(emb.name)), None, History(tmp_path / "h.sqlite"), writer=writer
    )
    session = engine.start(SessionOptions(questions=3, seed=0, follow_ups=0))
    while session.current is not None:
        engine.answer(session, "Dropout zeroes random activations while training.")
    turn = next(t for t in session.turns if t.item_id == dropout.id)
    shown = feedback_html(turn, session.asked[dropout.id])
    assert "written by the local model" in shown and "dl.md › Dropout" in shown
    other = next(t for t in session.turns if session.asked[t.item_id].written_by == "notes")
    assert "local model" not in feedback_html(other, session.asked[other.item_id])


CODE = """## Learning rate schedules
- Cosine annealing lowers the learning rate along a half cosine, from its peak to zero

## Cosine annealing
```python
def cosine(step, total, lr):
    return 0.5 * lr * (1 + math.cos(math.pi * step / total))
```
"""
COSINE_Q = "How does cosine annealing change the learning rate as the training steps go by?"


def test_a_code_section_is_asked_only_once_the_model_has_read_its_code_and_asked_about_it(
    tmp_path: Path,
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "lr.md").write_text(CODE)
    emb = FakeEmbedder()
    kb, _ = ingest(notes, emb, index_dir(tmp_path / "data", notes, emb.name))
    code = item(kb, "Cosine annealing")
    assert code.code and not code.rubric
    assert code.question == "Explain the code that implements Cosine annealing."

    def engine(writer: QuestionWriter) -> Engine:
        grader = Grader(emb, calibration.load(emb.name))
        return Engine(kb, grader, None, History(tmp_path / "h.sqlite"), writer=writer)

    # the template can't say what the code does, nor can a model whose every draft fails: not asked
    failing = QuestionWriter(FakeChat(["It computes a cosine.", "Cosine annealing?"]), emb)
    assert failing.write(kb, code).rejected == "repeats the heading"
    for writer in (QuestionWriter(None, emb), failing):
        assert code.id not in {q.id for q in engine(writer).questions()}
        options = [SessionOptions(questions=5, seed=s, follow_ups=0) for s in range(4)]
        plans = [engine(writer).start(o).plan for o in options]
        assert all(code.id not in plan for plan in plans) and all(plans)
    chat = FakeChat([COSINE_Q])
    writer = QuestionWriter(chat, emb)
    assert writer.write(kb, code).from_llm
    assert "math.cos(math.pi * step / total)" in chat.history[0][-1]["content"]  # it was shown the code
    listed = {q.id: q for q in engine(writer).questions()}
    assert (listed[code.id].question, listed[code.id].written_by) == (COSINE_Q, "model")
