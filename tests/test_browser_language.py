"""The page in the browser's language, in Chromium: a whole interview with the browser set to
Chinese shows no English UI string, one set to English no Chinese (the user's notes and answers
aside), and the interviewer's language setting switches the page too.

Each check walks the text a person sees (tests/browser.py) at every screen and lists what it
finds in the wrong language. Screenshots land in test-artifacts/ (the README's is one).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewer.llm.chat import FakeChat
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, VISIBLE_TEXT, need_chromium, served
from tests.conftest import HANG
from tests.languages import chinese, english

need_chromium()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
WAIT = HANG * 1000  # a deadlock guard for Playwright (ms), never a measure of speed
ZH = {
    "notes": FIXTURES / "notes_zh",
    "answers": [
        "训练时随机把一部分激活置零，减少神经元之间的共适应。",
        "推理时保留所有单元，并按 1-p 缩放激活。",
    ],
    "asked": "那推理时激活要怎么处理？",
    "job": "职位要求：\n- 深度学习与正则化\n- 集群运维\n",
}
EN = {
    "notes": FIXTURES / "notes",
    "answers": [
        "Dropout randomly zeroes activations during training, so neurons can't co-adapt.",
        "At inference all units are kept and the activations are scaled.",
    ],
    "asked": "What happens to the activations at inference time?",
    "job": "Requirements:\n- Dropout and regularization\n- Kubernetes cluster administration\n",
}


@pytest.fixture
def browser() -> Iterator[object]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def open_page(browser: object, locale: str) -> Page:
    """A page whose browser speaks `locale` (navigator.language and Accept-Language alike)."""
    context = browser.new_context(  # type: ignore[attr-defined]
        locale=locale, viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    page: Page = context.new_page()
    return page


# Gradio's screen-reader announcement of an event that ended ("Complete"), worded when it ended and
# read out up to 5 s later for a second: one that ended just before a switch speaks the old language
ANNOUNCED = """() => [...document.querySelectorAll(".sr-only[role=status]")]
  .every((el) => !el.textContent.trim())"""


def seen(page: Page) -> list[str]:
    page.wait_for_function(ANNOUNCED, timeout=WAIT)
    texts: list[str] = page.evaluate(VISIBLE_TEXT)
    return texts


def users(coach: Coach, lang: dict[str, object]) -> list[str]:
    """What the user wrote (notes, their file and folder names, answers, the job) and what the
    interviewer said in the notes' language (questions, follow-ups, hints)."""
    notes = Path(str(lang["notes"]))
    files = sorted(notes.rglob("*.md"))
    out = [p.read_text(encoding="utf-8") for p in files] + [p.name for p in files] + [notes.name, str(notes)]
    out += [*lang["answers"], str(lang["asked"]), str(lang["job"])]  # type: ignore[misc]
    for s in coach.history.sessions():
        out += [t.question for t in s.turns] + [h for t in s.turns for h in t.hints]
    return out


def interview(page: Page, url: str, lang: dict[str, object], words: dict[str, str]) -> list[str]:
    """A whole interview, walking the page at each screen: notes loaded, an error, the job, a
    question with its hint, the feedback and an appeal, the follow-up, the end and the report."""
    answers: list[str] = lang["answers"]  # type: ignore[assignment]
    page.goto(url)
    expect(page.locator("#notes-summary")).to_contain_text(words["summary"], timeout=WAIT)
    expect(page.locator("#due")).to_contain_text(words["due"], timeout=WAIT)
    texts = seen(page)
    page.get_by_label(words["folder"]).check()  # a folder with no path: the error is a message
    expect(page.locator("#folder")).to_be_visible(timeout=WAIT)
    page.locator("#load-notes").click()
    expect(page.locator(".toast-body")).to_contain_text(words["error"], timeout=WAIT)
    expect(page.locator(".toast-title")).to_contain_text(words["error_title"], timeout=WAIT)
    texts += seen(page)
    page.locator(".toast-close").click()  # read: it would stay on screen, in the language it came in
    expect(page.locator(".toast-body")).to_have_count(0, timeout=WAIT)
    page.get_by_label(words["sample"]).check()
    page.get_by_text(words["job"]).click()
    page.locator("#job textarea").fill(str(lang["job"]))
    limit = page.locator("#time-limit input[type=number]")
    limit.fill("120")
    limit.press("Enter")
    page.locator("#start").click()
    chat = page.locator("#chat")
    expect(chat).to_contain_text(words["question"], timeout=WAIT)
    expect(page.locator("#job-view")).to_contain_text(words["gaps"], timeout=WAIT)
    page.get_by_role("button", name=words["hint"], exact=True).click()
    expect(chat).to_contain_text("💡", timeout=WAIT)
    texts += seen(page)
    box = page.locator("#answer textarea")
    box.fill(answers[0])
    box.press("Enter")
    expect(page.locator("#feedback .score")).to_contain_text(words["score"], timeout=WAIT)
    expect(chat).to_contain_text(words["follow_up"], timeout=WAIT)
    page.get_by_text(words["appeal"]).click()
    page.locator("#appeal-score input").fill("9")
    page.locator("#appeal-why textarea").fill(answers[1])
    page.locator("#appeal").click()
    expect(page.locator("#feedback")).to_contain_text(words["appealed"], timeout=WAIT)
    texts += seen(page)
    page.screenshot(path=ARTIFACTS / f"interview-{words['name']}.png", full_page=True)
    box.fill(answers[1])
    box.press("Enter")
    expect(chat).to_contain_text(words["second"], timeout=WAIT)
    page.locator("#end").click()
    expect(page.locator("#report")).to_contain_text(words["overall"], timeout=WAIT)
    expect(page.locator("#topic-plot")).to_contain_text(words["axis"], timeout=WAIT)
    page.get_by_text(words["answers"]).click()
    texts += seen(page)
    page.screenshot(path=ARTIFACTS / f"report-{words['name']}.png", full_page=True)
    return texts


