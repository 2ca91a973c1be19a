"""Every seed format parses to the items a person reading it would list."""

import re
from pathlib import Path

import pytest

from knowledge.items import QuestionItem
from knowledge.reading.files import read_note
from knowledge.reading.notes import parse_note
from knowledge.reading.outline import strip_numbering
from knowledge.reading.questions import is_real_question


def parse(seeds: Path, prefix: str) -> tuple[str, list[QuestionItem]]:
    path = next(seeds.glob(f"{prefix}_*.txt"))
    text = read_note(path)
    items, warning = parse_note(text, path.name)
    assert warning is None
    return text, items


def by_question(items: list[QuestionItem], fragment: str) -> QuestionItem:
    found = [i for i in items if fragment in i.question]
    assert len(found) == 1, f"{fragment!r} matched {len(found)} items"
    return found[0]


@pytest.mark.parametrize(
    "prefix, items, answered, templates",
    [("000", 18, 18, 6), ("001", 6, 6, 3), ("002", 30, 30, 0), ("003", 8, 8, 0), ("004", 30, 13, 9)],
)
def test_item_counts(seeds: Path, prefix: str, items: int, answered: int, templates: int) -> None:
    _, found = parse(seeds, prefix)
    assert len(found) == items
    assert sum(i.answered for i in found) == answered
    assert len({i.id for i in found}) == items
    # a topic heading ("1. Transformer 的基本流程", "## RoBERTa") is asked through a template
    assert sum(i.written_by == "template" for i in found) == templates


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_questions_the_notes_wrote_are_kept_as_written(seeds: Path, prefix: str) -> None:
    text, items = parse(seeds, prefix)
    lines = text.split("\n")
    for item in items:
        assert is_real_question(item.question, item.language), item.question
        if item.written_by == "notes":  # word for word from its line, less markup and emoji
            written = re.sub(r"[*#⭐]|^\s*\d+\.\s*", "", lines[item.line - 1]).strip()
            assert item.question in written, (item.question, written)
        else:
            heading = strip_numbering(item.heading_path[-1]).rstrip("。")
            assert item.question.startswith("请介绍") and heading in item.question


def test_plain_text_sections_and_numbered_items(seeds: Path) -> None:
    _, items = parse(seeds, "000")
    first = items[0]
    assert first.question == "请介绍Transformer 的基本流程" and first.written_by == "template"
    assert first.topic == "Transformer 与 BERT/GPT 基础理论"
    assert first.heading_path[-2:] == ["一、Transformer 与 BERT/GPT 基础理论", "1. Transformer 的基本流程"]
    mlm = by_question(items, "MLM 与 NSP")
    assert [p.text[:4] for p in mlm.rubric] == ["MLM：", "NSP："]
    # numbering restarts per section: "1." under 三、 is a new question, not an answer line
    assert by_question(items, "处理长文本").topic == "拓展与面试风格提问"
    # the emoji trailer ("✅ 整理人", "📅 时间") is not part of the last answer
    assert "整理人" not in items[-1].answer and "LoRA" in items[-1].question


def test_front_matter_tags_and_subheading_points(seeds: Path) -> None:
    _, items = parse(seeds, "001")
    assert all(i.tags == ["BERT"] and i.topic == "BERT" for i in items)
    why = by_question(items, "为什么BERT要采用Encoder-Only模式")
    assert [p.text for p in why.rubric] == [
        "核心目标：捕获双向上下文信息，适应自然语言理解任务",
        "架构特点：Encoder 模式具有全局自注意力机制，能更好地建模词语的上下文关系",
        "预训练任务需求：Masked Language Model 和 Next Sentence Prediction 均需要双向信息",
        "应用场景：BERT 的主要应用都偏向自然语言理解，而非生成任务",
    ]
    diff = by_question(items, "BERT和GPT的区别")
    # a bare label sub-heading ("模型架构") lends its name to the points under it
    assert any(p.text.startswith("模型架构：BERT：BERT 是一个 编码器") for p in diff.rubric)


def test_obsidian_quotes_highlights_latex_and_embeds(seeds: Path) -> None:
    _, items = parse(seeds, "002")
    topics = {"Transformer", "注意力机制", "大型语言模型（LLM）", "自然语言处理（NLP）"}
    assert {i.topic for i in items} == topics
    assert all(i.tags == ["LLM", "NLP", "Interview"] for i in items)
    attn = by_question(items, "自注意力机制如何工作")
    assert "![[" not in attn.answer and "cnn-rnn-self-attention" not in attn.answer
    assert ">" not in attn.answer.split("\n")[0]
    long_range = by_question(items, "长距离依赖")
    assert "==" not in long_range.answer
    assert "通过自注意力机制直接计算序列中任意两个位置之间的依赖关系" in long_range.answer
    latex = [i for i in items if "$" in i.answer]
    assert latex, "LaTeX is kept as written"
    assert all(i.answer.count("$") % 2 == 0 for i in latex)


def test_question_answer_labels_and_explanations(seeds: Path) -> None:
    _, items = parse(seeds, "003")
    first = items[0]
    assert first.question == "请简要解释预训练和微调的概念，并说明它们在自然语言处理中的应用。"
    assert first.heading_path == ["1. 预训练与微调的基本概念"]
    assert first.answer.startswith("预训练是指在大规模数据集上进行模型训练")
    assert first.explanation.startswith("预训练模型通过学习大规模文本数据")
    assert "题目" not in first.answer and "解析" not in first.answer
    assert [p.text[:6] for p in items[1].rubric] == ["数据量利用：", "转移学习： ", "减轻标注负担"]
    code = by_question(items, "源代码实例")
    assert "```" in code.answer and "trainer.train()" in code.answer
    assert not any("总结" in i.question for i in items)


def test_question_only_items_are_kept(seeds: Path) -> None:
    _, items = parse(seeds, "004")
    unanswered = [i for i in items if not i.answered]
    assert len(unanswered) == 17
    assert all(not i.rubric and i.question for i in unanswered)
    assert by_question(items, "BERT之前广泛用哪些方式解决文本分类").answer == ""
    why = by_question(items, "为什么Transformer比RNN好")
    # "##### 1. 长期依赖问题" sub-headings are labels over RNN/Transformer bullets
    labels = [p.text.split("：")[0] for p in why.rubric[1:]]
    assert labels == [h for h in ("长期依赖问题", "并行计算", "缩放能力", "特性提取能力") for _ in (0, 1)]


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_point_cites_its_source_span(seeds: Path, prefix: str) -> None:
    text, items = parse(seeds, prefix)
    lines = text.split("\n")
    for item in items:
        for point in item.rubric:
            cited = re.sub(r"[\s*=>`$\\-]", "", text[point.start : point.end])
            tail = re.sub(r"[\s*=>`$\\-]", "", point.text)[-4:]
            assert tail in cited, (item.question, point.text)
            assert text[point.start] in lines[point.line - 1]
