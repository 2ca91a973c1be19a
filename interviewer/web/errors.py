"""Every page event's error handling: a problem the person can fix shows as its own message,
anything else is logged and shown as one plain sentence; the tab's session is kept either way.
An event's first argument is the tab's language (page_language.py): the message is written in it.
"""

import functools
import logging
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from interviewer.messages import Lang, say, shown
from interviewer.web.access import Refused
from interviewer.web.handlers import UserError
from interviewer.web.uploads import UploadError
from knowledge.index.index_worker import IndexingError
from knowledge.index.on_disk import CorruptIndex
from knowledge.reading.files import NotesFileError
from knowledge.weights.assembly import ModelAssemblyError

log = logging.getLogger("interview-coach")
# errors whose message is already written for the person reading it
_PLAIN = (
    UserError,
    Refused,
    UploadError,
    NotesFileError,
    CorruptIndex,
    IndexingError,
    ModelAssemblyError,
    FileNotFoundError,
    ValueError,
)


def message(e: Exception, lang: Lang = "en") -> str:
    """What the person reads; a message made below the page, in English, is translated when
    messages.toml knows its wording."""
    if isinstance(e, _PLAIN):
        return shown(lang, str(e))
    log.exception("unexpected error in the UI")
    return say(lang, "error_unexpected", what=f"{type(e).__name__}: {e}")


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def call(lang: Lang, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(lang, *args, **kwargs)
        except Exception as e:
            raise shown_as(e, lang) from e

    return call


def shown_as(e: Exception, lang: Lang) -> gr.Error:
    """The message box the page shows, its title in the tab's language too."""
    return gr.Error(message(e, lang), title=say(lang, "error_title"))


def guarded_stream(fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    @functools.wraps(fn)
    def call(lang: Lang, *args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from fn(lang, *args, **kwargs)
        except Exception as e:
            raise shown_as(e, lang) from e

    return call
