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

import re
import time
from pathlib import Path

import numpy as np

from interviewer.tools.bench import peak_rss_mb
from interviewer.web import ui
from interviewer.web.coach import Coach

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
