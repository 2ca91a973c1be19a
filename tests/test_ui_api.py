"""The real Gradio app, launched in-process on 127.0.0.1, driven through gradio_client."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from interviewer.llm.chat import FakeChat
from interviewer.web import errors, ui
from interviewer.web.layout import PAGE, REPORT
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder

NOTES = Path(__file__).parent / "fixtures" / "notes"


def named(out: tuple[object, ...], *names: str) -> dict[str, object]:
    """An event's API outputs by name (layout.py: PAGE, REPORT): the API returns them in that order."""
    assert len(out) == len(names)
    return dict(zip(names, out, strict=True))


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
    # the tab's notes folder stays on the server (State: not in the outputs); its interview is
    # in the history, by the id /start returns, which each later call passes back
    summary, topics = client.predict("A folder on this computer", str(NOTES), None, api_name="/load_notes")
    assert "**3 questions**" in summary and "Deep learning" in str(topics)
    out = named(client.predict([], 2, 1, "auto", False, api_name="/start"), "session", *PAGE, "job_view")
    sid, chat, status = str(out["session"]), out["chat"], str(out["status"])
    assert isinstance(chat, list)
    assert status.startswith("Question 1 of 2") and "Question 1 of 2" in text_of(chat[-1])
    out = named(client.predict(sid, "It is a regularization trick.", api_name="/answer"), "answer", *PAGE)
    chat, feedback = out["chat"], str(out["feedback"])
    assert isinstance(chat, list) and out["answer"] == ""  # the box is cleared for the next answer
    assert [m["role"] for m in chat[-3:]] == ["user", "assistant", "assistant"]
    assert "/10" in text_of(chat[-2]) and "Follow-up" in text_of(chat[-1])
    assert "class='pt " in feedback and "deep_learning.md ›" in feedback
    hinted = named(client.predict(sid, api_name="/hint"), *PAGE)["chat"]
    assert isinstance(hinted, list) and text_of(hinted[-1]).startswith("💡")
    skipped = named(client.predict(sid, api_name="/skip"), *PAGE)["chat"]
    assert isinstance(skipped, list) and "Question 2 of 2" in text_of(skipped[-1])
    out = named(client.predict(sid, api_name="/end"), *PAGE, *REPORT, "due")
    assert "Overall" in str(out["report"])
    picker = out["pick"]
    assert isinstance(picker, dict)
    session_id = picker["value"]
    assert session_id == sid
    md, js, html = client.predict(session_id, api_name="/transcripts")
    text = Path(md).read_text(encoding="utf-8")
    assert "It is a regularization trick." in text and "# Report" in text
    assert session_id in Path(js).read_text(encoding="utf-8") and Path(html).suffix == ".html"


def test_two_clients_do_not_share_an_interview(server: str) -> None:
    a, b = Client(server, verbose=False), Client(server, verbose=False)
    for c in (a, b):
        c.predict("A folder on this computer", str(NOTES), None, api_name="/load_notes")
    sa = a.predict([], 2, 0, "auto", False, api_name="/start")[0]
    sb = b.predict([], 2, 0, "auto", False, api_name="/start")[0]
    assert sa != sb
    a.predict(sa, "A's answer, about normalization and dropout.", api_name="/answer")
    chat = named(b.predict(sb, api_name="/hint"), *PAGE)["chat"]
    assert isinstance(chat, list)
    texts = [text_of(m) for m in chat]
    assert not any("A's answer" in t for t in texts)
    assert sum(t.startswith("**Question") for t in texts) == 1


def test_a_model_that_fails_to_load_is_a_message_on_the_page(data_dir: Path) -> None:
    from gradio_client.exceptions import AppError

    from knowledge.index.embedder import Embedder
    from knowledge.weights.assembly import ModelAssemblyError

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

    def boom(lang: str) -> None:
        raise KeyError("turn 7")

    with pytest.raises(gr.Error) as caught:
        errors.guarded(boom)("en")
    assert "Something went wrong (KeyError" in caught.value.message
    assert "Your answers so far are saved." in caught.value.message
    with pytest.raises(gr.Error) as caught:
        errors.guarded(boom)("zh")  # an event's first argument is the tab's language
    assert caught.value.message.startswith("出了点问题（KeyError") and "已保存" in caught.value.message


class HeldChat(FakeChat):
    """Writes its follow-up only when the test lets it: a slow LLM, on cue."""

    def __init__(self) -> None:
        super().__init__(["What happens at inference time?"] * 5)
        self.started, self.release = threading.Event(), threading.Event()

    def stream(self, messages, max_tokens=128, stop=None, temperature=0.0, seed=0):  # type: ignore[no-untyped-def]
        self.started.set()
        assert self.release.wait(60)
        yield from super().stream(messages, max_tokens, stop, temperature, seed)


def test_a_grade_in_one_tab_finishes_while_another_tab_s_follow_up_is_written(data_dir: Path) -> None:
    chat = HeldChat()
    coach = Coach(data_dir, FakeEmbedder, lambda: chat)
    demo = ui.build(coach, NOTES)
    ui.launch(demo, coach, prevent_thread_lock=True, quiet=True)
    try:
        a, b = Client(demo.local_url, verbose=False), Client(demo.local_url, verbose=False)
        for c in (a, b):
            c.predict("A folder on this computer", str(NOTES), None, api_name="/load_notes")
        sa = a.predict([], 2, 1, "auto", False, api_name="/start")[0]  # a follows up: its LLM call is held
        sb = b.predict([], 2, 0, "auto", False, api_name="/start")[0]
        writing = a.submit(sa, "It is a regularization trick.", api_name="/answer")
        assert chat.started.wait(60)  # tab a is graded and its follow-up is being written
        answered = b.predict(sb, "Dropout zeroes random activations.", api_name="/answer")
        out = named(answered, "answer", *PAGE)
        assert "class='pt " in str(out["feedback"])  # tab b's grade is back ...
        assert not writing.done()  # ... while tab a's follow-up is still being written
        chat.release.set()
        writing.result(timeout=60)
    finally:
        chat.release.set()
        demo.close()
