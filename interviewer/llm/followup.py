"""A follow-up question aimed at one missed rubric point: the LLM phrases it, we check it.

The embeddings chose the point; the LLM only words the question. Small models often repeat
the original question, state the answer, or write no question at all, so every reply is
validated and a template is used when it fails (or the model is slow or absent).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from interviewer.grading.features import words
from interviewer.llm.chat import ChatBackend, ChatError, Message
from interviewer.llm.prompts import render

MAX_CHARS = 200
# a follow-up that carries this much of a question's own words restates it, however much it adds
# ("为什么大模型普遍采用子词分词？" -> "为什么大模型在处理文本时，子词分词比词级分词更有效？": 8 of 13);
# only for questions with enough words for a share to mean something
RESTATES = 0.6
RESTATES_MIN_WORDS = 4
# drafted()'s tries, in order: (prompt, temperature). At temperature 0 a small model repeats its
# draft whatever it is told, so the second try is another prompt (the point alone, the question
# out of sight to copy) and later ones are sampled, each with its own seed: varied, yet the same
# every time. Showing the model its rejected drafts made it copy them: it is not told. Measured
# on the bundled notes, 20 points a language: two greedy tries gave zh 13, en 17 usable; adding
# the sampled ones, 20 and 20 (bench, followup_usable_*).
DRAFTS = (
    ("follow_up_point", 0.0),
    ("follow_up_why", 0.0),
    ("follow_up_point", 0.8),
    ("follow_up_point", 0.8),
    ("follow_up_why", 0.8),
    ("follow_up_point", 0.8),
)
GREEDY = 2  # the first tries, which every point of a question gets before any is sampled
_LABEL = re.compile(r"^(.{2,24}?)[：:]")  # "模型架构：BERT 是编码器" -> topic "模型架构"


class Interrupted(Exception):
    """Drafting stopped mid-reply to leave the CPU to a grade; the draft is to be made again."""


@dataclass(frozen=True)
class FollowUp:
    text: str
    from_llm: bool
    rejected: str | None = None  # why the LLM's own wording was not used
    llm_error: bool = False  # the LLM failed to answer (down, dropped, stalled): worth trying again


def follow_up(
    chat: ChatBackend | None, question: str, answer: str, missed_point: str, language: str
) -> FollowUp:
    if chat is None:
        return FollowUp(template(question, missed_point, language), False, "no LLM")
    messages = [
        {"role": "system", "content": render("system", language=language)},
        {
            "role": "user",
            "content": render(
                "follow_up", question=question, answer=answer, missed_point=missed_point, language=language
            ),
        },
    ]
    try:
        text = read(chat, messages, 0.0, 0, None).strip().strip('"“”')
    except ChatError as e:
        return FollowUp(template(question, missed_point, language), False, str(e))
    problem = check(text, question, missed_point)
    if problem:
        return FollowUp(template(question, missed_point, language), False, problem)
    return FollowUp(text, True)


def drafted(
    chat: ChatBackend | None,
    question: str,
    missed_point: str,
    language: str,
    tries: range = range(len(DRAFTS)),
    interrupt: Callable[[], bool] | None = None,
) -> FollowUp:
    """A follow-up aimed at one point, written before any answer (while the candidate thinks):
    the `tries` of DRAFTS, each checked; the first that passes is kept, else the template. Fixed
    prompts, temperatures and seeds: the same question and point give the same text. Raises
    Interrupted, the reply cut off, as soon as `interrupt()` says so."""
    if chat is None:
        return FollowUp(template(question, missed_point, language), False, "no LLM")
    problem = "no draft"
    for seed in tries:
        name, temperature = DRAFTS[seed]
        prompt = render(name, question=question, missed_point=missed_point, language=language)
        messages = [
            {"role": "system", "content": render("system", language=language)},
            {"role": "user", "content": prompt},
        ]
        try:
            text = read(chat, messages, temperature, seed, interrupt).strip().strip('"“”')
        except ChatError as e:
            return FollowUp(template(question, missed_point, language), False, str(e), llm_error=True)
        problem = check(text, question, missed_point) or ""
        if not problem:
            return FollowUp(text, True)
    return FollowUp(template(question, missed_point, language), False, problem)


def read(
    chat: ChatBackend,
    messages: list[Message],
    temperature: float,
    seed: int,
    interrupt: Callable[[], bool] | None,
) -> str:
    pieces: list[str] = []
    stream = chat.stream(messages, 64, ["\n\n"], temperature, seed)
    for piece in stream:
        if interrupt is not None and interrupt():
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # drops the connection: the server stops generating at its next token
            raise Interrupted
        pieces.append(piece)
    return "".join(pieces)


def check(text: str, question: str, missed_point: str) -> str | None:
    """Why a generated follow-up can't be used, or None when it can."""
    if not text:
        return "empty"
    if len(text) > MAX_CHARS:
        return "too long"
    if not re.search(r"[?？]\s*$", text):
        return "not a question"
    mine, asked = words(text), words(question)
    if mine and len(mine & asked) / len(mine) >= 0.8:
        return "repeats the question"
    if len(asked) >= RESTATES_MIN_WORDS and len(mine & asked) / len(asked) >= RESTATES:
        return "repeats the question"
    # words of the point that the question did not already use are the answer: don't say them
    secret = words(missed_point) - asked
    if secret and len(mine & secret) / len(secret) >= 0.5:
        return "gives the answer away"
    return None


def point_label(point: str) -> str | None:
    """The topic a point names before its colon, if any: "模型架构：BERT 是编码器" -> "模型架构"."""
    m = _LABEL.match(point)
    return m.group(1).strip() if m else None


def nudge(points: list[str], topic: str, language: str) -> str:
    """A hint toward the first of `points` that names its topic ("模型架构：..."), else toward the
    question's topic: never a point's content."""
    labels = [label for label in map(point_label, points) if label]
    if language == "zh":
        return f"提示：想想「{labels[0]}」。" if labels else f"提示：从「{topic}」的角度想想。"
    return f"Hint: think about {labels[0]}." if labels else f"Hint: think about it from the {topic} angle."


def template(question: str, missed_point: str, language: str) -> str:
    """A safe follow-up: names the point's topic when it has one, never its content."""
    label = point_label(missed_point)
    if language == "zh":
        if label:
            return f"关于「{label}」这方面，你能再具体说说吗？"
        return "你的回答还漏了一个关键方面。结合这个问题，你还能补充什么？"
    if label:
        return f"Could you say more about the {label} side of this?"
    return "There is one more key aspect you have not mentioned. What else would you add?"


def substance(question: str, language: str) -> str:
    """The follow-up to an answer that stated none of the points (praise, hedging, the question
    said back): it asks for one concrete claim, not for "more"."""
    if language == "zh":
        topic = question.rstrip("？?")
        return f"具体来说呢？就「{topic}」，请说出一个具体的机制、步骤或例子，而不是泛泛而谈。"
    return (
        f"Concretely, for “{question.rstrip('?')}”: name one specific mechanism, step or example, "
        "rather than speaking in general."
    )

