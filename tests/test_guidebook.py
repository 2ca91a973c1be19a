"""A real handbook of prose notes (../shared/notes/llm-interview-guidebook) becomes real questions.

Chinese prose under emoji headings, bold labels, formulas, code, comparison tables, lists of
questions with no answers, and one file of numbered **Q**/**A** pairs.
"""

from collections import Counter
from pathlib import Path

import pytest

from knowledge.items import QuestionItem
from knowledge.reading.files import find_notes, read_note
from knowledge.reading.notes import parse_note
from knowledge.reading.questions import is_real_question
from tests.conftest import SHARED, shared

GUIDEBOOK = SHARED / "notes" / "llm-interview-guidebook"
EMOJI_LEFTOVERS = "\ufe0f\ufe0e\u20e3\u200d"


@pytest.fixture(scope="module")
def parsed() -> tuple[list[QuestionItem], Counter[str]]:
    root = shared(GUIDEBOOK)
    skipped: Counter[str] = Counter()
    items: list[QuestionItem] = []
    for path in find_notes(root):
        found, warning = parse_note(read_note(path), path.relative_to(root).as_posix(), root.name, skipped)
        assert warning is None
        items += found
    return items, skipped


def test_nearly_every_item_is_a_real_question(parsed: tuple[list[QuestionItem], Counter[str]]) -> None:
    items, _ = parsed
    real = [i for i in items if is_real_question(i.question, i.language)]
    assert len(real) >= 0.9 * len(items)
    assert len(items) > 200  # every section with content, not only the 8 questions it used to be
    assert Counter(i.written_by for i in items)["template"] > 100


def test_no_emoji_fragments_in_questions_topics_or_headings(
    parsed: tuple[list[QuestionItem], Counter[str]],
) -> None:
    items, _ = parsed
    for item in items:
        for text in (item.question, item.topic, *item.heading_path):
            assert not any(c in text for c in EMOJI_LEFTOVERS), repr(text)
            assert text.strip() == text and text


def test_the_q_and_a_file_yields_its_pairs(parsed: tuple[list[QuestionItem], Counter[str]]) -> None:
    items, _ = parsed
    asked = [i for i in items if i.source == "docs/interview/questions.md" and i.written_by == "notes"]
    # counted by hand: 14 numbered **Q**/**A** list items (the number 4 is used twice) and one
    # unnumbered pair inside the first 4: 15; then three 计算题 sections with 题目/解答
    pairs = [i for i in asked if "计算题" not in i.heading_path[-1]]
    assert len(pairs) == 15 and all(i.answered and i.rubric for i in pairs)
    assert [i.line for i in pairs][:6] == [6, 12, 15, 18, 21, 35]
    assert pairs[4].question == "那为什么不选择其他数，要选${\\sqrt{d_k}}$?"
    sums = [i for i in asked if "计算题" in i.heading_path[-1]]
    assert len(sums) == 3 and all(i.rubric for i in sums)
    assert sums[2].question.endswith("如何估算模型kv_cache显存占用量？")  # its heading asks, 题目 sets it up


def test_what_is_not_asked(parsed: tuple[list[QuestionItem], Counter[str]]) -> None:
    items, skipped = parsed
    questions = {i.question for i in items}
    bare = {"请介绍代码", "请介绍实战代码", "请介绍注意事项", "请介绍概述", "请介绍即将推出", "请介绍目录"}
    assert not questions & bare
    assert skipped["links"] and skipped["empty"] and skipped["code only"]
    assert not any("深入阅读" in i.heading for i in items)


def test_topics_are_section_headings_or_the_title(parsed: tuple[list[QuestionItem], Counter[str]]) -> None:
    items, _ = parsed
    compression = [i for i in items if i.source == "docs/compression/README.md"]
    # "## 🎯 面试重点" follows an empty "## 剪枝": its questions are the document's, not 剪枝's
    assert {i.topic for i in compression if not i.answered} == {"模型压缩与量化"}
    assert {i.topic for i in compression if i.answered} == {"模型压缩与量化", "压缩技术"}


def test_comparison_tables_give_rows_with_their_column_names(
    parsed: tuple[list[QuestionItem], Counter[str]],
) -> None:
    items, _ = parsed
    (decoding,) = [i for i in items if i.question == "请比较不同的解码策略"]
    row = "贪婪：多样性 低；质量 中；计算成本 低；适用场景 确定性任务"
    assert decoding.rubric[0].text == row


def test_points_cite_their_source(parsed: tuple[list[QuestionItem], Counter[str]]) -> None:
    items, _ = parsed
    texts: dict[str, str] = {}
    for item in items:
        text = texts.setdefault(item.source, read_note(Path(GUIDEBOOK, item.source)))
        for p in item.rubric:
            assert 0 <= p.start < p.end <= len(text)
            assert text.count("\n", 0, p.start) == p.line - 1
