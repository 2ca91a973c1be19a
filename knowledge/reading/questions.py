"""What reads as an interview question, and the template question a plain heading gets.

A question the notes wrote ("为什么要除以√d_k？", "Explain dropout") is asked as written. A plain
heading ("贪婪解码", "Beam Search") is asked through a template built from its heading path, in the
notes' language: "请介绍贪婪解码", "Explain GELU in activation functions." (a later step may
have the local LLM rewrite it). Headings that name no subject of their own take their parent's:
  generic  "解码策略 › 概述"     -> 请介绍解码策略
  summary  "PPO › 小结"          -> 请总结PPO
  facet    "PPO › 动机"          -> 请介绍PPO的动机   (背景 and 注意事项 too: what they are about is
                                                      the parent, the aspect keeps the question precise)
  compare  "📊 解码策略对比"      -> 请比较不同的解码策略
  code     "贪婪解码 › 代码"      -> 请解释贪婪解码的代码实现
"""

import re

from knowledge.items import Language
from knowledge.reading.spans import weight

_QUOTES = "\"'“”‘’「」『』《》【】 \t"
_EMOJI_LEFT = re.compile(r"[\ufe0e\ufe0f\u200d\u20e3\U0001F000-\U0001FAFF\u2600-\u27BF]")
_ASKING_MARK = re.compile(r"[?？]")  # "读过原论文吗？说说它的两个任务。" asks too
_ZH_ASKS = re.compile(
    r"为什么|为何|如何|怎么|怎样|哪些|哪个|哪种|哪里|什么|是否|多少|有何|何时|看法"
    r"|^(?:你对|对于?).{1,40}的(?:了解|理解)$|(?:吗|呢)[。.]?\s*$"
)
_ZH_REQUEST = re.compile(
    r"^(?:你能|能否|可否|试)?\s*(?:解释|介绍|简述|简要|说说|说明|说一下|说出|说几|谈谈|讲讲|描述|阐述|"
    r"列举|列出|举例|写出|概括|给出|区分)"
    r"|^(?:设计|分享|推导|计算|估算|证明|实现|写)[一下]"  # "设计一个…", not "设计模式" or "计算复杂度"
    r"|^请\s*\S{2}|(?:阐述|简述)\s*[。.]?\s*$"  # "对比分析" alone is a heading, "请对比…" asks
)
_EN_ASKS = re.compile(
    r"^(?:what|why|how|when|which|who|where|whose|is|are|does|do|did|can|could|should|would|will|"
    r"explain|describe|compare|contrast|define|list|name|give|outline|discuss|walk me through|tell me|"
    r"derive|design|implement|estimate|calculate|show|summari[sz]e|state|suggest|propose|distinguish)\b",
    re.I,
)


def is_real_question(text: str, language: Language) -> bool:
    """Whether text reads as a question an interviewer would ask, not a bare heading.

    It has a ？/?, or asks or requests in the notes' language (为什么…, 请解释…, What…, Explain…),
    and holds no emoji or what is left of one.
    """
    text = text.strip(_QUOTES)
    if weight(text) < 2 or _EMOJI_LEFT.search(text):
        return False
    if _ASKING_MARK.search(text):
        return True
    if language == "zh":
        return bool(_ZH_ASKS.search(text) or _ZH_REQUEST.search(text))
    return bool(_EN_ASKS.search(text))


def _words(*names: str) -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(names) + r")\s*[:：]?$", re.I)


