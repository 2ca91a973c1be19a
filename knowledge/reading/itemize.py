"""A notes document's sections to QuestionItems: the question, answer, rubric, topic and id of each.

Walks the section tree (outline.py): a question-shaped section is one item; in any other section
its Q/A pairs, its listed questions and its own text (template question) are items, and its
sub-sections are visited in turn. Why a section was not asked is counted, for reports.
"""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace

from knowledge.items import Language, QuestionItem, WrittenBy
from knowledge.reading.blocks import Block
from knowledge.reading.blocks import render as render_blocks
from knowledge.reading.keypoints import rubric_points
from knowledge.reading.labels import Labelled, split_labels
from knowledge.reading.outline import (
    NOT_ASKED,
    Section,
    code_only,
    is_whole_item,
    own_content,
    strip_numbering,
    tree,
    why_not_asked,
)
from knowledge.reading.questions import INTERVIEW, is_real_question, names_a_subject, template_question
from knowledge.reading.spans import is_cjk, weight

_QUOTES = "\"'“”‘’「」『』 "
_TITLE_LABEL = re.compile(r"^(?:自拟)?(?:标题|题目|title)\s*[:：]\s*", re.I)
_HASHED = re.compile(r"[0-9a-f]{8,}|^[\d_\-\s.]*$", re.I)  # "003_aee18736a2e5c374": no name
_NO_NAME = re.compile(r"^(?:readme|index|notes?|untitled|draft|笔记|新建文本文档.*)$", re.I)


@dataclass(frozen=True)
class Meta:
    source: str  # relative path
    tags: list[str]
    title: str  # front-matter title
    starts: list[int]  # line_starts of the source
    topic_notes: bool  # plain headings with text count as items (Markdown, not plain text)
    folder: str = ""  # the notes folder's name, when the source path has none


def items_from_blocks(
    blocks: list[Block], meta: Meta, skipped: Counter[str] | None = None
) -> list[QuestionItem]:
    """skipped, if given, counts the sections not asked by reason ("empty", "links", ...)."""
    skipped = Counter() if skipped is None else skipped
    maker = _Maker(meta, blocks)
    found: list[QuestionItem] = []
    seen: dict[str, int] = {}

    def add(item: QuestionItem | None) -> None:
        if item is not None:
            n = seen[item.id] = seen.get(item.id, 0) + 1
            found.append(item if n == 1 else item.model_copy(update={"id": f"{item.id}-{n}"}))

    def visit(sec: Section, ancestors: list[Section]) -> None:
        if sec.head is not None and NOT_ASKED.match(strip_numbering(sec.title)):
            skipped["links"] += 1
            return
        if is_whole_item(sec, meta.topic_notes):
            add(maker.whole(sec, ancestors))
            return
        body, questions, found_pairs = own_content(sec)
        here = [*ancestors, sec] if sec.head else ancestors
        for pair in found_pairs:
            add(maker.labelled(pair, here))
        if meta.topic_notes:
            for q in questions:
                add(maker.listed(q, here))
            reason = why_not_asked(sec, body)
            if reason is None:
                item = maker.own(sec, body, ancestors)
                reason = None if item else "no subject" if sec.head else "no heading above"
                add(item)
            # a heading over sub-sections, or over questions taken out, is not an empty section
            parent = bool(sec.children or questions or found_pairs) or sec.head is None
            if reason and (reason != "empty" or not parent):
                skipped[reason] += 1
        before: Section | None = None
        for child in sec.children:
            # "#### LoRA" with nothing under it, then "#### 背景": the 背景 of LoRA
            lone = before is not None and not before.body and not before.children
            aspect = not names_a_subject(child.title) and not INTERVIEW.match(child.title)
            visit(child, [*here, before] if lone and before and aspect else here)
            before = child

    visit(tree(blocks), [])
    if not found and not meta.topic_notes:  # plain text with no question in it: its sections
        return items_from_blocks(blocks, replace(meta, topic_notes=True), skipped)
    return found


