"""The catalogue of strings (interviewer/messages.toml): both languages everywhere, every key
used, the page's language chosen in one place, stored English found again."""

import re
from datetime import datetime
from pathlib import Path

import gradio
import pytest

from interviewer import messages
from interviewer.messages import Message, fields, language, say, shown
from tests.conftest import ROOT

CODE = [p for p in sorted((ROOT / "interviewer").rglob("*.py")) if p.name != "messages.py"]
MADE = [*CODE, *sorted((ROOT / "knowledge").rglob("*.py"))]  # where stored English is written


def source(paths: list[Path]) -> str:
    """The files' text, a string literal split over lines ("a "\n f"b") joined again."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in paths)
    return re.sub(r"\"\s*\n\s*f?\"", "", text)


def test_every_key_has_both_languages_with_the_same_placeholders() -> None:
    found = messages.catalogue()
    assert len(found) > 100
    for key, m in found.items():
        assert m.en.strip() and m.zh.strip(), key
        assert fields(m.en) == fields(m.zh), key
        assert m.zh != m.en, f"{key}: not translated"


def test_a_table_missing_a_language_or_a_placeholder_fails_at_once() -> None:
    with pytest.raises(ValueError, match=r"\[half\]"):
        messages.parse('[half]\nen = "Send"\n')
    with pytest.raises(ValueError, match="placeholders"):
        messages.parse('[n]\nen = "{n} questions"\nzh = "题目"\n')
    with pytest.raises(ValueError, match="nothing else"):
        messages.parse('[x]\nen = "a"\nzh = "甲"\nfr = "un"\n')
    assert messages.parse('[x]\nen = "a"\nzh = "甲"\n') == {"x": Message("a", "甲", False)}


def test_every_key_is_used_and_every_stored_wording_is_still_written_somewhere() -> None:
    code, made = source(CODE), source(MADE)
    ours = {key: m for key, m in messages.catalogue().items() if "." not in key}
    unused = [k for k, m in ours.items() if not m.stored and f'"{k}"' not in code and f"'{k}'" not in code]
    assert unused == []
    # a dotted key is Gradio's own (one its Chinese lacks): its frontend must still ask for it
    frontend = source(sorted((Path(gradio.__file__).parent / "templates" / "frontend").rglob("*.js")))
    gone = [key for key in messages.catalogue() if "." in key and key not in frontend]
    assert gone == []
    # a stored text is found by its English wording: each fixed piece of it must still be made
    drifted = [
        key
        for key, m in messages.catalogue().items()
        if m.stored
        for piece in re.split(r"\{[^}]*\}", m.en)
        if len(piece.strip()) > 3 and piece.strip() not in made
    ]
    assert drifted == []


def test_a_missing_placeholder_fails_loudly() -> None:
    with pytest.raises(KeyError):
        say("en", "question_of", n=1)
    assert say("en", "question_of", n=1, total=5) == "Question 1 of 5"
    assert say("zh", "question_of", n=1, total=5) == "第 1 题，共 5 题"


@pytest.mark.parametrize(
    ("setting", "header", "expected"),
    [
        ("auto", "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("auto", "zh-HK", "zh"),  # every zh*, even where Gradio has no strings of its own
        ("auto", "zh-TW,en;q=0.5", "zh"),
        ("auto", "en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("auto", "en;q=0.5, zh-CN", "zh"),  # the highest q wins, not the first written
        ("auto", "fr-FR", "en"),
        ("auto", None, "en"),
        ("auto", "", "en"),
        ("auto", "zh;q=nonsense, en", "en"),
        ("zh", "en-US", "zh"),  # the interviewer's language is the page's
        ("en", "zh-CN", "en"),
    ],
)
def test_the_page_s_language_is_the_setting_else_the_browser_s(
    setting: str, header: str | None, expected: str
) -> None:
    assert language(setting, header) == expected


def test_stored_english_is_shown_in_the_page_s_language() -> None:
    assert shown("zh", "The answer is not about this question.") == "这个回答与题目无关。"
    assert shown("zh", "Only the first 20,000 characters were graded.") == "只评了前 20,000 个字符。"
    # what fills a placeholder is looked up too
    assert shown("zh", "template follow-up (not a question)") == "模板追问（模型写的不是问句）"
    assert shown("zh", "front-matter is not valid YAML; read the notes without its tags").startswith(
        "front-matter 不是有效的 YAML；"
    )
    assert shown("zh", "No LLM (no model); follow-up questions come from templates.") == (
        "没有可用的大模型（no model）；追问来自模板。"
    )
    assert shown("zh", "something no one wrote down") == "something no one wrote down"
    assert shown("en", "The answer is empty.") == "The answer is empty."


def test_dates_and_scores_as_each_language_writes_them() -> None:
    at = datetime(2026, 12, 2, 14, 5)
    assert messages.when("zh", at) == "2026年12月2日 14:05"
    assert messages.when("en", at) == "Dec 2, 2026 14:05"
    assert messages.day("zh", at.date()) == "12月2日" and messages.day("en", at.date()) == "Dec 2"
    assert say("zh", "score", score=7.5) == "7.5 分" and say("en", "score", score=7.5) == "7.5/10"
    assert messages.listed("zh", ["甲", "乙"]) == "甲、乙" and messages.listed("en", ["a", "b"]) == "a, b"


def test_gradio_gets_the_strings_the_page_shows_before_any_event() -> None:
    static = messages.for_gradio(mb=50)
    assert static["en"]["upload_label"] == "Markdown / text files or a .zip (up to 50 MB)"
    assert static["zh"]["start"] == "开始面试"
    assert "question_of" not in static["en"]  # made on the server, with its numbers
    assert "stored_unrelated" not in static["zh"]
    assert set(static["en"]) == set(static["zh"])
