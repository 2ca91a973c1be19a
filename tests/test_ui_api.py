"""The real Gradio app, launched in-process on 127.0.0.1, driven through gradio_client."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from interviewer import ui
from interviewer.chat import FakeChat
from interviewer.coach import Coach
from knowledge.embedder import FakeEmbedder

NOTES = Path(__file__).parent / "fixtures" / "notes"


def text_of(message: dict[str, object]) -> str:
    """Gradio 6 sends message content as a list of blocks; flatten it."""
    content = message["content"]
    if isinstance(content, str):
        return content
    assert isinstance(content, list)
    return "".join(str(block.get("text", "")) for block in content)


@pytest.fixture
def server(data_dir: Path) -> Iterator[str]:
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat(["What happens at inference time?"] * 10))
    demo = ui.build(coach, NOTES)
    ui.launch(demo, coach, prevent_thread_lock=True, quiet=True)  # Gradio finds a free port
    try:
        assert demo.server_name == "127.0.0.1"  # never the whole network unless asked
        assert demo.local_url
        yield demo.local_url
    finally:
        demo.close()


def test_a_short_interview_through_the_api(server: str) -> None:
    client = Client(server, verbose=False)
    # a tab's State (its session, its notes folder) stays on the server: it is not in the outputs
    summary, topics = client.predict("A folder on this computer", str(NOTES), None, api_name="/load_notes")
    assert "**3 questions**" in summary and "Deep learning" in str(topics)
    out = client.predict([], 2, 1, "auto", False, api_name="/start")
    chat, status = out[0], out[2]
    assert status.startswith("Question 1 of 2") and "Question 1 of 2" in text_of(chat[-1])
    out = client.predict("It is a regularization trick.", api_name="/answer")
    chat, feedback = out[1], out[2]
    assert [m["role"] for m in chat[-3:]] == ["user", "assistant", "assistant"]
    assert "/10" in text_of(chat[-2]) and "Follow-up" in text_of(chat[-1])
    assert "class='pt " in feedback and "deep_learning.md ›" in feedback
    out = client.predict(api_name="/hint")
    assert text_of(out[0][-1]).startswith("💡")
    out = client.predict(api_name="/skip")
    assert "Question 2 of 2" in text_of(out[0][-1])
    out = client.predict(api_name="/end")
    report, picker = out[3], out[8]  # buttons and tabs are not API outputs either
    assert "Overall" in report
    session_id = picker["value"]
    md, js, html = client.predict(session_id, api_name="/transcripts")
    text = Path(md).read_text(encoding="utf-8")
    assert "It is a regularization trick." in text and "# Report" in text
    assert session_id in Path(js).read_text(encoding="utf-8") and Path(html).suffix == ".html"


def test_two_clients_do_not_share_an_interview(server: str) -> None:
    a, b = Client(server, verbose=False), Client(server, verbose=False)
    for c in (a, b):
        c.predict("A folder on this computer", str(NOTES), None, api_name="/load_notes")
    a.predict([], 2, 0, "auto", False, api_name="/start")
    b.predict([], 2, 0, "auto", False, api_name="/start")
    a.predict("A's answer, about normalization and dropout.", api_name="/answer")
    out = b.predict(api_name="/hint")
    texts = [text_of(m) for m in out[0]]
    assert not any("A's answer" in t for t in texts)
    assert sum(t.startswith("**Question") for t in texts) == 1


def test_a_model_that_fails_to_load_is_a_message_on_the_page(data_dir: Path) -> None:
    from gradio_client.exceptions import AppError

    from knowledge.embedder import Embedder
    from knowledge.models import ModelAssemblyError

    def broken() -> Embedder:
        raise ModelAssemblyError("embeddinggemma-300m: part 3 failed its sha256 check; delete it and retry")

    coach = Coach(data_dir, broken, lambda: FakeChat())
    demo = ui.build(coach, NOTES)
    ui.launch(demo, coach, prevent_thread_lock=True, quiet=True)  # Gradio finds a free port
    try:
        client = Client(demo.local_url, verbose=False)
        with pytest.raises(AppError, match="failed its sha256 check"):
            client.predict("Sample notes", "", None, api_name="/load_notes")
        with pytest.raises(AppError, match="Load some notes first"):
            client.predict([], 2, 1, "auto", False, api_name="/start")
    finally:
        demo.close()


def test_unexpected_errors_read_as_one_sentence() -> None:
    import gradio as gr

    def boom() -> None:
        raise KeyError("turn 7")

    with pytest.raises(gr.Error) as caught:
        ui._guarded(boom)()
    assert "Something went wrong (KeyError" in caught.value.message
    assert "Your answers so far are saved." in caught.value.message
