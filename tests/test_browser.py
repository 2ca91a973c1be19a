"""A whole interview in a real browser: Debian's Chromium driven by Playwright.

Screenshots of the interview and the report land in test-artifacts/ for a person to look at.
Without /usr/bin/chromium the test skips, except under CI, where .ci/run installs it.
"""

import functools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from interviewer.grading.clauses import split_clauses
from interviewer.llm.chat import FakeChat
from interviewer.storage.session import LOCAL
from interviewer.web import ui
from interviewer.web.layout import SOURCES
from interviewer.web.workspace import Coach
from knowledge.index.background import Worker
from knowledge.index.embedder import Embedder, FakeEmbedder, Kind
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, need_chromium, served
from tests.conftest import HANG, SPAWN, HeldEmbedder, ProcessHeldEmbedder, big_folder

NOTES = Path(__file__).parent / "fixtures" / "notes"
WAIT = HANG * 1000  # a deadlock guard for Playwright (ms), never a measure of speed
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


def no_error(page: Page) -> None:
    """No error toast and no red badge: nothing went wrong that the person caused."""
    expect(page.locator(".toast-body")).to_have_count(0)
    assert "Error" not in page.locator("#chat").inner_text()
    assert "Error" not in page.locator("#status").inner_text()


def load_folder(page: Page, folder: Path) -> None:
    page.get_by_text(SOURCES[1]).click()
    page.get_by_label("Notes folder").fill(str(folder))
    page.locator("#load-notes").click()


def test_start_pressed_before_the_notes_are_in_waits_instead_of_failing(data_dir: Path, page: Page) -> None:
    go = threading.Event()  # the notes are embedded when the test says so
    chat = FakeChat(["What happens at inference time?"] * 5)
    coach = Coach(data_dir, lambda: HeldEmbedder(go), lambda: chat)
    coach.preload(NOTES)  # what app.py does at server start
    try:
        with served(coach, NOTES) as url:
            page.goto(url)
            page.locator("#start").click()  # at once: nothing is indexed yet
            expect(page.locator("#status")).to_contain_text("Indexing the sample notes", timeout=WAIT)
            go.set()
            expect(page.locator("#chat")).to_contain_text("Question 1 of", timeout=WAIT)
            no_error(page)
    finally:
        go.set()


def test_start_on_indexed_notes_begins_one_interview_each_press(data_dir: Path, page: Page) -> None:
    """Start on notes already in answers outside the queue, and the queued step after it only
    sees that it is done: each press is one interview in the history, never two."""
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat(["What happens at inference time?"] * 5))
    with served(coach, NOTES) as url:
        page.goto(url)
        expect(page.locator("#notes-summary")).to_contain_text("3 questions", timeout=WAIT)
        chat = page.locator("#chat")
        for press in (1, 2):
            page.locator("#start").click()
            expect(chat).to_contain_text("Question 1 of", timeout=WAIT)
            expect(page.locator("#status")).not_to_contain_text("Indexing")
            page.locator("#end").click()  # queued behind the press's own second step
            expect(page.locator("#report")).to_contain_text("Overall", timeout=WAIT)
            assert len(coach.history.of(LOCAL).sessions()) == press
        no_error(page)


PROSE = """# Optimisation in prose

How models are trained, written as paragraphs rather than questions.

## Gradient descent

Gradient descent moves the weights against the gradient of the loss. The learning rate sets
the size of each step.

## Momentum

Momentum keeps a running average of past gradients. It damps oscillations across steep valleys.
"""


