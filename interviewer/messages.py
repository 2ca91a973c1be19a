"""Every string the page, the report and the exports show, in Chinese and English: one catalogue.

The strings live in messages.toml, one table per key with `en` and `zh`. say() fills a string's
{placeholders} and fails loudly on a missing one. The page's language is chosen here alone
(language()): the interviewer's setting when it names one, else the browser's.

Some English text is made where no language is known, and kept as it was made: a grade's
reason, why a follow-up came from a template, why a notes file was left out. Their tables say
`stored = true`; shown() finds such a text by its English wording and writes it in the page's.
"""

import re
import tomllib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Literal, NamedTuple

Lang = Literal["zh", "en"]
PATH = Path(__file__).with_name("messages.toml")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Message(NamedTuple):
    en: str
    zh: str
    stored: bool  # English text saved by a part that doesn't know the page's language


def fields(text: str) -> set[str]:
    """The names of a string's {placeholders}."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


@cache
def catalogue() -> dict[str, Message]:
    return parse(PATH.read_text(encoding="utf-8"))


def parse(toml: str) -> dict[str, Message]:
    """A catalogue's tables, checked: a missing language or placeholder fails here, at start."""
    out = {}
    for key, entry in tomllib.loads(toml).items():
        if set(entry) - {"en", "zh", "stored"} or not entry.get("en") or not entry.get("zh"):
            raise ValueError(f"messages.toml [{key}]: needs `en` and `zh` (and maybe `stored`), nothing else")
        if fields(entry["en"]) != fields(entry["zh"]):
            raise ValueError(f"messages.toml [{key}]: en and zh have different placeholders")
        out[key] = Message(entry["en"], entry["zh"], bool(entry.get("stored", False)))
    return out


def say(lang: Lang, key: str, **params: object) -> str:
    m = catalogue()[key]
    return (m.zh if lang == "zh" else m.en).format(**params)


def language(setting: str, accept_language: str | None) -> Lang:
    """The page's language: the interviewer's setting when it names one ("auto" keeps the
    browser's), else the browser's first choice: Chinese for any zh*, English for the rest."""
    if setting in ("zh", "en"):
        return "zh" if setting == "zh" else "en"
    return "zh" if _first_choice(accept_language or "").startswith("zh") else "en"


def _first_choice(accept_language: str) -> str:
    """The language an Accept-Language header ("en;q=0.5, zh-CN") prefers: highest q, then first."""
    best, best_q = "", -1.0
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        q = re.search(r"q\s*=\s*([^;\s]*)", params)
        try:
            weight = float(q.group(1)) if q else 1.0
        except ValueError:
            continue
        if tag.strip() and weight > best_q:
            best, best_q = tag.strip(), weight
    return best.lower()


def when(lang: Lang, at: datetime) -> str:
    """2026年12月2日 14:05 / Dec 2, 2026 14:05"""
    return f"{day(lang, at.date(), year=True)} {at:%H:%M}"


def day(lang: Lang, d: date, year: bool = False) -> str:
    """12月2日 / Dec 2, with the year when asked: 2026年12月2日 / Dec 2, 2026"""
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日" if year else f"{d.month}月{d.day}日"
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}" if year else f"{MONTHS[d.month - 1]} {d.day}"


def listed(lang: Lang, items: list[str]) -> str:
    """Items in a sentence: a、b、c / a, b, c"""
    return ("、" if lang == "zh" else ", ").join(items)


def for_gradio(**constants: object) -> dict[str, dict[str, str]]:
    """The strings the page's components show before any event, for gr.I18n: each whose
    placeholders `constants` fill. "zh" serves zh-CN, zh-TW and the rest (Gradio falls back
    from a region to its language)."""
    out: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
    for key, m in catalogue().items():
        if not m.stored and fields(m.en) <= set(constants):
            out["en"][key] = m.en.format(**constants)
            out["zh"][key] = m.zh.format(**constants)
    return out


def shown(lang: Lang, text: str) -> str:
    """A stored English text in `lang`, when the catalogue knows its wording; else as it is.
    What fills its placeholders is looked up too ("template follow-up (not a question)")."""
    if lang == "en":
        return text
    for key, pattern in _stored():
        if m := pattern.fullmatch(text):
            return say(lang, key, **{k: shown(lang, v) for k, v in m.groupdict().items()})
    return text


@cache
def _stored() -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for key, m in catalogue().items():
        if m.stored:
            pattern = "".join(
                re.escape(literal) + (f"(?P<{name}>.*?)" if name else "")
                for literal, name, _, _ in Formatter().parse(m.en)
            )
            out.append((key, re.compile(pattern, re.DOTALL)))
    return out
