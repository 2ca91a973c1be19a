"""Notes not written as questions: every section with content becomes an askable item.

Hard-wrapped prose, Q/A pairs in lists, bold labels, emoji headings, intros before the first
sub-heading, comparison tables, code, placeholders and link lists, and where topics come from.
"""

from collections import Counter

import pytest

from knowledge.items import QuestionItem
from knowledge.reading.notes import parse_note
from knowledge.reading.questions import is_real_question

WRAPPED_EN = """# Transformers

Transformers replaced recurrent networks for most sequence tasks because they process every token
in parallel. Self-attention is permutation invariant, so transformers add position encodings to
the token embeddings before the first layer. Without them, the model could not tell "dog bites man"
from "man bites dog".

## Why scale dot products?

Dot products between queries and keys grow with the dimension of the vectors, which pushes the
softmax into regions where its gradient is tiny. Dividing by the square root of the key dimension
keeps the logits in a range where training stays stable.
"""

WRAPPED_ZH = """## 为什么要做层归一化？

层归一化对每个样本在特征维度上计算均值和方差，再做标准化和仿射变换，这样做可以让每一层的输入分布保持
稳定，缓解内部协变量偏移问题。与批归一化不同，层归一化不依赖批大小，因此在序列长度不一、批很小的
自然语言任务里更加适用。它在训练和推理时的计算方式完全相同，不需要维护滑动平均的统计量。
"""


def points(item: QuestionItem) -> list[str]:
    return [p.text for p in item.rubric]


def one(items: list[QuestionItem], fragment: str) -> QuestionItem:
    found = [i for i in items if fragment in i.question]
    assert len(found) == 1, f"{fragment!r} matched {[i.question for i in items]}"
    return found[0]


def assert_cited(item: QuestionItem, text: str) -> None:
    """Each point's span covers its sentence in the source, and its line is where it starts."""
    lines = text.split("\n")
    for p in item.rubric:
        cited = text[p.start : p.end]
        assert cited.replace("\n", " ") == p.text or cited.replace("\n", "") == p.text, (cited, p.text)
        assert lines[p.line - 1].strip() and text[p.start] in lines[p.line - 1]
        assert text.count("\n", 0, p.start) == p.line - 1


def test_hard_wrapped_english_gives_whole_sentences() -> None:
    intro, scale = parse_note(WRAPPED_EN, "transformers.md")[0]
    assert points(intro) == [
        "Transformers replaced recurrent networks for most sequence tasks because they process every "
        "token in parallel",
        "Self-attention is permutation invariant, so transformers add position encodings to the token "
        "embeddings before the first layer",
        'Without them, the model could not tell "dog bites man" from "man bites dog"',
    ]
    assert [p.line for p in intro.rubric] == [3, 4, 5]
    assert points(scale)[0].endswith("which pushes the softmax into regions where its gradient is tiny")
    assert [p.line for p in scale.rubric] == [10, 11]
    for item in (intro, scale):
        assert_cited(item, WRAPPED_EN)


def test_hard_wrapped_chinese_gives_whole_sentences() -> None:
    (item,), _ = parse_note(WRAPPED_ZH, "norm.md")
    assert points(item) == [
        "层归一化对每个样本在特征维度上计算均值和方差，再做标准化和仿射变换，这样做可以让每一层的输入分布保持稳定，"
        "缓解内部协变量偏移问题",
        "与批归一化不同，层归一化不依赖批大小，因此在序列长度不一、批很小的自然语言任务里更加适用",
        "它在训练和推理时的计算方式完全相同，不需要维护滑动平均的统计量",
    ]
    assert [p.line for p in item.rubric] == [3, 4, 5]
    assert_cited(item, WRAPPED_ZH)


def test_wrapped_plain_text_joins_lines_too() -> None:
    text = WRAPPED_ZH.replace("## ", "")
    (item,), _ = parse_note(text, "norm.txt")
    assert len(item.rubric) == 3 and item.rubric[0].text.endswith("缓解内部协变量偏移问题")
    assert_cited(item, text)


