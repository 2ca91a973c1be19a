"""Where the notes themselves say what is asked: 题目/答案/解析 labels, Q/A pairs, question lists.

    **题目：** …  **答案：** …  ### 解析          one question per section (the section is the item)
    1. **Q**: …                               numbered pairs in a list, the A on the next line,
       **A**: …                               continuation lines and nested lists under it, and
       - nested point                         more pairs inside the same list item
    1. **自注意力和交叉注意力的区别？**          a list of questions with no answers
"""

import re
from dataclasses import dataclass

from knowledge.reading.blocks import Block
from knowledge.reading.spans import Piece

Q_LABEL = re.compile(r"^(\s*(?:题目|问题|问|question|q)\s*[:：]\s*)", re.I)
A_LABEL = re.compile(r"^(\s*(?:答案|参考答案|回答|解答|答|answer|a)\s*[:：]\s*)", re.I)
E_LABEL = re.compile(r"^(\s*(?:解析|答案解析|分析|explanation|analysis)\s*(?:[:：]\s*|$))", re.I)
_QUESTION_MARK = re.compile(r"[?？]\s*$")
_A_LINE = re.compile(r"\n(?=\s*(?:答案|参考答案|回答|解答|答|answer|a)\s*[:：])", re.I)


@dataclass(frozen=True)
class Labelled:
    """A question the notes wrote, with what answers it."""

    question: str  # "" when the blocks had no question label
    line: int | None  # 0-based line of the question
    answer: list[Block]
    explanation: list[Block]


def split_labels(blocks: list[Block]) -> Labelled:
    """题目 / 答案 / 解析 labels split blocks into question, answer and explanation."""
    question, q_line = "", None
    answer: list[Block] = []
    explanation: list[Block] = []
    target = answer
    for b in blocks:
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
    return Labelled(question, q_line, answer, explanation)


def asks(b: Block) -> bool:
    return b.kind in ("para", "item") and bool(Q_LABEL.match(b.text))


def one_question_label(body: list[Block]) -> bool:
    """A section with one 题目 paragraph outside any list: the section is that question's item."""
    labelled = [b for b in body if asks(b)]
    return len(labelled) == 1 and labelled[0].kind == "para" and labelled[0].level == 0


def pairs(body: list[Block]) -> tuple[list[Labelled], list[Block]]:
    """Q/A pairs in a section's body, and the blocks that belong to none of them."""
    heads = [n for n, b in enumerate(body) if asks(b)]
    found: list[Labelled] = []
    rest = list(body[: heads[0]] if heads else body)
    for k, n in enumerate(heads):
        end = heads[k + 1] if k + 1 < len(heads) else len(body)
        head = body[n]
        stop = n + 1  # a pair in a list item ends with its item
        while stop < end and (head.level == 0 or _inside(body[stop], head.level)):
            stop += 1
        found.append(split_labels([*_split_a(head), *body[n + 1 : stop]]))
        rest += body[stop:end]
    return found, rest


def question_list(body: list[Block]) -> tuple[list[Block], list[Block]]:
    """Top-level list items that are questions with nothing under them, and the other blocks.

    Only a list made of questions alone, each ending with ？/?, counts ("## 面试重点" + "1. **GQA和MQA
    的权衡？**"); a question among the points of an answer stays part of that answer.
    """
    depths = [b.level for b in body if b.kind == "item"]
    if not depths:
        return [], body
    top = min(depths)
    questions: list[Block] = []
    rest: list[Block] = []
    run: list[Block] = []
    for n, b in enumerate(body + [Block("para", Piece("", ()))]):
        is_top = b.kind == "item" and b.level == top
        if is_top and n + 1 < len(body) and _inside(body[n + 1], top):
            is_top = False  # an item with something under it is a point, not a bare question
        if is_top:
            run.append(b)
            continue
        if run and all(_QUESTION_MARK.search(i.text) for i in run):
            questions += run
        else:
            rest += run
        run = []
        if n < len(body):
            rest.append(b)
    return questions, rest


def _inside(b: Block, depth: int) -> bool:
    return b.level > depth or (b.level == depth and b.kind not in ("item", "heading"))


def _split_a(head: Block) -> list[Block]:
    """"Q: …\\nA: …" in one block as a question paragraph and an answer paragraph."""
    m = _A_LINE.search(head.text)
    if m is None:
        return [Block("para", head.piece, head.level, head.line)]
    q, a = head.piece[: m.start()], head.piece[m.end() :]
    a_line = head.line + head.text[: m.end()].count("\n")
    return [Block("para", q, head.level, head.line), Block("para", a.strip(), head.level, a_line)]