def test_start_pressed_at_once_after_loading_a_folder_starts_on_that_folder(
    data_dir: Path, page: Page, tmp_path: Path
) -> None:
    """Load a prose folder and press Start at once: its first question, never the sample's."""
    prose = tmp_path / "prose"
    prose.mkdir()
    (prose / "optimisation.md").write_text(PROSE, encoding="utf-8")
    go = threading.Event()  # only the prose folder's embedding waits for the test
    coach = Coach(data_dir, lambda: HeldEmbedder(go, "steep valleys"), lambda: FakeChat())
    try:
        with served(coach, NOTES) as url:
            page.goto(url)
            summary = page.locator("#notes-summary")
            expect(summary).to_contain_text("3 questions", timeout=WAIT)  # the sample
            sample = summary.inner_text()
            load_folder(page, prose)
            page.locator("#start").click()  # at once: the prose folder is still being indexed
            expect(page.locator("#status")).to_contain_text("Indexing prose", timeout=WAIT)
            go.set()
            chat = page.locator("#chat")
            expect(chat).to_contain_text("Question 1 of", timeout=WAIT)
            expect(chat).to_contain_text("Optimisation in prose")  # the question's topic: that folder's
            assert "Deep learning" not in chat.inner_text()
            expect(summary).not_to_have_text(sample, timeout=WAIT)  # the prose folder's load ended too
            no_error(page)
    finally:
        go.set()


def test_skip_and_hint_answer_while_a_large_folder_embeds(data_dir: Path, page: Page, tmp_path: Path) -> None:
    """The page's buttons while another folder is embedded in the indexing process (held
    there, mid-folder, until the test lets it go): each gets its answer."""
    big = big_folder(tmp_path / "big")
    go, started = SPAWN.Event(), SPAWN.Event()
    indexer = Worker(functools.partial(ProcessHeldEmbedder, go, started, " of 9-"))
    chat_model = FakeChat(["What happens at inference time?"] * 5)
    coach = Coach(data_dir, FakeEmbedder, lambda: chat_model, indexer=indexer)
    try:
        with served(coach, NOTES) as url:
            page.goto(url)
            expect(page.locator("#notes-summary")).to_contain_text("3 questions", timeout=WAIT)
            page.locator("#start").click()
            chat = page.locator("#chat")
            expect(chat).to_contain_text("Question 1 of 3", timeout=WAIT)
            load_folder(page, big)
            assert started.wait(HANG)  # the big folder's last file is being embedded
            page.get_by_role("button", name="Skip").click()
            expect(chat).to_contain_text("Question 2 of 3", timeout=WAIT)
            page.get_by_role("button", name="Hint").click()
            expect(chat.locator(".message").last).to_contain_text("💡", timeout=WAIT)
            assert coach.indexing(str(big.resolve()))  # both came while the folder was embedding
            go.set()
            expect(page.locator("#notes-summary")).to_contain_text("300 questions", timeout=WAIT)
            no_error(page)
    finally:
        go.set()
        indexer.close()


@pytest.mark.parametrize(
    "language, bluff, count, asks",
    [
        (
            "English",
            "That's a great question. It really depends on the situation.",
            "0 of",
            "specific mechanism",
        ),
        # a list of terms, no claim: caught in words, whatever the embedder knows of Chinese
        ("中文", "正则化、神经元、概率、训练、推理。", "覆盖 0/", "具体的机制、步骤或例子"),
    ],
)
def test_a_bluff_gets_a_low_colour_no_point_covered_and_a_follow_up_asking_for_substance(
    url: str, page: Page, language: str, bluff: str, count: str, asks: str
) -> None:
    page.goto(url)
    expect(page.locator("#notes-summary")).to_contain_text("3 questions", timeout=60_000)
    page.locator("#language").get_by_text(language, exact=True).click()
    page.locator("#start").click()
    chat = page.locator("#chat")
    expect(chat.locator(".message")).not_to_have_count(0, timeout=30_000)
    box = page.locator("#answer textarea")
    box.fill(bluff)
    box.press("Enter")
    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text(count, timeout=WAIT)
    expect(feedback.locator(".score.needs-work")).to_be_visible()
    expect(chat).to_contain_text(asks, timeout=WAIT)
    page.screenshot(path=ARTIFACTS / f"bluff-{'en' if language == 'English' else 'zh'}.png", full_page=True)