def test_one_point_per_line_notes_are_not_joined() -> None:
    text = "## BERT 预训练任务\nMLM: Masked language model 学习上下文信息\nNSP 判断两句是否相邻\n"
    (item,), _ = parse_note(text, "bert.md")
    assert points(item) == ["MLM: Masked language model 学习上下文信息", "NSP 判断两句是否相邻"]


QA_LIST = """# 高频面试题

### Transformer核心
1. **Q**: 解释Transformer中的自注意力机制
   **A**: 自注意力机制通过计算每个位置与其他位置的关联权重，捕获长距离依赖关系。核心公式：
   $$
   \\text{Attention}(Q,K,V) = \\text{softmax}(QK^T)V
   $$

2. **Q**: Attention计算中为什么要除以$\\sqrt{d_k}$?
   **A**: 为了避免点积结果过大，使softmax趋向极端值，导致梯度消失。

   **Q**: 那为什么不选择其他数？
   **A**: 因为希望点积结果的方差为1。

3. **Q**: LLaMA和GPT架构的主要区别？
   **A**: 主要区别在于：
   - LLaMA使用RMSNorm和SwiGLU激活函数
   - LLaMA使用RoPE位置编码

### 计算题1：训练显存估算
**题目**：一个7B参数的FP16模型，估算推理显存需求？

**解答**：
- 模型参数：7B × 2字节 = 14GB
- 激活值：约1-2GB
"""


def test_numbered_q_and_a_pairs_are_one_item_each() -> None:
    items, _ = parse_note(QA_LIST, "questions.md")
    assert [i.question for i in items] == [
        "解释Transformer中的自注意力机制",
        "Attention计算中为什么要除以$\\sqrt{d_k}$?",
        "那为什么不选择其他数？",
        "LLaMA和GPT架构的主要区别？",
        "一个7B参数的FP16模型，估算推理显存需求？",
    ]
    assert all(i.written_by == "notes" and i.answered for i in items)
    attention, scale, why_root, llama, memory = items
    assert points(attention)[0] == "自注意力机制通过计算每个位置与其他位置的关联权重，捕获长距离依赖关系"
    assert points(attention)[1].startswith("核心公式：$$")  # the formula stays whole under its label
    assert points(attention)[1].endswith("\\text{softmax}(QK^T)V $$")
    assert points(scale) == ["为了避免点积结果过大，使softmax趋向极端值，导致梯度消失"]
    assert points(why_root) == ["因为希望点积结果的方差为1"]
    # "主要区别在于：" only leads into the list: the items are the points
    assert points(llama) == ["LLaMA使用RMSNorm和SwiGLU激活函数", "LLaMA使用RoPE位置编码"]
    assert points(memory) == ["模型参数：7B × 2字节 = 14GB", "激活值：约1-2GB"]
    assert [i.line for i in items] == [4, 10, 13, 16, 22]
    assert {i.topic for i in items} == {"Transformer核心", "高频面试题"}  # the title, above 计算题1


DECODING = """# 🎲 解码策略

## 🎯 概述
解码策略决定模型如何从概率分布中生成文本，平衡创造性和准确性。

## 🏗️ 解码方法
前两种方法都是确定性的。

### 1️⃣ 贪婪解码
- **原理**：每一步选择概率最高的词
- **特点**：确定性、重复性高
- **代码**：
```python
def greedy(model, ids):
    return model(ids).argmax(-1)
```

### 2️⃣ Beam Search
**应用场景**：
- 机器翻译
- 文本摘要

### 实战代码
```python
print("no prose says what this does")
```

### 余弦退火
```python
lr = base * 0.5 * (1 + cos(pi * t / T))
```

## 📊 解码策略对比
| 方法 | 多样性 | 质量 |
|---|---|---|
| **贪婪** | 低 | 中 |
| **Beam** | 中 | 高 |

## 🎯 即将推出
- [ ] 投机解码

## 🎯 面试重点
1. **为什么贪婪解码容易重复？**
2. **Beam width 如何选择？**

## 📚 深入阅读
- [Transformer基础结构](../transformer/README.md)
- [位置编码详解](../position/README.md)

## 空的章节

## TODO
"""


