"""A whole interview through the page's handlers in each language: every string the server
writes (status, chat, feedback, report, history, schedule, due, job, errors, exports) is in
the tab's language, save what the user wrote. The browser test does the same in Chromium."""

import json
from pathlib import Path

import pytest

from interviewer.llm.chat import FakeChat
from interviewer.messages import Lang
from interviewer.storage.session import Session, SessionOptions
from interviewer.web import handlers, practice_tab, views
from interviewer.web.handlers import Page, UserError
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder
from tests.languages import chinese, english

FIXTURES = Path(__file__).parent / "fixtures"
NOTES = {"zh": FIXTURES / "notes_zh", "en": FIXTURES / "notes"}
ANSWERS = {
    "zh": ["训练时随机把一部分激活置零，减少神经元之间的共适应。", "我不太确定。"],
    "en": ["Dropout randomly zeroes activations during training to reduce co-adaptation.", "Not sure."],
}
ASKED = {"zh": "那推理时激活要怎么处理？", "en": "What happens to the activations at inference time?"}
JOB = {"zh": "职位要求：\n- 深度学习与正则化\n- 集群运维\n", "en": "Requirements:\n- Dropout\n- Kubernetes\n"}


def texts_of(pages: list[Page]) -> list[str]:
    out = []
    for p in pages:
        out += [m["content"] for m in p.chat] + [p.feedback, p.status, p.clock]
    return out


def interview(data_dir: Path, lang: Lang) -> tuple[Coach, Session, list[str]]:
    """Every screen of an interview, in `lang`: notes, due, start, hint, model answer, answers,
    a follow-up, an appeal, the end, the report, history, schedule and the job."""
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat([ASKED[lang]] * 10))
    loaded = coach.load(NOTES[lang])
    shown = [views.notes_summary(loaded, lang), practice_tab.due(coach, loaded.root, lang)]
    options = SessionOptions(questions=2, follow_ups=1, seed=3, time_limit=60, job=JOB[lang])
    session, first = handlers.start(coach, loaded.root, options, lang)
    pages = [first, handlers.hint(coach, session, lang), handlers.reveal(coach, session, lang)]
    pages += handlers.answer(coach, session, ANSWERS[lang][0], lang)
    pages.append(practice_tab.appeal(coach, session, 8, ANSWERS[lang][1], lang))
    pages += handlers.answer(coach, session, ANSWERS[lang][1], lang)
    pages += [handlers.skip(coach, session, lang), handlers.end(coach, session, lang)]
    report = handlers.report(coach, session, lang)
    history = handlers.history(coach, lang)
    plan = practice_tab.schedule(coach, session, lang)
    shown += texts_of(pages) + [report.summary, report.model_answers, plan.markdown]
    shown.append(practice_tab.job(session, lang))
    shown += history.headers + [str(v) for row in history.rows for v in row] + [c for c, _ in history.choices]
    shown.append(views.feedback_html(None, lang=lang))
    return coach, session, shown


def users(lang: Lang, session: Session | None = None) -> list[str]:
    """What the user wrote (notes, their names and folder, answers, the job) and what the
    interviewer said in the session's language (questions, follow-ups, hints)."""
    notes = [p.read_text(encoding="utf-8") for p in NOTES[lang].rglob("*.md")]
    mine = [*notes, *(p.name for p in NOTES[lang].rglob("*.md")), str(NOTES[lang].resolve())]
    turns = session.turns if session else []
    said = [t.question for t in turns] + [h for t in turns for h in t.hints]
    return [*mine, *ANSWERS[lang], ASKED[lang], JOB[lang], *said]


def test_an_interview_in_chinese_shows_no_english(data_dir: Path) -> None:
    coach, session, shown = interview(data_dir, "zh")
    assert session.finished and any("第 1 题，共 2 题" in t for t in shown)
    assert any("分（" in t for t in shown)  # a score with its band: "7.5 分（良好）"
    assert english(shown, users("zh", session)) == []


def test_an_interview_in_english_shows_no_chinese(data_dir: Path) -> None:
    coach, session, shown = interview(data_dir, "en")
    assert session.finished and any("Question 1 of 2" in t for t in shown)
    assert chinese(shown, users("en", session)) == []


def test_the_same_interview_redrawn_in_the_other_language(data_dir: Path) -> None:
    """The language setting switches the page mid-interview: the same session, the other words."""
    coach, session, _ = interview(data_dir, "en")
    zh = handlers.page(coach, session, lang="zh")
    assert english(texts_of([zh]), users("en", session)) == []
    assert "面试结束" in zh.chat[-1]["content"] and zh.status == "面试已结束。"
    report = handlers.report(coach, session, "zh")
    assert report.summary.startswith("### 总分 ") and english([report.summary], users("en", session)) == []


@pytest.mark.parametrize("page_lang", ["zh", "en"])
def test_exports_are_in_the_session_s_language_whatever_the_page_s(data_dir: Path, page_lang: Lang) -> None:
    coach, session, _ = interview(data_dir, "zh")
    md = handlers.export(coach, session.id, "md", page_lang).read_text(encoding="utf-8")
    page = handlers.export(coach, session.id, "html", page_lang).read_text(encoding="utf-8")
    assert md.startswith(f"# 面试 {session.id}") and "# 报告" in md and "**你的申诉：** 8 分" in md
    assert "用时 " in md and "（限时 60 秒" in md and "年" in md.splitlines()[2]
    assert '<html lang="zh">' in page and "参考答案" in page
    assert english([md, page.split("<body>")[1]], users("zh", session)) == []
    assert json.loads(handlers.export(coach, session.id, "json", page_lang).read_text())["id"] == session.id


def test_errors_are_in_the_tab_s_language(data_dir: Path) -> None:
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat())
    root = coach.load(NOTES["zh"]).root
    with pytest.raises(UserError, match="请先载入笔记"):
        handlers.start(coach, "", SessionOptions(), "zh")
    with pytest.raises(UserError, match="无法开始：没有符合这些主题的题目"):  # the engine's words, translated
        handlers.start(coach, root, SessionOptions(topics=["烹饪"]), "zh")
    with pytest.raises(UserError, match="请先开始面试"):
        list(handlers.answer(coach, None, "x", "zh"))
    with pytest.raises(UserError, match="没有可以导出的面试"):
        handlers.export(coach, None, "md", "zh")
    with pytest.raises(UserError, match="0 到 10"):
        practice_tab.appeal(coach, handlers.start(coach, root, SessionOptions(), "zh")[0], 11, "", "zh")
    with pytest.raises(UserError, match="Load some notes first"):
        handlers.start(coach, "", SessionOptions(), "en")
