"""How the LLM writes questions for headings that don't ask one: `python app.py bench NOTES`.

Written per minute on this CPU, and how many of them passed the checks (question_checks.py) as the LLM
wrote them, with why the others did not. A fresh writer each run (nothing cached), sections
spread over the whole folder.
"""

import time
from collections import Counter

from interviewer.llm.chat import ChatBackend
from interviewer.llm.question_writer import QuestionWriter
from knowledge.index.embedder import Embedder
from knowledge.index.knowledge_base import KnowledgeBase


def question_figures(
    kb: KnowledgeBase, embedder: Embedder, chat: ChatBackend, sample: int = 20
) -> dict[str, object]:
    sections = [i for i in kb.items if i.written_by == "template"]
    if not sections:
        return {"questions_to_write": 0}
    picked = sections[:: max(1, len(sections) // sample)][:sample]
    writer = QuestionWriter(chat, embedder)
    started = time.perf_counter()
    results = [writer.write(kb, item) for item in picked]
    minutes = (time.perf_counter() - started) / 60
    why = Counter(r.rejected for r in results if not r.from_llm)
    return {
        "questions_to_write": len(sections),
        "questions_written_per_min": round(len(picked) / minutes, 1),
        "questions_passed_checks": f"{sum(r.from_llm for r in results)} of {len(picked)}",
        "questions_rejected_because": dict(why),
    }
