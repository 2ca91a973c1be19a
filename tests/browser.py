"""Chromium for the browser tests: Debian's, driven by Playwright, in a language of our choice,
and the text a person sees on a page."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from interviewer.web import ui
from interviewer.web.workspace import Coach

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# every text node a person sees (or a screen reader reads: a visually hidden label counts),
# and the placeholders of the boxes shown; nothing of a closed accordion or a hidden tab
VISIBLE_TEXT = """() => {
  const shown = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (text && shown(el) && !el.closest("script, style")) out.push(text);
  }
  for (const el of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
    if (shown(el) && el.placeholder.trim()) out.push(el.placeholder);
  }
  return out;
}"""


def need_chromium() -> None:
    """Skips a module without /usr/bin/chromium, except under CI, where .ci/run installs it."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs it with apt")
        pytest.skip("no /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)


@contextmanager
def served(coach: Coach, notes: Path) -> Iterator[str]:
    """The page on `notes` (standing in for the bundled ones), at a free port."""
    demo = ui.build(coach, notes)
    ui.launch(demo, coach, prevent_thread_lock=True, quiet=True)
    try:
        assert demo.local_url
        yield demo.local_url
    finally:
        demo.close()
