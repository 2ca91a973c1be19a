"""What a person waits for, timed in a real browser: `python app.py bench --browser`.

The app runs with whatever models the settings name (the defaults: EmbeddingGemma and the
1.5B LLM in its own process), Debian's Chromium is driven by Playwright, and a scripted
candidate answers each question with the first third of its notes answer (so points are missed
and follow-ups come), `think` seconds after it is asked: it reads, types the answer key by key
in the second half of that time, and presses Enter `pause` seconds after the last key (1.35 s:
the Keystroke-Level Model's mental act before a key, Card, Moran & Newell 1980). With `paste`,
the whole answer appears at once just before Enter, so nothing of it is embedded beforehand.
Timed from Enter: the grade on the page, and the next question (follow-up or main) on the page.
"""

import os
import re
import time
from pathlib import Path

import numpy as np

from devtools.bench import peak_rss_mb
from interviewer.web import layout, ui
from interviewer.web.workspace import Coach

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def run(
    coach: Coach, notes: Path, turns: int = 6, think: float = 15.0, paste: bool = False, pause: float = 1.35
) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    coach.preload(notes)
    demo = ui.build(coach, notes)
    ui.launch(demo, coach, prevent_thread_lock=True, quiet=True)
    grade_s: list[float] = []
    next_s: list[float] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 860})
            page.goto(str(demo.local_url))
            page.locator("#start").click()
            chat = page.locator("#chat")
            chat.get_by_text("Question 1 of").wait_for(timeout=600_000)
            for _ in range(turns):
                asked = _asked(chat.inner_text())
                graded = chat.inner_text().count("/10 ·")
                box = page.locator("#answer textarea")
                answer = _answer(coach)
                typing = 0.0 if paste else think / 2
                time.sleep(think - typing)
                if paste:
                    box.fill(answer)
                else:  # Enter sends, so the answer's line breaks are typed as spaces
                    box.press_sequentially(
                        answer.replace("\n", " "), delay=1000 * max(typing - pause, 0.0) / len(answer)
                    )
                    time.sleep(pause)
                started = time.perf_counter()
                box.press("Enter")
                page.wait_for_function(
                    "([n]) => document.querySelector('#chat').innerText.split('/10 ·').length - 1 > n",
                    arg=[graded],
                    timeout=120_000,
                )
                grade_s.append(time.perf_counter() - started)
                if "That's the interview" in chat.inner_text():
                    break
                page.wait_for_function(
                    "([n]) => { const t = document.querySelector('#chat').innerText;"
                    " return (t.match(/Question \\d+ of|Follow-up/g) || []).length > n; }",
                    arg=[asked],
                    timeout=120_000,
                )
                next_s.append(time.perf_counter() - started)
            browser.close()
        rss = peak_rss_mb(coach.chat())  # before close(): the LLM process is still up
    finally:
        demo.close()
    session = coach.history.sessions()[0]
    follow_ups = [t for t in session.turns if t.kind == "follow_up"]
    return {
        "browser_follow_ups": len(follow_ups),
        "browser_follow_ups_written_by_llm": sum(t.note is None for t in follow_ups),
        "browser_turns": len(grade_s),
        "browser_grade_p50_s": round(float(np.median(grade_s)), 2),
        "browser_grade_max_s": round(max(grade_s), 2),
        "browser_next_question_p50_s": round(float(np.median(next_s)), 2) if next_s else -1.0,
        "browser_next_question_max_s": round(max(next_s), 2) if next_s else -1.0,
        "browser_think_s": think,
        "browser_answers": "pasted" if paste else f"typed, Enter {pause:g} s after the last key",
        "browser_peak_rss_mb": rss,  # the app (with the page's models) plus the LLM process
    }


def _asked(text: str) -> int:
    return len(re.findall(r"Question \d+ of|Follow-up", text))