# a heading that only frames its parent: the question is about the parent
GENERIC = _words(
    "概述", "概览", "简介", "介绍", "前言", "引言", "导言", "核心概念", "基本概念", "基础概念", "概念",
    "定义", "基础", "基础知识", "说明", "overview", "introduction", "intro", "notes?", "basics", "concepts?",
    "key concepts", "definitions?",
)
# a summary of its parent: asked as "请总结{parent}"
SUMMARY = _words("总结", "小结", "结语", "结论", "summary", "conclusions?", "recap", "tl;?dr", "wrap-up")
# an aspect of its parent: asked as "{parent}的{facet}"
FACET = _words(
    "背景", "background", "注意事项", "原理", "基本原理", "工作原理", "核心原理", "实现原理", "特点",
    "主要特点", "特性", "主要特性", "优势", "优点", "缺点", "优缺点", "局限", "局限性", "动机", "核心思想",
    "基本思想", "思想", "思路", "方法", "核心方法", "流程", "基本流程", "步骤", "算法步骤", "算法流程",
    "应用", "应用场景", "适用场景", "作用", "意义", "实现", "实现细节", "细节", "关键细节", "公式",
    "数学公式", "数学原理", "推导", "架构", "结构", "参数", "超参数", "问题", "挑战", "改进", "改进方法",
    "优化", "变体", "分类", "类型", "用法", "使用方法", "最佳实践", "技巧", "常见问题", "目标", "损失函数",
    "训练", "推理", "评估", "示例", "例子", "motivation", "key ideas?", "ideas?", "intuition", "methods?",
    "approach", "how it works", "steps", "algorithm", "pros and cons", "advantages", "disadvantages",
    "limitations", "applications", "use cases", "details", "formula", "math", "architecture", "structure",
    "parameters", "hyperparameters", "variants", "tips", "pitfalls", "caveats", "best practices", "goals?",
    "training", "inference", "evaluation", "examples?", "面试重点", "高频问题", "面试题", "常见面试题",
    "高频面试题", "interview questions", "faq",
)
# the questions about a whole document, wherever they sit: "## 🎯 面试重点" after "## 剪枝" is not 剪枝's
INTERVIEW = _words("面试重点", "高频问题", "面试题", "常见面试题", "高频面试题", "interview questions", "faq")
# a heading that says only "code": the question asks what the code above it implements
CODE = re.compile(
    r"^(?:代码|代码示例|示例代码|代码实现|实现代码|参考代码|实战\S{0,2}|code|code examples?|example code|"
    r"implementation|snippets?|demo)\s*[:：]?$",
    re.I,
)
_COMPARE_ZH = re.compile(r"^(.*?)\s*(?:对比分析|对比|比较|之争)$")
_COMPARE_EN = re.compile(r"^(?:comparison(?: of)?|comparing)\s+(.*)$|^(.*?)\s+comparison$", re.I)
_VERSUS = re.compile(r"\s*(?<![A-Za-z])(?:vs\.?|versus)(?![A-Za-z])\s*(?=\S)", re.I)
_TAIL = re.compile(r"\s*(?:详解|简介|介绍|概述|概览|说明|笔记)$")  # "微调概述" -> "微调"
_EXPANSION = re.compile(r"\s*[（(][^（）()]*[)）]")  # "PPO（近端策略优化）的动机" -> "PPO的动机"


def template_question(
    heading: str, parents: list[str], title: str, language: Language, code: bool = False
) -> str | None:
    """The question a section asks when its heading is not one; None if it names no subject.

    heading: the section's cleaned heading (numbering stripped); parents: the headings above it
    that name a subject, nearest first; title: the notes' front-matter title.
    code: the section is code with no prose; it asks what the code implements.
    """
    zh = language == "zh"
    heading = _TAIL.sub("", heading.split(" | ")[0].strip(_QUOTES + ":：。.")) or heading
    parent = _subject(parents[0]) if parents else ""
    frame = parent or _subject(title)  # what a generic or facet heading is about
    if not names_a_subject(heading):
        if not frame:
            return None  # "概述" or "注意事项" of nothing: not worth asking as it stands
        if code:
            return f"请解释{frame}的代码实现" if zh else f"Explain the code that implements {frame}."
        if GENERIC.match(heading):
            return f"请介绍{frame}" if zh else f"Explain {frame}."
        if SUMMARY.match(heading):
            return f"请总结{frame}" if zh else f"Summarize {frame}."
        facet = heading.rstrip(":：")
        return f"请介绍{frame}的{facet}" if zh else f"Explain the {facet.lower()} of {frame}."
    if code:
        return f"请解释{heading}的代码实现" if zh else f"Explain the code that implements {heading}."
    if (m := _VERSUS.search(heading)) and m.start() > 0:  # "Pre-norm vs Post-norm"
        return f"请比较{_VERSUS.sub('和', heading)}" if zh else f"Compare {_VERSUS.sub(' and ', heading)}."
    compared = _compared(heading)
    if compared is not None:
        if weight(compared) >= 4 or not frame:
            return f"请比较不同的{compared or heading}" if zh else f"Compare {compared or heading}."
        kind = compared or ("方法" if zh else "approaches")
        return f"请比较{frame}中的不同{kind}" if zh else f"Compare the {kind} in {frame}."
    if parent and _in_context(heading, parent):
        return f"请介绍{parent}中的{heading}" if zh else f"Explain {heading} in {parent}."
    return f"请介绍{heading}" if zh else f"Explain {heading}."


def names_a_subject(heading: str) -> bool:
    """Whether a heading can stand as the parent a generic or facet sub-heading asks about."""
    return not any(p.match(heading) for p in (GENERIC, SUMMARY, FACET, CODE))


def _subject(heading: str) -> str:
    name = heading.split(" | ")[0].strip(_QUOTES)
    return _TAIL.sub("", _EXPANSION.sub("", name)).strip() or heading


def _in_context(heading: str, parent: str) -> bool:
    """Whether "{parent}中的{heading}" reads better than the heading alone: a parent that is short,
    not already nested ("A中的B中的C") and not just a part of the heading ("RLHF › RLHF流程"), over a
    heading too short to stand alone ("激活函数 › GELU"; "自注意力机制 (Self-Attention)" needs none)."""
    short = weight(heading) < 6 and weight(parent) <= 12
    return short and "中的" not in parent and parent not in heading and heading not in parent


def _compared(heading: str) -> str | None:
    """What a comparison heading compares ("解码策略对比" -> "解码策略"), or None if it is not one."""
    if m := _COMPARE_ZH.match(heading):
        return m.group(1).strip()
    if m := _COMPARE_EN.match(heading):
        return (m.group(1) or m.group(2) or "").strip()
    return None
