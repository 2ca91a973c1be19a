"""interview-coach: practise interviews on your own notes, locally.

    python app.py [--host H] [--port P] # the browser UI on http://127.0.0.1:7860
    python app.py ingest PATH [--json] # index your notes folder (or one file)
    python app.py questions PATH [--json] # every question an interview can ask, written first
    python app.py bench [PATH] [--json] [--markdown] # speed and retrieval figures with the real models
    python app.py bench [PATH] --scale N # cold indexing of N questions cycled from PATH
    python app.py bench [PATH] --browser [--while-indexing N] # in Chromium (while N questions index)
    python app.py grade --question Q --answer A (--reference R | --item ID) [--json]
    python app.py eval FILE.jsonl... [--folds K --seeds S | --leave-one-file-out] [--adapt K] [--json]
    python app.py eval --bluffs FILE [--notes PATH]      # what answers that say nothing score
    python app.py calibrate FILE.jsonl...                # refit the grader's calibration
    python app.py chat [--notes PATH] [--questions N] [--user NAME]   # an interview in the terminal
    python app.py export SESSION_ID --format md|json|html [-o FILE] [--user NAME]
    python app.py export-anki FOLDER -o deck.apkg [--deck NAME]   # questions and answers for Anki
    python app.py report [SESSION_ID] [--user NAME] [--json]   # your interviews, or one's report
    python app.py user add|remove|list [NAME]            # logins, when COACH_USERS_FILE is set
    python app.py ingest FOLDER --shared NAME            # course notes, for every user and replica
    python app.py loadtest [--users 20] [--replicas N]    # many users at once, p50/p95 per turn
    python app.py simulate [--days 14]                   # weeks of spaced repetition, fake clock
    python app.py eval --appeals [--user NAME]           # the grader against your own appeals

Commands that read the history read one user's (--user; default: the one local user).
The front door only: it reads the global flags into the settings and hands over to the command
(cli/, each room's arguments and wiring; cli/parts.py chooses real or fake parts).
"""

import time

STARTED = time.perf_counter()  # before the heavy imports: "app start" for the benchmark

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from cli import (  # noqa: E402
    bench_commands,
    eval_commands,
    interview_commands,
    notes_commands,
    parts,
    user_commands,
)
from cli.parts import (  # noqa: E402
    BUNDLED_NOTES,
    TEST_EMBEDDER,
    eval_grader,
    make_chat,
    make_coach,
    make_embedder,
)
from interviewer.settings import Settings  # noqa: E402
from knowledge.index.embedder import Embedder  # noqa: E402

parts.STARTED = STARTED
# what tests and tools reach through app: the same objects as cli.parts'
__all__ = [
    "BUNDLED_NOTES",
    "TEST_EMBEDDER",
    "Embedder",
    "eval_grader",
    "main",
    "make_chat",
    "make_coach",
    "make_embedder",
]
ROOMS = (notes_commands, interview_commands, eval_commands, bench_commands, user_commands)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app.py", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--data-dir", help="where indexes and history live (env COACH_DATA_DIR)")
    parser.add_argument("--llm", choices=["llama-cpp", "openai", "fake"], help="chat backend (env COACH_LLM)")
    parser.add_argument("--llm-model", help="recipe name or server model name (env COACH_LLM_MODEL)")
    parser.add_argument("--host", help="address the UI listens on (env COACH_HOST; default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="the UI's port (env COACH_PORT; default 7860)")
    parser.add_argument("--share", action="store_true", help="a public Gradio link (off unless asked)")
    sub = parser.add_subparsers(dest="command")
    for room in ROOMS:
        room.add_parsers(sub)
    args = parser.parse_args(argv)
    settings = Settings()
    if args.data_dir:
        settings.data_dir = Path(args.data_dir)
    settings.llm = args.llm or settings.llm
    settings.llm_model = args.llm_model or settings.llm_model
    settings.host = args.host or settings.host
    settings.port = args.port or settings.port
    from interviewer.storage.database import DatabaseUnavailable

    run = getattr(args, "run", interview_commands.cmd_ui)  # no command: the page
    try:
        return int(run(args, settings))
    except DatabaseUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