CHINESE = {
    "name": "zh",
    "summary": "3 道题",
    "due": "今天待复习：0",
    "folder": "这台电脑上的文件夹",
    "error": "请输入笔记文件夹的路径",
    "error_title": "出错了",
    "sample": "示例笔记",
    "job": "针对一个职位（可选）",
    "question": "第 1 题，共",
    "gaps": "条要求中有",
    "hint": "提示",
    "score": "分",
    "follow_up": "追问",
    "appeal": "不同意这个评分？",
    "appealed": "你的申诉：9 分",
    "second": "第 2 题，共",
    "overall": "总分",
    "axis": "得分",
    "answers": "笔记中的参考答案",
}
ENGLISH = {
    "name": "en",
    "summary": "3 questions",
    "due": "Due today: 0",
    "folder": "A folder on this computer",
    "error": "Type the path of your notes folder",
    "error_title": "Error",
    "sample": "Sample notes",
    "job": "Aim at a job (optional)",
    "question": "Question 1 of",
    "gaps": "requirements in your notes",
    "hint": "Hint",
    "score": "/10",
    "follow_up": "Follow-up",
    "appeal": "Disagree with this grade?",
    "appealed": "Your appeal: 9/10",
    "second": "Question 2 of",
    "overall": "Overall",
    "axis": "Score",
    "answers": "Model answers from your notes",
}


def coach_for(data_dir: Path, lang: dict[str, object]) -> Coach:
    chat = FakeChat([str(lang["asked"])] * 20)
    return Coach(data_dir, FakeEmbedder, lambda: chat)


def test_a_chinese_browser_gets_a_chinese_page_and_the_setting_switches_it(
    data_dir: Path, browser: object
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    coach = coach_for(data_dir, ZH)
    with served(coach, Path(str(ZH["notes"]))) as url:
        page = open_page(browser, "zh-CN")
        texts = interview(page, url, ZH, CHINESE)
        found = english(texts, users(coach, ZH))
        assert found == [], f"English on the Chinese page: {found}"
        with page.expect_download(timeout=WAIT) as download:
            page.locator("#dl-md").click()
        md = Path(download.value.path()).read_text(encoding="utf-8")
        assert md.startswith("# 面试 ") and "**你的申诉：** 9 分" in md and "用时 " in md
        found = english([md], [*users(coach, ZH), str(Path(str(ZH["notes"])).resolve())])
        assert found == [], f"English in the Chinese transcript: {found}"
        # the interviewer's language is the page's: English, and the same report redrawn in it
        page.locator("#language").get_by_text("English").click()
        expect(page.locator("#start")).to_contain_text("Start interview", timeout=WAIT)
        expect(page.locator("#report")).to_contain_text("Overall", timeout=WAIT)
        expect(page.locator("#topic-plot")).to_contain_text("Score", timeout=WAIT)
        expect(page.locator("#forecast")).to_contain_text("Day", timeout=WAIT)
        found = chinese(seen(page), users(coach, ZH))
        assert found == [], f"Chinese on the page switched to English: {found}"


def test_an_english_browser_gets_an_english_page_and_the_setting_switches_it(
    data_dir: Path, browser: object
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    coach = coach_for(data_dir, EN)
    with served(coach, Path(str(EN["notes"]))) as url:
        page = open_page(browser, "en-US")
        texts = interview(page, url, EN, ENGLISH)
        found = chinese(texts, users(coach, EN))
        assert found == [], f"Chinese on the English page: {found}"
        page.locator("#language").get_by_text("中文").click()
        expect(page.locator("#start")).to_contain_text("开始面试", timeout=WAIT)
        expect(page.locator("#report")).to_contain_text("总分", timeout=WAIT)
        expect(page.locator("#notes-summary")).to_contain_text("3 道题", timeout=WAIT)
        expect(page.locator("#forecast")).to_contain_text("日期", timeout=WAIT)
        page.get_by_role("tab", name="面试").click()
        expect(page.locator("#status")).to_contain_text("面试已结束", timeout=WAIT)
        found = english(seen(page), users(coach, EN))
        assert found == [], f"English on the page switched to Chinese: {found}"
