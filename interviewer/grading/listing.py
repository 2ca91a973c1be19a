"""An answer that only lists the topic's terms: words, no claim about any of them.

"缩放点积、softmax、维度、梯度、稳定性" names what a good answer would talk about and says
nothing of it; its words sit close to every point, so the embeddings alone would credit it.
Such an answer (every sentence a list of three or more short items, none with a verb) is
capped like one that states nothing (scoring.py), where the question asks why, how or what
the difference is; a question that asks which ones ("决定分拣策略的主要因素有哪几个？",
"What are the stages of ...") may be answered by naming them.

    lists_terms("Momentum, adaptive learning rate, bias correction.", "How does Adam work?") -> True
    lists_terms("It keeps a running mean of the gradients.", "How does Adam work?")         -> False
"""

import re

_SENTENCE = re.compile(r"[。！？!?；;\n]+|(?<=[a-z0-9)])\.(?:\s+|$)")
_ITEM = re.compile(r"[、,，]+|\s+(?:and|or)\s+|\s*[和与及]\s*")
# a question that asks for an explanation, where naming things is no answer; anything else
# (which ones, what are the stages, 原则是什么) may be answered by a list
_ASKS_WHY = re.compile(
    r"(?<![分成作])为什么|为何|怎么|如何|原理|作用|好处|区别|不同|机制|是怎样|"
    r"\b(?:why|how(?! many| much| long| often| big)|explain|describe|differences?|compare|"
    r"what does .{1,60} do|what happens)\b",
    re.I,
)
# a word that makes a phrase a claim: a verb or a relation, in either language
_CLAIM = re.compile(
    r"是|会|能|可以|使|让|把|被|用|通过|按|根据|依据|基于|靠|因为|所以|导致|避免|减少|增加|提高|降低|保持|变|成|等于|大于|小于|"
    r"\b(?:is|are|was|were|be|makes?|means?|helps?|reduces?|increases?|keeps?|lets?|uses?|becomes?|"
    r"causes?|prevents?|avoids?|because|so|if|when|by|than|to)\b",
    re.I,
)
MIN_ITEMS = 3
MAX_ITEM_WORDS = 4  # a term, not a sentence: "adaptive learning rate", "数值稳定性" (2 characters a word)
_LATIN_WORD = re.compile(r"[A-Za-z0-9][\w'-]*")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def lists_terms(answer: str, question: str) -> bool:
    """Every sentence of the answer is a list of short terms with no claim, and the question
    asks for an explanation."""
    if not _ASKS_WHY.search(question):
        return False
    sentences = [s.strip() for s in _SENTENCE.split(answer) if s and s.strip()]
    return bool(sentences) and all(_is_list(s) for s in sentences)


def _is_list(sentence: str) -> bool:
    items = [i.strip(" .。:：") for i in _ITEM.split(sentence) if i and i.strip(" .。:：")]
    return (
        len(items) >= MIN_ITEMS
        and all(len(_LATIN_WORD.findall(i)) + len(_CJK.findall(i)) / 2 <= MAX_ITEM_WORDS for i in items)
        and not any(_CLAIM.search(i) for i in items)
    )
