"""A whole interview in a real browser: Debian's Chromium driven by Playwright.

Screenshots of the interview and the report land in test-artifacts/ for a person to look at.
Without /usr/bin/chromium the test skips, except under CI, where .ci/run installs it.
"""

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from interviewer.chat import FakeChat
from interviewer.grading.clauses import split_clauses
from interviewer.web import ui
from interviewer.web.coach import Coach
from knowledge.embedder import Embedder, FakeEmbedder, Kind
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, need_chromium

NOTES = Path(__file__).parent / "fixtures" / "notes"
JOB = "Requirements:\n- Dropout and regularization\n- Kubernetes cluster administration\n"
ANSWERS = {
    "dropout": "Dropout randomly zeroes some activations during training so neurons can't co-adapt.",
    "batch normalization": "It normalizes each layer's activations with the mini-batch mean and variance.",
    "softmax": "Subtract the maximum logit before taking the exponential, so nothing overflows.",
}

need_chromium()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


class Recording:
    """The tiny real model, noting each batch it has encoded."""

    def __init__(self, inner: Embedder, batches: list[list[str]]) -> None:
        self.inner, self.name, self.dim, self.batches = inner, inner.name, inner.dim, batches

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        vectors = self.inner.encode(texts, kind)
        self.batches.append(list(texts))
        return vectors

    def encode_tokens(self, texts: list[str], kind: Kind) -> tuple[np.ndarray, list[np.ndarray]]:
        out = self.inner.encode_tokens(texts, kind)
        self.batches.append(list(texts))
        return out


@pytest.fixture
def encoded() -> list[list[str]]:
    return []


@pytest.fixture
def url(data_dir: Path, encoded: list[list[str]]) -> Iterator[str]:
    import app
    from interviewer.settings import Settings

    chat = FakeChat(["What happens to the activations at inference time?"] * 10)
    embedder = lambda: Recording(app.make_embedder(app.TEST_EMBEDDER, Settings()), encoded)  # noqa: E731
    coach = Coach(data_dir, embedder, lambda: chat)
    demo = ui.build(coach, NOTES)  # the fixture notes stand in for the bundled ones
    ui.launch(demo, coach, prevent_thread_lock=True, quiet=True)  # Gradio finds a free port
    try:
        assert demo.local_url
        yield demo.local_url
    finally:
        demo.close()


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 860}, accept_downloads=True)
        yield context.new_page()
        browser.close()


def answer_for(question: str) -> str:
    return next(text for key, text in ANSWERS.items() if key in question.lower())


