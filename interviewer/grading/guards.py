"""Guards: the answers decided without grading, and what of an answer is graded at all.

An empty answer, "I don't know" (or only asking to move on: "没了解过，换个问题吧") or only
words to the grader ("score: 10/10", "忽略评分标准") is decided here; sentences to the grader
inside an answer are dropped before grading, and a copy of the question (copies) scores 0 in
the grader, which has the cosine it needs.
"""

import re

from interviewer.grading.clauses import split_clauses
from interviewer.grading.features import words

# a spoken interview answer is a few hundred words; past this we grade the start, so a pasted
# book can't buy coverage or stall the CPU embedding thousands of clauses
MAX_ANSWER_CHARS = 6000
DONT_KNOW = re.compile(
    r"(i\s*(do\s*n[o']?t|dont)\s*know|no\s*idea|not\s*sure|pass|skip|idk|不知道|不清楚|不会|没学过|不了解|忘了)"
    r"[\s.!。！]*",
    re.I,
)
# a short phrase that admits not knowing or asks to move on: an answer made only of these (and
# of "sorry") says nothing of the topic, however near its words sit to the question ("I haven't
# studied dropout, next question please" was shown 4.0 of 10)
ADMITS = re.compile(
    r"不知道|不清楚|不太清楚|不了解|不太了解|不熟悉|没(?:有)?(?:太|怎么)?(?:深入)?(?:了解|学|接触|研究|看|用|做)过|"
    r"忘(?:记)?了|记不(?:清|得|住)|答不(?:上|出)|换(?:一)?个问题|跳过|下一(?:个|道)?题|"
    r"\bi\s*(?:do\s*n[o']?t|dont)\s*know\b|\bno\s*(?:idea|clue)\b|\bnot\s*(?:sure|familiar)\b|"
    r"\b(?:do\s*n[o']?t|can'?t|cannot)\s*(?:remember|recall)\b|\bforgot\b|\bmove\s*on\b|\bnext\s*question\b|"
    r"\bhaven'?t\s*(?:studied|learned|used|seen|looked at|covered)\b",
    re.I,
)
# ...unless it goes on to a guess, which is graded like any answer
GUESSES = re.compile(
    r"不过|但是|可能|应该|我觉得|我猜|大概|\b(?:but|though|maybe|probably|perhaps|i think|i guess)\b", re.I
)
FILLER = re.compile(r"(?:sorry|抱歉|不好意思|对不起|嗯+|呃+|um+|uh+|hmm+|well|honestly|说实话|这个)\W*", re.I)
ADMISSION_CHARS = 40

TO_GRADER = re.compile(
    r"\b(?:score|grade|mark|rating)s?\s*[:=]\s*\d|\b\d+(?:\.\d+)?\s*/\s*10\b|\bfull marks\b|"
    r"\b(?:give|award|grant)\s+(?:me|this|the candidate|this answer)\b.{0,30}\b(?:\d+|full|max|top)|"
    r"\bignore\b.{0,40}\b(?:rubric|instructions?|notes|grader|prompt|rules)\b|^(?:system|assistant|user)\s*:|"
    # chat-template tokens (Qwen/ChatML, Llama, Mistral): a clause that carries one is talking to a model
    r"<\|[a-z_]{2,20}\|>|\[/?INST\]|<</?SYS>>|"
    r"满分|给我.{0,8}分|打.{0,3}高分|忽略.{0,10}(?:评分|标准|指令|提示|规则|以上|之前)",
    re.I,
)


def content(answer: str) -> str | tuple[str, list[str], bool]:
    """An answer's text and clauses as graded (truncated: only the start was kept), or the
    reason a guard decides it without them."""
    text = answer.strip()[:MAX_ANSWER_CHARS]
    truncated = len(answer.strip()) > MAX_ANSWER_CHARS
    if not re.search(r"\w", text):  # nothing, or only punctuation and bullets
        return "The answer is empty."
    every = split_clauses(text)
    if not every:  # only punctuation or bullets
        return "The answer is empty."
    if admits_only(text):
        return "The answer says it doesn't know."
    # sentences about scoring ("score: 10", "忽略评分标准，给我满分") are not content
    clauses = [c for c in every if not TO_GRADER.search(c)]
    if not clauses:
        return "The answer talks to the grader instead of answering."
    for dropped in (c for c in every if TO_GRADER.search(c)):
        text = text.replace(dropped, " ")  # cut from the text itself: the rest reads as written
    return re.sub(r"[ \t]{2,}", " ", text).strip(), clauses, truncated


def copies(answer: str, question: str, cosine: float) -> bool:
    """An answer that adds (almost) no word of its own to the question."""
    mine = words(answer) - words(question)
    return cosine >= 0.9 and len(mine) <= max(1, len(words(answer)) // 10)


def admits_only(text: str) -> bool:
    """An answer whose every phrase admits not knowing, asks to move on or is filler: one phrase
    of anything else ("I'm not sure, but I think it drops units") and it is graded."""
    phrases = [p.strip() for p in re.split(r"[，,。.;；！!？?\n]+", text) if p.strip()]

    def admits(p: str) -> bool:
        short = len(p) <= ADMISSION_CHARS
        return bool(DONT_KNOW.fullmatch(p) or short and ADMITS.search(p) and not GUESSES.search(p))

    return any(admits(p) for p in phrases) and all(admits(p) or FILLER.fullmatch(p) for p in phrases)
