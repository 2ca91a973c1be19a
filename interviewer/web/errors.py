"""Every page event's error handling: a problem the person can fix shows as its own message,
anything else is logged and shown as one plain sentence; the tab's session is kept either way.
"""

import functools
import logging
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from interviewer.web.access import Refused
from interviewer.web.handlers import UserError
from interviewer.web.uploads import UploadError
from knowledge.files import NotesFileError
from knowledge.models import ModelAssemblyError
from knowledge.store import CorruptIndex

log = logging.getLogger("interview-coach")
# errors whose message is already written for the person reading it
_PLAIN = (
    UserError,
    Refused,
    UploadError,
    NotesFileError,
    CorruptIndex,
    ModelAssemblyError,
    FileNotFoundError,
    ValueError,
)


def message(e: Exception) -> str:
    if isinstance(e, _PLAIN):
        return str(e)
    log.exception("unexpected error in the UI")
    return f"Something went wrong ({type(e).__name__}: {e}). Your answers so far are saved."


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            raise gr.Error(message(e)) from e

    return call


def guarded_stream(fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from fn(*args, **kwargs)
        except Exception as e:
            raise gr.Error(message(e)) from e

    return call
