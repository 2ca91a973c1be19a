"""Blocks to a tree of sections, and which of them are asked.

A heading is a question when it asks (？, 什么/为什么/如何…, What/Why/How…) or is numbered
("3. 位置编码", "Q2"), unless most of its sub-headings ask questions themselves (then it is a
section). The outermost question wins: its sub-headings are its key points. In Markdown notes
every other section with text of its own (prose before its first sub-heading included) is an
item too, asked through a template question (questions.py). Q/A pairs and lists of questions in
a section are items of their own (labels.py). Not asked: empty sections, placeholders ("即将推出",
"TODO"), link lists and tables of contents, and code that no heading or prose explains.
"""

import re
from dataclasses import dataclass, field

from knowledge.reading.blocks import Block
from knowledge.reading.labels import Labelled, one_question_label, pairs, question_list
from knowledge.reading.questions import CODE, GENERIC, SUMMARY
from knowledge.reading.spans import weight

NUMBERED = re.compile(
    r"^\s*(?:\d+(?:\.\d+)*\s*[.、．)）:：]?|[一二三四五六七八九十]+\s*[、.．]|Q\d+\s*[.:：]?|[(（]\d+[)）])\s*(?=\S)"
)
ARABIC = re.compile(r"^\s*(?:\d+(?:\.\d+)*\s*[.、．)）:：]?|Q\d+\s*[.:：]?|[(（]\d+[)）])\s*(?=\S)")
_ASKS = re.compile(
    r"[?？]\s*$|什么|为什么|为何|如何|怎么|怎样|哪些|哪个|哪种|是否|吗|呢"
    r"|^(?:what|why|how|when|which|who|where|is|are|does|do|can|could|should|would|explain|"
    r"describe|compare|define|list|name|give|outline|discuss|contrast|walk me through|tell me)\b",
    re.I,
)
_TOPICAL = re.compile(
    r"区别|异同|作用|原理|优势|优点|缺点|优缺点|介绍|解释|描述|说说|谈谈|讲讲|理解|了解|简述|阐述|"
    r"比较|对比|举例|\bvs\.?\b|\bversus\b|\bdifference\b",
    re.I,
)
# sections that are not knowledge to be asked about, with everything under them
NOT_ASKED = re.compile(
    r"^(目录|目录导航|导航|参考|参考资料|参考文献|参考链接|相关链接|相关资源|相关阅读|资源推荐|推荐资源|深入阅读|"
    r"延伸阅读|推荐阅读|扩展阅读|拓展阅读|附录|备注|参与贡献|贡献指南|致谢|许可证|开源协议|更新日志|近期更新|"
    r"持续更新计划|更新计划|联系方式|版权声明|references?|contents|table of contents|toc|appendix|"
    r"further reading|reading list|resources|links|related|see also|contributing|license|"
    r"acknowledge?ments|changelog|contact)\W*$",
    re.I,
)
PLACEHOLDER = re.compile(
    r"即将推出|敬请期待|待补充|待完善|待更新|未完待续|施工中"
    r"|\btodo\b|\btbd\b|coming soon|\bwip\b|to be (?:added|continued)",
    re.I,
)
_LABEL_HEADING = re.compile(r"^(解析|分析|答案解析|详解|答案|参考答案|explanation|analysis|answer)\W*$", re.I)
MIN_PROSE = 6  # less text than this beside code ("代码：") does not say what the code does


@dataclass
class Section:
    head: Block | None
    body: list[Block] = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)

    @property
    def level(self) -> int:
        return self.head.level if self.head else 0

    @property
    def title(self) -> str:
        return self.head.text if self.head else ""

    def content(self) -> list[Block]:
        """Everything under this heading, in source order."""
        out = list(self.body)
        for child in self.children:
            assert child.head is not None
            out += [child.head, *child.content()]
        return out


def strip_numbering(text: str) -> str:
    return NUMBERED.sub("", text, count=1).strip() or text.strip()


def tree(blocks: list[Block]) -> Section:
    root = Section(None)
    stack = [root]
    for b in blocks:
        if b.kind == "heading" and _LABEL_HEADING.match(b.text):
            stack[-1].body.append(Block("label", b.piece, b.level, b.line))
        elif b.kind == "heading":
            while stack[-1].level >= b.level:
                stack.pop()
            sec = Section(b)
            stack[-1].children.append(sec)
            stack.append(sec)
        else:
            stack[-1].body.append(b)
    return root


def is_whole_item(sec: Section, topic_notes: bool) -> bool:
    """Whether the section is one question: its heading asks, or it is numbered, or labelled."""
    if sec.head is None or _frames_parent(strip_numbering(sec.title)):
        return False
    if one_question_label(sec.body):
        return True
    kids = [c for c in sec.children if _askable_kid(c)]
    asking = sum(bool(_ASKS.search(strip_numbering(c.title))) for c in kids)
    if _ASKS.search(sec.title) or _TOPICAL.search(sec.title):
        return not kids or asking * 2 < len(kids)
    if ARABIC.match(sec.title):
        # "3. Dropout" is a question; "1. Basics" over "1.1 ...", "1.2 ..." is a chapter, and so
        # is "5. 常见算法" over sections with sections of their own
        nested = any(NUMBERED.match(c.title) or c.children for c in kids)
        return not kids or (asking == 0 and not nested)
    if not topic_notes or not kids:
        return False
    # "# RoBERTa" + intro + "## 1. 动态mask", "## 2. ...": one topic, its numbered parts
    return any(b.kind != "label" for b in sec.body) and all(
        NUMBERED.match(c.title) and not _ASKS.search(strip_numbering(c.title)) for c in kids
    )


def own_content(sec: Section) -> tuple[list[Block], list[Block], list[Labelled]]:
    """(the section's own blocks, its bare questions, its Q/A pairs), each taken out of the others."""
    found_pairs, body = pairs(sec.body)
    questions, body = question_list(body)
    return body, questions, found_pairs


def why_not_asked(sec: Section, body: list[Block]) -> str | None:
    """Why a section's own text is not an item ("empty", "placeholder", "links", "code only")."""
    title = strip_numbering(sec.title)
    text = [b for b in body if b.kind in ("para", "item", "row")]
    code = any(b.kind == "code" for b in body)
    if PLACEHOLDER.search(title) or (text and all(PLACEHOLDER.search(b.text) for b in text)):
        return "placeholder"
    if not text and any(b.kind == "aside" for b in body) and not code:
        return "links"
    prose = sum(weight(b.text) for b in text)
    if code and prose < MIN_PROSE and (not title or CODE.match(title) or _frames_parent(title)):
        return "code only"  # nothing says what the code does: a model may, later
    if not code and prose < 2:
        return "empty"
    return None


def code_only(body: list[Block]) -> bool:
    prose = sum(weight(b.text) for b in body if b.kind in ("para", "item", "row"))
    return prose < MIN_PROSE and any(b.kind == "code" for b in body)


def _askable_kid(c: Section) -> bool:
    title = strip_numbering(c.title)
    return not (NOT_ASKED.match(title) or _frames_parent(title))


def _frames_parent(title: str) -> bool:
    """"概述", "总结": about the heading above, never a question of their own."""
    return bool(GENERIC.match(title) or SUMMARY.match(title))