def test_plain_headings_become_template_items() -> None:
    skipped: Counter[str] = Counter()
    items, _ = parse_note(DECODING, "docs/decoding/README.md", skipped=skipped)
    assert [(i.question, i.written_by) for i in items] == [
        ("请介绍解码策略", "template"),  # "概述" asks about its parent
        ("请介绍解码方法", "template"),  # the prose before the first sub-heading
        ("请介绍解码方法中的贪婪解码", "template"),
        ("请介绍解码方法中的Beam Search", "template"),
        ("请解释余弦退火的代码实现", "template"),  # code only, but its heading says what it is
        ("请比较不同的解码策略", "template"),
        ("为什么贪婪解码容易重复？", "notes"),  # a listed question: asked, graded from related notes
        ("Beam width 如何选择？", "notes"),
    ]
    assert skipped == Counter({"code only": 1, "placeholder": 2, "links": 1, "empty": 1})
    greedy, beam = items[2], items[3]
    assert points(greedy) == ["原理：每一步选择概率最高的词", "特点：确定性、重复性高"]  # no point from code
    assert "argmax" in greedy.answer
    assert points(beam) == ["应用场景：机器翻译", "应用场景：文本摘要"]
    assert not items[4].rubric and "cos(pi" in items[4].answer
    # code alone: asked once the LLM says what it does
    assert [i.code for i in items] == [i == 4 for i in range(len(items))]
    assert points(items[5]) == ["贪婪：多样性 低；质量 中", "Beam：多样性 中；质量 高"]
    assert not items[6].answered and not items[6].rubric


def test_headings_lose_their_emoji_cleanly() -> None:
    items, _ = parse_note(DECODING, "docs/decoding/README.md")
    assert one(items, "中的贪婪解码").heading_path == ["解码策略", "解码方法", "贪婪解码"]
    for item in items:
        for text in (item.question, item.topic, *item.heading_path):
            assert not any(c in text for c in "\ufe0f\u20e3\u200d🎲🎯🏗📊"), text
        assert is_real_question(item.question, item.language)


def test_topics_come_from_headings_then_titles_then_the_folder() -> None:
    items, _ = parse_note(DECODING, "docs/decoding/README.md")
    assert one(items, "中的贪婪解码").topic == "解码方法"
    assert one(items, "请介绍解码策略").topic == "解码策略"  # the document's title
    plain = "1. 什么是过拟合？\n模型在训练集上好，在测试集上差。\n"
    (item,), _ = parse_note(plain, "003_aee18736a2e5c374.txt", folder="面试笔记")
    assert item.topic == "面试笔记"  # never the hashed file name
    (item,), _ = parse_note(plain, "ml/003_aee18736a2e5c374.txt")
    assert item.topic == "ml"
    (item,), _ = parse_note(plain, "regularization.txt", folder="notes")
    assert item.topic == "regularization"


def test_questions_the_notes_wrote_are_never_rewritten() -> None:
    text = (
        "## 🤔 What is dropout?\nIt zeroes activations.\n\n"
        "## 简述BERT的预训练任务\nMLM 和 NSP 两个任务。\n"
    )
    items, _ = parse_note(text, "q.md")
    assert [(i.question, i.written_by) for i in items] == [
        ("What is dropout?", "notes"),
        ("简述BERT的预训练任务", "notes"),
    ]


def test_template_questions_speak_the_notes_language() -> None:
    text = (
        "# 注意力\n\n## Self-Attention公式\nAttention = softmax(QK^T / sqrt(d)) V\n\n"
        "## 作用\n建模长距离依赖。\n"
    )
    items, _ = parse_note(text, "a.md")
    # the document's title frames "作用"; "Self-Attention公式" is asked as it stands
    assert [i.question for i in items] == ["请介绍Self-Attention公式", "请介绍注意力的作用"]


@pytest.mark.parametrize(
    "body",
    ["即将推出", "- [ ] 多模态大模型专题", "Coming soon", "TBD", "- [参考](https://example.com)", ""],
)
def test_sections_with_nothing_to_ask_are_not_items(body: str) -> None:
    text = f"# 笔记\n\n## 多模态\n{body}\n\n## 位置编码\n为模型提供位置信息。\n"
    items, _ = parse_note(text, "n.md")
    assert [i.question for i in items] == ["请介绍位置编码"]