class _Maker:
    def __init__(self, meta: Meta, blocks: list[Block]) -> None:
        self.meta = meta
        heads = [b for b in blocks if b.kind == "heading"]
        # a document title: the first heading, when no other heading shares its level
        self.doc = heads[0] if heads and sum(h.level == heads[0].level for h in heads) == 1 else None
        self.first = heads[0].text if heads else ""
        # template questions speak the notes' language, whatever one section's formula looks like
        prose = " ".join(b.text for b in blocks[:400] if b.kind != "code")[:5000]
        self.language: Language = "zh" if is_cjk(prose) else "en"

    def whole(self, sec: Section, ancestors: list[Section]) -> QuestionItem:
        assert sec.head is not None
        labelled = split_labels(sec.content())
        line = labelled.line if labelled.line is not None else sec.head.line
        if labelled.question:
            return self._item(sec, ancestors, labelled, self._posed(labelled.question, sec), "notes", line)
        return self._asked_by_heading(sec, ancestors, labelled, code=False) or self._item(
            sec, ancestors, labelled, strip_numbering(sec.title), "template", line
        )

    def _posed(self, question: str, sec: Section) -> str:
        """A 题目 that only sets up a problem, with the question its heading asks after it:
        "### 计算题3：如何估算kv_cache显存？" + "**题目**：假设模型有 n_layers 层…" """
        asked = re.split(r"[:：]", strip_numbering(sec.title))[-1].strip()
        if is_real_question(question, self.language) or not is_real_question(asked, self.language):
            return question
        return f"{question}{'' if self.language == 'zh' else ' '}{asked}"

    def own(self, sec: Section, body: list[Block], ancestors: list[Section]) -> QuestionItem | None:
        if sec.head is None:  # text before any heading: no subject to ask about
            return None
        labelled = split_labels(body)
        return self._asked_by_heading(sec, ancestors, labelled, code=code_only(body))

    def labelled(self, pair: Labelled, here: list[Section]) -> QuestionItem:
        sec, above = here[-1] if here else Section(None), here[:-1]
        assert pair.line is not None
        return self._item(sec, above, pair, pair.question, "notes", pair.line, topic_from=here)

    def listed(self, block: Block, here: list[Section]) -> QuestionItem:
        sec, above = here[-1] if here else Section(None), here[:-1]
        empty = Labelled("", None, [], [])
        return self._item(sec, above, empty, block.text, "notes", block.line, topic_from=here)

    def _asked_by_heading(
        self, sec: Section, ancestors: list[Section], labelled: Labelled, code: bool
    ) -> QuestionItem | None:
        """The heading as written if it asks, else its template question (None: no subject)."""
        assert sec.head is not None
        heading = strip_numbering(sec.title)
        language = self.language
        if is_real_question(heading, language) and not code:
            return self._item(sec, ancestors, labelled, heading.strip(_QUOTES), "notes", sec.head.line)
        above = [strip_numbering(a.title) for a in reversed(ancestors) if a.head is not self.doc]
        title = self.meta.title or (self.doc.text if self.doc else "")
        parents = [t for t in above if names_a_subject(t)]
        question = template_question(heading, parents, title, language, code)
        if question is None:
            return None
        item = self._item(sec, ancestors, labelled, question, "template", sec.head.line, key=heading)
        return item.model_copy(update={"code": code})

    def _item(
        self,
        sec: Section,
        ancestors: list[Section],
        labelled: Labelled,
        question: str,
        written_by: WrittenBy,
        line: int,
        key: str = "",
        topic_from: list[Section] | None = None,
    ) -> QuestionItem:
        path = [a.title for a in ancestors] + ([sec.title] if sec.head else [])
        question = _one_line(question)
        # a template item's id follows its heading, so rewording the template keeps its history
        digest = hashlib.sha1("\x1f".join([self.meta.source, *path, key or question]).encode()).hexdigest()
        answer = render_blocks(labelled.answer)
        prose = render_blocks([b for b in labelled.answer if b.kind != "code"])
        return QuestionItem(
            id=digest[:12],
            source=self.meta.source,
            heading_path=path,
            topic=self._topic(ancestors if topic_from is None else topic_from),
            tags=self.meta.tags,
            question=question,
            answer=answer,
            explanation=render_blocks(labelled.explanation),
            rubric=rubric_points(labelled.answer, self.meta.starts) if answer else [],
            line=line + 1,
            language="zh" if is_cjk(question + prose[:300]) else "en",
            written_by=written_by,
        )

    def _topic(self, ancestors: list[Section]) -> str:
        """The nearest section heading that names a subject, else the notes' title or folder."""
        for a in reversed(ancestors):
            name = strip_numbering(a.title)
            if a.head is not self.doc and names_a_subject(name):
                return name
        first = _TITLE_LABEL.sub("", strip_numbering(self.first))
        if is_real_question(first, "zh" if is_cjk(first) else "en") or weight(first) > 40:
            first = ""
        names = [*self.meta.tags[:1], self.meta.title, first, _file_name(self.meta.source)]
        return next((n for n in names if n), _folder(self.meta))


def _one_line(text: str) -> str:
    """A question written over several lines, on one: a space between English words only."""
    return re.sub(r"\s*\n\s*", lambda m: " " if _latin_edge(text, m) else "", text.strip())


def _latin_edge(text: str, m: re.Match[str]) -> bool:
    return m.start() > 0 and m.end() < len(text) and text[m.start() - 1].isascii() and text[m.end()].isascii()


def _file_name(source: str) -> str:
    """A file name that names something ("transformer_basics.md"), never a hash or README."""
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if _HASHED.search(stem) or _NO_NAME.match(stem):
        return ""
    return re.sub(r"[_\s]+", " ", stem).strip()


def _folder(meta: Meta) -> str:
    parts = meta.source.split("/")
    return parts[-2] if len(parts) > 1 else meta.folder
