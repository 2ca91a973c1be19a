"""Parsing ordinary English Markdown, labels, plain text, and never crashing on any text."""

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.reading.notes import parse_note

ENGLISH = """# ML notes

## What is dropout?
Dropout randomly zeroes activations during training. It prevents co-adaptation of units.

## Name three ways to reduce overfitting
- Collect more training data or augment it
- Add L2 regularization to the loss
- Stop early when validation loss rises

Explain the bias-variance tradeoff
-----------------------------------
Bias is error from wrong assumptions. Variance is error from sensitivity to the sample.

## Precision and recall
| Metric | Formula |
|---|---|
| Precision | TP / (TP + FP) |
| Recall | TP / (TP + FN) |

## References
- a book
"""


def test_english_markdown_questions_bullets_setext_tables() -> None:
    items, warning = parse_note(ENGLISH, "ml.md")
    assert warning is None
    assert [i.question for i in items] == [
        "What is dropout?",
        "Name three ways to reduce overfitting",
        "Explain the bias-variance tradeoff",
        "Explain Precision and recall.",  # a plain heading: a template question
    ]
    assert [i.written_by for i in items] == ["notes", "notes", "notes", "template"]
    dropout, overfit, tradeoff, metrics = items
    assert [p.text for p in dropout.rubric] == [
        "Dropout randomly zeroes activations during training",
        "It prevents co-adaptation of units",
    ]
    assert [p.text for p in overfit.rubric][1] == "Add L2 regularization to the loss"
    assert len(tradeoff.rubric) == 2 and tradeoff.topic == "ML notes"
    assert [p.text for p in metrics.rubric] == ["Precision: TP / (TP + FP)", "Recall: TP / (TP + FN)"]
    assert all(i.language == "en" for i in items)
    assert all(ENGLISH[p.start : p.end].startswith(p.text[:5]) for i in items[:3] for p in i.rubric)


def test_question_and_answer_labels_in_english() -> None:
    text = (
        "### 1. Attention\n\n**Question:** Why scale by sqrt(d)?\n\n**Answer:** Dot products grow "
        "with dimension and saturate the softmax.\n\n### Explanation\nLarge logits give tiny gradients.\n"
    )
    (item,), _ = parse_note(text, "a.md")
    assert item.question == "Why scale by sqrt(d)?"
    assert item.answer == "Dot products grow with dimension and saturate the softmax."
    assert item.explanation == "Large logits give tiny gradients."
    assert item.line == 3


def test_plain_text_with_numbered_answer_lines() -> None:
    text = (
        "一、基础\n1. 什么是过拟合？\n模型在训练集上表现好，在测试集上差。\n"
        "1. 增加数据\n2. 正则化\n2. 什么是欠拟合？\n模型太简单。\n"
    )
    items, _ = parse_note(text, "n.txt")
    assert [i.question for i in items] == ["什么是过拟合？", "什么是欠拟合？"]
    assert "正则化" in items[0].answer and items[0].topic == "基础"


def test_broken_front_matter_is_reported_and_the_body_still_parsed() -> None:
    text = "---\ntags: [unclosed\n---\n## What is a tokenizer?\nIt splits text into tokens the model knows.\n"
    items, warning = parse_note(text, "t.md")
    assert warning is not None and "front-matter" in warning
    assert [i.question for i in items] == ["What is a tokenizer?"]


def test_unclosed_code_fence_keeps_the_answer() -> None:
    text = "## How do you load a model?\n```python\nmodel = load('x')\n"
    (item,), _ = parse_note(text, "c.md")
    assert "model = load('x')" in item.answer


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_arbitrary_text_never_crashes_and_spans_stay_inside(text: str) -> None:
    items, _ = parse_note(text, "fuzz.md")
    for item in items:
        assert item.question
        for p in item.rubric:
            assert 0 <= p.start < p.end <= len(text)


MARKDOWNISH = st.lists(
    st.sampled_from(
        [
            "# ",
            "## ",
            "### 1. ",
            "> ",
            "- ",
            "1. ",
            "```",
            "---",
            "| a | b |",
            "==x==",
            "**题目：**",
            "**答案：**",
            "$x$",
            "![[e.png]]",
            "什么是",
            "？",
            "\n",
            " ",
            "word",
            "中文",
            "。",
        ]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
def test_markdown_shaped_noise_never_crashes(text: str) -> None:
    items, _ = parse_note(text, "fuzz.md")
    assert all(0 <= p.start < p.end <= len(text) for i in items for p in i.rubric)
