"""Every prompt in prompts/ renders in both languages, and a placeholder left out fails loudly."""

import pytest

from interviewer.llm.prompts import PromptError, prompts, render

VALUES: dict[str, object] = {
    "question": "What does dropout do?",
    "answer": "It drops units.",
    "missed_point": "It reduces co-adaptation between neurons",
    "reference": "Dropout zeroes activations.",
    "heading": "Regularization › Dropout",
    "points": ["Dropout zeroes activations", "It reduces co-adaptation"],
    "code": "def drop(x, p):\n    return x * (rng.random(x.shape) > p) / (1 - p)",
}


@pytest.mark.parametrize("name", sorted(type(prompts()).model_fields))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_prompt_renders_in_both_languages(name: str, language: str) -> None:
    text = render(name, language=language, **VALUES)
    assert text and "{{" not in text and "{%" not in text


def test_a_missing_placeholder_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(PromptError, match="write_question"):
        render("write_question", language="en", heading="Dropout")  # no points
    with pytest.raises(PromptError, match="no prompt named"):
        render("no_such_prompt")


def test_a_section_s_points_reach_the_question_writer_s_prompt() -> None:
    zh = render("write_question", language="zh", heading="正则化 › Dropout", points=["随机置零激活"])
    assert "正则化 › Dropout" in zh and "- 随机置零激活" in zh and "中文" in zh
