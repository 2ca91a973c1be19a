"""The prompts in prompts/*.yaml, validated at load and rendered strictly.

A template that needs a variable the caller didn't pass raises PromptError naming it; so does
a missing template. Nothing here talks to a model.
"""

from functools import cache
from pathlib import Path

import yaml
from jinja2 import Environment, StrictUndefined, Template, TemplateError
from pydantic import BaseModel, ConfigDict

FOLDER = Path(__file__).resolve().parents[2] / "prompts"


class PromptError(Exception):
    pass


class InterviewerPrompts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system: str
    follow_up: str
    follow_up_point: str
    follow_up_why: str
    judge: str
    write_question: str
    write_question_plain: str
    write_code_question: str


_ENV = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)


@cache
def prompts(folder: Path = FOLDER) -> InterviewerPrompts:
    path = folder / "interviewer.yaml"
    try:
        return InterviewerPrompts.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as e:
        raise PromptError(f"{path}: {e}") from e


@cache
def _compiled(source: str) -> Template:
    return _ENV.from_string(source)  # compiling costs ~3 ms, more than the whole fake turn


def render(name: str, **values: object) -> str:
    source = getattr(prompts(), name, None)
    if source is None:
        raise PromptError(f"no prompt named {name!r}")
    try:
        return _compiled(source).render(**values).strip()
    except TemplateError as e:
        raise PromptError(f"prompt {name!r}: {type(e).__name__}: {e}") from e
