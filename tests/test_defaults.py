"""Private by default: this computer only, no telemetry, no outbound call, data where we say."""

import ipaddress
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import app
from interviewer.llm.chat import FakeChat
from interviewer.settings import Settings
from interviewer.web import ui
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder
from tests.conftest import ROOT

NOTES = Path(__file__).parent / "fixtures" / "notes"


def test_the_defaults_keep_everything_on_this_computer(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("COACH_DATA_DIR", "COACH_HOST", "XDG_DATA_HOME"):
        monkeypatch.delenv(var, raising=False)
    settings = Settings()
    assert settings.host == "127.0.0.1"
    assert settings.data_dir == Path.home() / ".local" / "share" / "interview-coach"


def test_importing_the_ui_turns_gradio_s_telemetry_off() -> None:
    """In a fresh interpreter without the variable: this one imported the UI long ago, and the
    runner may set GRADIO_ANALYTICS_ENABLED itself (a person who sets it chooses for themselves)."""
    env = {k: v for k, v in os.environ.items() if k != "GRADIO_ANALYTICS_ENABLED"}
    code = "import interviewer.web.ui, gradio.analytics as a; print(a.analytics_enabled())"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split()[-1] == "False"


def test_data_dir_option_puts_everything_there(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "elsewhere"
    assert app.main(["--data-dir", str(target), "ingest", str(NOTES), "--embedder", "fake"]) == 0
    assert str(target) in capsys.readouterr().out
    assert any(target.rglob("manifest.json"))


def test_an_interview_makes_no_outbound_connection(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gradio_client import Client

    seen: list[str] = []
    connect = socket.socket.connect

    def watched(self: socket.socket, address: object) -> None:
        if isinstance(address, tuple):
            seen.append(str(address[0]))
        connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", watched)
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat())
    demo = ui.build(coach, NOTES)
    ui.launch(demo, coach, prevent_thread_lock=True, quiet=True)  # Gradio finds a free port
    try:
        client = Client(demo.local_url, verbose=False)
        client.predict("Sample notes", "", None, api_name="/load_notes")
        sid = client.predict([], 1, 1, "auto", False, api_name="/start")[0]
        client.predict(sid, "Dropout zeroes activations during training.", api_name="/answer")
        client.predict(sid, api_name="/end")
    finally:
        demo.close()
    assert seen, "the client's own connections were watched"
    hosts = set(seen)
    assert all(h == "localhost" or ipaddress.ip_address(h).is_loopback for h in hosts), hosts
