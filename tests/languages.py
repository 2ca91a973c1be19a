"""What of a page is in the wrong language: the checks the handler and browser tests share.

A Chinese page may show Latin letters only where the user put them (their notes, answers, the
interviewer's words), in session ids, and in names written alike in both languages (BOTH); an
English page may show Chinese only where the user put it, and "中文" in the language menu.
"""

import html
import re

LATIN = re.compile(r"[A-Za-z][A-Za-z'’]*")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff5e]+")
SESSION_ID = re.compile(r"\b[0-9a-f]{12}\b")
# formats, file types, keys, units and acronyms Chinese writes as English does, and the
# language menu's "English", which is each language's own name for itself
BOTH = {"Markdown", "JSON", "HTML", "MB", "kB", "Enter", "Shift", "LLM", "FSRS", "UTC", "English"}
BOTH |= {"md", "txt", "zip", "markdown", "YAML"}
NAMES = {"中文"}


def plain(text: str) -> str:
    """Text as read: our HTML's tags and attributes dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", " ", text))


def english(texts: list[str], users: list[str]) -> list[str]:
    """The Latin words in a Chinese page that neither the user wrote nor both languages share."""
    theirs = {w.lower() for w in LATIN.findall(" ".join(users))}
    found = LATIN.findall(SESSION_ID.sub(" ", plain(" \n ".join(texts))))
    return sorted({w for w in found if w not in BOTH and w.lower() not in theirs})


def chinese(texts: list[str], users: list[str]) -> list[str]:
    """The runs of Chinese in an English page that the user didn't write."""
    theirs = " ".join(users)
    found = CJK.findall(plain(" \n ".join(texts)))
    return sorted({run for run in found if run not in NAMES and run not in theirs})
