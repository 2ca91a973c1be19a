"""The page's language: Gradio's own i18n for what the components show before any event, the
tab's `lang` for what the server writes (status, chat, feedback, report, errors).

Each tab's language is chosen in one place, messages.language(): the interviewer's setting
when it names one, else the browser's Accept-Language. ui.py asks on load and whenever the
setting changes, keeps the answer in the tab's `lang` State for every event, and hands it to
the browser (SWITCH), where Gradio redraws its own strings and ours in it.
"""

import json
from typing import Any

import gradio as gr
from gradio.i18n import I18nData

from interviewer.messages import Lang, for_gradio, language, say
from interviewer.web.uploads import MAX_TOTAL

I18N = gr.I18n(**for_gradio(mb=MAX_TOTAL // 2**20))

# Gradio's runtime language switch, the function its Settings panel calls, from the module that
# exports it (already loaded: importing its URL again gives the same module, so the same store)
# It is awaited: a switch redraws every text that began as an i18n key from that key, even one the
# server has since rewritten, so what the server writes in the new language must come after it.
SWITCH = """async (lang) => {
  const core = performance.getEntriesByType("resource").map((r) => r.name)
    .find((name) => /\\/assets\\/core-[\\w-]+\\.js$/.test(name));
  if (core) await (await import(core)).changeLocale(lang === "zh" ? "zh-CN" : "en");
  return [];
}"""


# Gradio 6.31 titles every error box "Error": its client never reads the title the server sends
# (gr.Error(title=...)). The page writes the title in the tab's language (Gradio keeps that as
# <html lang>), the words from messages.toml.
TOAST_TITLE = f"""<script>
(() => {{
  const titles = {json.dumps({lang: say(lang, "error_title") for lang in ("en", "zh")}, ensure_ascii=False)};
  const retitle = () => {{
    const title = titles[document.documentElement.lang.startsWith("zh") ? "zh" : "en"];
    for (const el of document.querySelectorAll(".toast-title.error")) {{
      const text = el.firstChild;
      const stale = text && text.nodeType === Node.TEXT_NODE && text.nodeValue.trim() !== title;
      if (stale) text.nodeValue = title + " ";
    }}
  }};
  new MutationObserver(retitle).observe(document.documentElement, {{ childList: true, subtree: true }});
}})();
</script>"""


def label(key: str) -> I18nData:
    """A component's text by its key in messages.toml, shown in the tab's language by Gradio."""
    if key not in I18N.translations["en"]:
        raise KeyError(f"messages.toml has no static string {key!r}")
    return I18N(key)


def choose(setting: str, request: gr.Request | None) -> Lang:
    """The tab's language, from the interviewer's language setting and the request's headers."""
    headers = request.headers if request is not None else {}
    return language(setting, headers.get("accept-language"))


def follow(demo: gr.Blocks, setting: gr.Radio, lang: gr.State, locale: gr.Textbox) -> tuple[Any, Any]:
    """Chooses the tab's language on load and on each change of the setting, and switches the
    browser's to it; returns the two switches, for what the server writes to follow them."""

    def pick(setting_: str, request: gr.Request) -> tuple[Lang, Lang]:
        chosen = choose(setting_, request)
        return chosen, chosen

    hidden: Any = {"api_visibility": "private"}
    loaded = demo.load(pick, setting, [lang, locale], **hidden)
    changed = setting.change(pick, setting, [lang, locale], **hidden)
    chosen, switched = (e.then(None, locale, None, js=SWITCH, **hidden) for e in (loaded, changed))
    return chosen, switched