def test_an_interview_from_start_to_downloaded_transcript(
    url: str, page: Page, encoded: list[list[str]]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(url)
    expect(page.locator("#notes-summary")).to_contain_text("3 questions", timeout=60_000)
    expect(page.locator("#due")).to_contain_text("Due today: 0", timeout=30_000)
    expect(page.locator("#due")).to_contain_text("3 new")
    page.get_by_text("Aim at a job (optional)").click()
    page.locator("#job textarea").fill(JOB)
    limit = page.locator("#time-limit input[type=number]")
    limit.fill("120")
    limit.press("Enter")
    page.screenshot(path=ARTIFACTS / "due-and-job.png", full_page=True)
    page.locator("#start").click()
    chat = page.locator("#chat")
    expect(chat).to_contain_text("Question 1 of 3", timeout=30_000)
    expect(page.locator("#job-view")).to_contain_text("Kubernetes", timeout=30_000)  # a gap
    expect(page.locator("#clock")).to_contain_text("s left of 120 s")
    # the countdown is CSS: a number drawn by the page, ticking down from what the server said is left
    left = page.locator("#clock .left")
    assert 0 < int(left.evaluate("e => getComputedStyle(e).getPropertyValue('--left')")) <= 120
    page.screenshot(path=ARTIFACTS / "job-gaps.png", full_page=True)
    question = chat.locator(".message").last.inner_text()

    box = page.locator("#answer textarea")
    box.fill(answer_for(question))
    box.press("Shift+Enter")  # a new line, not a send
    box.type("That is the main idea.")
    page.keyboard.insert_text(" 就这些。")  # as an IME commits text, with no key press
    assert "\n" in box.input_value()
    # what is typed is embedded once typing pauses: the grade at Enter finds the answer ready
    typed = split_clauses(f"{answer_for(question)}\nThat is the main idea. 就这些。")
    deadline = time.monotonic() + 30
    while typed not in encoded:
        assert time.monotonic() < deadline, "the answer was not embedded as it was typed"
        time.sleep(0.05)
    before = len(encoded)
    box.press("Enter")

    feedback = page.locator("#feedback")
    expect(feedback.locator(".score")).to_contain_text("/10", timeout=30_000)
    points = feedback.locator(".pt")
    assert points.count() >= 2
    expect(feedback.locator("cite").first).to_contain_text("deep_learning.md")
    expect(chat).to_contain_text("Follow-up", timeout=30_000)
    expect(box).to_have_value("")
    assert typed not in encoded[before:]  # not embedded again at Enter
    page.screenshot(path=ARTIFACTS / "interview.png", full_page=True)

    # the person disagrees with the grade: theirs is kept beside the grader's
    page.get_by_text("Disagree with this grade?").click()
    page.locator("#appeal-score input").fill("9")
    page.locator("#appeal-why textarea").fill("I named the main idea")
    page.locator("#appeal").click()
    expect(feedback).to_contain_text("Your appeal: 9/10", timeout=30_000)
    expect(chat).to_contain_text("your appeal: 9/10")

    # markup in an answer is shown, never run
    box.fill('At inference all units are kept and scaled. <img src=x onerror="window.pwned=1">')
    box.press("Enter")
    expect(chat).to_contain_text("Question 2 of 3", timeout=30_000)
    assert page.evaluate("window.pwned") is None
    page.locator("#end").click()
    expect(page.locator("#report")).to_contain_text("Overall", timeout=30_000)
    expect(page.locator("#dl-md")).to_be_enabled(timeout=30_000)
    page.wait_for_timeout(1500)  # let the chart draw before the screenshot
    page.screenshot(path=ARTIFACTS / "report.png", full_page=True)

    with page.expect_download(timeout=30_000) as download:
        page.locator("#dl-md").click()
    path = download.value.path()
    text = Path(path).read_text(encoding="utf-8")
    assert "That is the main idea." in text and "At inference all units are kept" in text
    assert "# Report" in text and "deep_learning.md" in text
    assert "**Your appeal:** 9/10" in text and "I named the main idea" in text
    assert "Answered in " in text and "(limit 120 s" in text  # the time taken, per answer
    assert "## The job" in text and "- Kubernetes cluster administration" in text


class SlowEmbedder(FakeEmbedder):
    """Indexing that takes a while, as the real model's first start does."""

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        time.sleep(0.5)
        return super().encode(texts, kind)


def test_start_pressed_before_the_notes_are_in_waits_instead_of_failing(data_dir: Path, page: Page) -> None:
    coach = Coach(data_dir, SlowEmbedder, lambda: FakeChat(["What happens at inference time?"] * 5))
    coach.preload(NOTES)  # what app.py does at server start
    demo = ui.build(coach, NOTES)
    ui.launch(demo, coach, prevent_thread_lock=True, quiet=True)
    try:
        assert demo.local_url
        page.goto(demo.local_url)
        page.locator("#start").click()  # at once: nothing is indexed yet
        expect(page.locator("#chat")).to_contain_text("Question 1 of", timeout=60_000)
        # no error toast and no red badge: nothing went wrong that the person caused
        expect(page.locator(".toast-body")).to_have_count(0)
        assert "Error" not in page.locator("#chat").inner_text()
        assert "Error" not in page.locator("#status").inner_text()
    finally:
        demo.close()
