"""What reads as an interview question, and the template question a plain heading gets."""

import pytest

from knowledge.reading.questions import is_real_question, template_question


@pytest.mark.parametrize(
    "text",
    [
        "为什么要除以√d_k？",
        "Attention计算中为什么要除以${\\sqrt{d_k}}$?",
        "BERT之前广泛用哪些方式解决文本分类",  # asks in place, no question mark
        "请解释贪婪解码的代码实现",
        "简述预训练与微调如何结合",
        "说说bert在那篇论文中的两个主要任务。",
        "读bert的那篇原论文了吗？说说bert在那篇论文中的两个主要任务。",
        "GPT主要技术原理阐述。",
        "你对XXX技术的看法",
        "对于CLIP的了解",
        "“讲讲你最有挑战的项目”",
        "设计一个语义匹配模型：从数据集构建到模型搭建、训练等。",
        "请结合一线大厂的面试题，给出预训练与微调的实战经验。",
    ],
)
def test_chinese_questions(text: str) -> None:
    assert is_real_question(text, "zh")


@pytest.mark.parametrize(
    "text",
    [
        "贪婪解码",
        "概述",
        "注意事项",
        "代码",
        "实战代码",
        "对比分析",  # 对比 opens requests only after 请: "对比分析" is a heading
        "解码策略对比",
        "F.kl_div 介绍",
        "常见的几种位置编码",
        "设计模式",
        "计算复杂度",
        "？",
        "️⃣ GELU",  # what a keycap emoji leaves when only its symbol is dropped
        "🎯 为什么需要位置编码？",
    ],
)
def test_chinese_headings_are_not_questions(text: str) -> None:
    assert not is_real_question(text, "zh")


@pytest.mark.parametrize(
    "text, asks",
    [
        ("What is dropout?", True),
        ("Explain the bias-variance tradeoff", True),
        ("Name three ways to reduce overfitting", True),
        ("Compare batch and layer normalization.", True),
        ("How does Adam work", True),
        ("Precision and recall", False),
        ("Isolation forests", False),  # "is" only as a word
        ("Overview", False),
        ("Beam search", False),
    ],
)
def test_english_questions(text: str, asks: bool) -> None:
    assert is_real_question(text, "en") is asks


@pytest.mark.parametrize(
    "heading, parents, title, language, code, expected",
    [
        # a plain heading, alone when it says enough, with its parent when it is short
        ("贪婪解码", ["解码方法"], "", "zh", False, "请介绍解码方法中的贪婪解码"),
        ("自注意力机制 (SA)", ["注意力机制类型"], "", "zh", False, "请介绍自注意力机制 (SA)"),
        ("GELU", ["激活函数"], "", "zh", False, "请介绍激活函数中的GELU"),
        ("RLHF流程", ["RLHF"], "", "zh", False, "请介绍RLHF流程"),
        ("GELU", [], "", "zh", False, "请介绍GELU"),
        ("Beam search decoding", ["Decoding"], "", "en", False, "Explain Beam search decoding."),
        ("GELU", ["Activations"], "", "en", False, "Explain GELU in Activations."),
        # generic headings ask about their parent; facets keep the aspect
        ("概述", ["LLM Decoder推理"], "", "zh", False, "请介绍LLM Decoder推理"),
        ("概述", [], "解码策略", "zh", False, "请介绍解码策略"),
        ("Overview", ["Transformers"], "", "en", False, "Explain Transformers."),
        ("注意事项", ["面试技巧"], "", "zh", False, "请介绍面试技巧的注意事项"),
        ("动机", ["PPO（Proximal Policy Optimization，近端策略优化）"], "", "zh", False, "请介绍PPO的动机"),
        ("Motivation", ["PPO"], "", "en", False, "Explain the motivation of PPO."),
        ("小结", ["PPO"], "", "zh", False, "请总结PPO"),
        ("预训练概述", [], "", "zh", False, "请介绍预训练"),
        # comparisons
        ("解码策略对比", [], "解码策略", "zh", False, "请比较不同的解码策略"),
        ("结构对比", [], "前馈神经网络", "zh", False, "请比较前馈神经网络中的不同结构"),
        ("对比分析", [], "归一化技术", "zh", False, "请比较归一化技术中的不同方法"),
        ("Pre-norm vs Post-norm", [], "", "zh", False, "请比较Pre-norm和Post-norm"),
        ("Pre-norm vs Post-norm", [], "", "en", False, "Compare Pre-norm and Post-norm."),
        # code with no prose asks what it implements; a bare "代码" heading names its parent
        ("余弦退火", ["学习率调度"], "", "zh", True, "请解释余弦退火的代码实现"),
        ("代码", ["贪婪解码"], "", "zh", True, "请解释贪婪解码的代码实现"),
        ("实战代码", [], "RAG技术", "zh", True, "请解释RAG技术的代码实现"),
        ("Code", ["Beam search"], "", "en", True, "Explain the code that implements Beam search."),
    ],
)
def test_template_questions(
    heading: str, parents: list[str], title: str, language: str, code: bool, expected: str
) -> None:
    question = template_question(heading, parents, title, language, code)  # type: ignore[arg-type]
    assert question == expected
    assert question is not None and is_real_question(question, language)  # type: ignore[arg-type]


@pytest.mark.parametrize("heading", ["概述", "注意事项", "代码", "总结", "Overview"])
def test_a_heading_that_names_nothing_with_nothing_above_is_not_asked(heading: str) -> None:
    assert template_question(heading, [], "", "zh", False) is None
