"""Blocks to question items: which headings are questions and what belongs to each answer.

A heading is a question when it asks (？, 什么/为什么/如何…, What/Why/How…) or is numbered
("3. 位置编码", "Q2"), unless most of its sub-headings ask questions themselves (then it is a
section). The outermost question wins: its sub-headings are its key points. In Markdown notes a
plain leaf heading with text under it ("## Dropout") is a topic note, and also an item.
`**题目：**`/`**答案：**`/`解析` labels split a block into question, answer and explanation.
"""

import hashlib
import re
from dataclasses import dataclass, field

from knowledge.blocks import Block, render
from knowledge.items import QuestionItem
from knowledge.keypoints import rubric_points
from knowledge.pieces import is_cjk

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
_GENERIC = re.compile(
    r"^(总结|小结|结语|前言|引言|目录|参考|参考资料|参考文献|附录|备注|todo|summary|conclusion|"
    r"introduction|references?|contents|table of contents|appendix|further reading)\W*$",
    re.I,
)
_LABEL_HEADING = re.compile(r"^(解析|分析|答案解析|详解|答案|参考答案|explanation|analysis|answer)\W*$", re.I)
Q_LABEL = re.compile(r"^(\s*(?:题目|问题|问|question|q)\s*[:：]\s*)", re.I)
A_LABEL = re.compile(r"^(\s*(?:答案|参考答案|回答|答|answer|a)\s*[:：]\s*)", re.I)
E_LABEL = re.compile(r"^(\s*(?:解析|答案解析|分析|explanation|analysis)\s*(?:[:：]\s*|$))", re.I)


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


@dataclass(frozen=True)
class Meta:
    source: str  # relative path
    tags: list[str]
    title: str
    starts: list[int]  # line_starts of the source
    topic_notes: bool  # plain headings with text count as items (Markdown, not plain text)


def items_from_blocks(blocks: list[Block], meta: Meta) -> list[QuestionItem]:
    root = _tree(blocks)
    doc_title = _doc_title(blocks)
    found: list[QuestionItem] = []
    seen: dict[str, int] = {}

    def visit(sec: Section, ancestors: list[Section]) -> None:
        if _is_item(sec, meta.topic_notes):
            item = _item(sec, ancestors, meta, doc_title)
            n = seen[item.id] = seen.get(item.id, 0) + 1
            found.append(item if n == 1 else item.model_copy(update={"id": f"{item.id}-{n}"}))
            return
        for child in sec.children:
            visit(child, [*ancestors, sec] if sec.head else ancestors)

    visit(root, [])
    return found


def strip_numbering(text: str) -> str:
    return NUMBERED.sub("", text, count=1).strip() or text.strip()


def _tree(blocks: list[Block]) -> Section:
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


def _is_item(sec: Section, topic_notes: bool) -> bool:
    if sec.head is None or _GENERIC.match(strip_numbering(sec.title)):
        return False
    if any(b.kind == "para" and Q_LABEL.match(b.text) for b in sec.body):
        return True
    kids = [c for c in sec.children if not _GENERIC.match(strip_numbering(c.title))]
    asking = sum(bool(_ASKS.search(strip_numbering(c.title))) for c in kids)
    if _ASKS.search(sec.title) or _TOPICAL.search(sec.title):
        return not kids or asking * 2 < len(kids)
    if ARABIC.match(sec.title):
        # "3. Dropout" is a question; "1. Basics" over "1.1 ...", "1.2 ..." is a chapter
        return not kids or (asking == 0 and not any(NUMBERED.match(c.title) for c in kids))
    if not topic_notes:
        return False
    has_text = any(b.kind != "label" for b in sec.body)
    if not kids:
        return has_text
    # "# RoBERTa" + intro + "## 1. 动态mask", "## 2. ...": one topic, its numbered parts
    return has_text and all(
        NUMBERED.match(c.title) and not _ASKS.search(strip_numbering(c.title)) for c in kids
    )


def _item(sec: Section, ancestors: list[Section], meta: Meta, doc_title: str) -> QuestionItem:
    assert sec.head is not None
    question, answer, explanation, q_line = _split_labels(sec)
    path = [a.title for a in ancestors] + [sec.title]
    question = question or strip_numbering(sec.title)
    digest = hashlib.sha1("\x1f".join([meta.source, *path, question]).encode()).hexdigest()
    answer_text = render(answer)
    return QuestionItem(
        id=digest[:12],
        source=meta.source,
        heading_path=path,
        topic=_topic(ancestors, meta, doc_title),
        tags=meta.tags,
        question=question,
        answer=answer_text,
        explanation=render(explanation),
        rubric=rubric_points(answer, meta.starts) if answer_text else [],
        line=(q_line if q_line is not None else sec.head.line) + 1,
        language="zh" if is_cjk(question + answer_text[:300]) else "en",
    )


def _split_labels(sec: Section) -> tuple[str, list[Block], list[Block], int | None]:
    """(question from a 题目 label or "", answer blocks, explanation blocks, question line)."""
    question, q_line = "", None
    answer: list[Block] = []
    explanation: list[Block] = []
    target = answer
    for b in sec.content():
        if b.kind == "para" and not question and Q_LABEL.match(b.text):
            question, q_line = b.piece.drop(Q_LABEL).text.strip(), b.line
            continue
        if b.kind == "label" or (b.kind == "para" and E_LABEL.match(b.text)):
            target = explanation
            b = Block("para", b.piece.drop(E_LABEL), b.level, b.line) if b.kind == "para" else b
            if b.kind == "label" or not b.text.strip():
                continue
        elif b.kind == "para" and A_LABEL.match(b.text) and target is answer:
            answer.clear()  # anything between 题目 and 答案 is preamble
            b = Block("para", b.piece.drop(A_LABEL), b.level, b.line)
            if not b.text.strip():
                continue
        target.append(b)
    return question, answer, explanation, q_line


def _topic(ancestors: list[Section], meta: Meta, doc_title: str) -> str:
    """The nearest section heading above the item, else the tags, title or file name."""
    for a in reversed(ancestors):
        if a.title != doc_title:
            return strip_numbering(a.title)
    if meta.tags:
        return meta.tags[0]
    return meta.title or strip_numbering(doc_title) or meta.source.rsplit("/", 1)[-1]


def _doc_title(blocks: list[Block]) -> str:
    """The first heading when no other heading shares its level (a document title)."""
    heads = [b for b in blocks if b.kind == "heading"]
    if heads and sum(h.level == heads[0].level for h in heads) == 1:
        return heads[0].text
    return ""