def _answer(coach: Coach) -> str:
    """A third of the notes' answer to the question waiting: part right, part missed."""
    session = next(s for s in coach.history.sessions() if s.current is not None)
    asked = session.asked[session.current.item_id]  # type: ignore[union-attr]
    return asked.answer[: max(len(asked.answer) // 3, 12)] or "I am not sure; something about the basics."


# the page's chat, as the checks below read it: questions asked, hints shown, the end
_QUESTIONS = "(document.querySelector('#chat').innerText.match(/Question \\d+ of/g) || []).length"
_HINTS = "(document.querySelector('#chat').innerText.match(/💡/g) || []).length"
_OVER = "document.querySelector('#chat').innerText.includes(\"That's the interview\")"
# what a person waits for: from the click in the page to the answer on it. Playwright's click()
# first checks that the button is visible, stable and enabled (two animation frames at least),
# and its polling adds a frame: ~0.1 s that no person waits for, reported apart as "driver"
_WATCH = """() => {
  document.addEventListener('click', () => {
    window.clickedAt = performance.now();
    window.answeredAt = null;
  }, true);
  new MutationObserver(() => {
    if (window.clickedAt && !window.answeredAt && window.answered && window.answered())
      window.answeredAt = performance.now();
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def while_indexing(coach: Coach, notes: Path, big: Path, pace: float = 1.0) -> dict[str, object]:
    """Start, Hint and Skip in one tab while another tab loads a big folder and presses Start on
    it at once. Each is timed from the click to its answer on the page (_WATCH; "driver": from
    Playwright's call), and counted only if the folder was being indexed from the click to the
    answer. `pace`: seconds between clicks."""
    from playwright.sync_api import Page, sync_playwright

    coach.preload(notes)
    coach.load(notes)  # the timed tab's notes are in before anything is timed
    demo = ui.build(coach, notes)
    ui.launch(demo, coach, prevent_thread_lock=True, quiet=True)
    root = str(big.resolve())
    load = [os.getloadavg()[0]]  # the CPU is shared: how busy it was says what the figures mean
    seconds: dict[str, list[float]] = {"start": [], "hint": [], "skip": []}
    driver: dict[str, list[float]] = {what: [] for what in seconds}
    dropped = 0

    def timed(page: Page, what: str, button: str, done: str) -> None:
        nonlocal dropped
        time.sleep(pace)
        during = coach.indexing(root)
        before = page.evaluate(f"[{_QUESTIONS}, {_HINTS}]")
        page.evaluate(f"([q, h]) => {{ window.answered = () => {done}; }}", before)
        started = time.perf_counter()
        page.locator(button).click()
        page.wait_for_function(f"([q, h]) => {done}", arg=before, timeout=120_000)
        took = time.perf_counter() - started
        waited = page.evaluate("window.answeredAt ? (window.answeredAt - window.clickedAt) / 1000 : null")
        if during and coach.indexing(root):
            seconds[what].append(took if waited is None else waited)
            driver[what].append(took)
        else:
            dropped += 1

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            timed_tab, loading_tab = (browser.new_page(viewport={"width": 1366, "height": 860}) for _ in "ab")
            for page in (timed_tab, loading_tab):
                page.goto(str(demo.local_url))
                page.locator("#notes-summary").get_by_text("questions").first.wait_for(timeout=600_000)
            timed_tab.evaluate(_WATCH)
            loading_tab.get_by_text(layout.SOURCES[1]).click()
            loading_tab.get_by_label("Notes folder").fill(str(big))
            loading_tab.evaluate(
                "() => { window.clicked = performance.now(); new MutationObserver(() => {"
                " if (!window.first && /Question 1 of/.test(document.querySelector('#chat').innerText))"
                " window.first = performance.now(); }).observe(document.body, {subtree: true,"
                " childList: true, characterData: true}); }"
            )
            loading_tab.get_by_role("button", name="Load notes").click()
            loading_tab.locator("#start").click()  # at once
            while not coach.indexing(root):
                time.sleep(0.05)
            began = time.perf_counter()
            while coach.indexing(root):
                fresh = f"{_QUESTIONS} === 1 && !{_OVER}"
                timed(timed_tab, "start", "#start", fresh)
                while not timed_tab.evaluate(_OVER) and coach.indexing(root):
                    timed(timed_tab, "hint", "button:text-is('Hint')", f"{_HINTS} > h")
                    timed(timed_tab, "skip", "button:text-is('Skip')", f"{_QUESTIONS} > q || {_OVER}")
            indexed = time.perf_counter() - began
            load.append(os.getloadavg()[0])
            first = loading_tab.evaluate("window.first ? (window.first - window.clicked) / 1000 : -1")
            status = loading_tab.locator("#status").inner_text()
            browser.close()
        rss = peak_rss_mb(coach.chat())
        worker = getattr(coach.indexer, "proc", None)
        worker_rss = _peak_mb(worker.pid) if worker is not None and worker.is_alive() else 0.0
    finally:
        demo.close()
    out: dict[str, object] = {"indexing_s": round(indexed, 1), "timed_clicks_dropped": dropped}
    out["load_average_before_after"] = f"{load[0]:.1f} / {load[1]:.1f}"
    for what, ts in seconds.items():
        out[f"{what}_clicks"] = len(ts)
        out[f"{what}_p50_s"] = round(float(np.median(ts)), 2) if ts else -1.0
        out[f"{what}_p90_s"] = round(float(np.quantile(ts, 0.9)), 2) if ts else -1.0
        out[f"{what}_max_s"] = round(max(ts), 2) if ts else -1.0
        out[f"{what}_over_half_s"] = round(float(np.mean(np.array(ts) > 0.5)), 3) if ts else -1.0  # the aim
        out[f"{what}_driver_p50_s"] = round(float(np.median(driver[what])), 2) if ts else -1.0
    out["big_folder_first_question_s"] = round(float(first), 2)
    out["big_folder_status"] = status
    out["peak_rss_mb_app_and_llm"] = rss
    out["peak_rss_mb_index_worker"] = worker_rss
    return out


def _peak_mb(pid: int) -> float:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return round(next(int(line.split()[1]) for line in lines if line.startswith("VmHWM:")) / 1024, 1)
