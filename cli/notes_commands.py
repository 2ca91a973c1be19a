"""Commands on notes: index a folder, list the questions it can ask, write it as an Anki deck.

add_parsers() registers each command's arguments and its function (args.run).
"""

import argparse
import json
import sys
from pathlib import Path

from cli.parts import (
    database,
    make_embedder,
    make_engine,
)
from interviewer.settings import Settings


def add_parsers(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("ingest", help="index a notes folder or file")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="print one JSON summary on stdout")
    p.add_argument("--shared", metavar="NAME", help="as course notes NAME, for every user and replica")
    p.add_argument("--embedder", help="embedding model (env COACH_EMBEDDER)")
    p.set_defaults(run=cmd_ingest)
    p = sub.add_parser("questions", help="every question an interview can ask from a notes folder")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="a JSON list on stdout (progress on stderr)")
    p.add_argument("--embedder", help="embedding model (env COACH_EMBEDDER)")
    p.set_defaults(run=cmd_questions)
    p = sub.add_parser("export-anki", help="the notes' questions and model answers as an Anki deck")
    p.add_argument("folder")
    p.add_argument("-o", "--output", required=True, help="the .apkg file to write")
    p.add_argument("--deck", help="the deck's name (default: the folder's); keep it to update the same cards")
    p.set_defaults(run=cmd_export_anki)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.index.ingest import index_dir, ingest

    path = Path(args.path)
    if not path.exists():
        print(f"error: {path} does not exist", file=sys.stderr)
        return 2
    embedder = make_embedder(args.embedder or settings.embedder, settings, progress=True)
    folder = index_dir(settings.data_dir, path, embedder.name)
    _, summary = ingest(path, embedder, folder, progress=not args.json)
    shared = None
    if args.shared:
        from interviewer.storage.courses import Courses

        shared = Courses(database(settings)).publish(args.shared, folder)
    if args.json:
        print(summary.model_dump_json())
        return 0
    for f in summary.files:
        note = f"  ! {f.error}" if f.error else ""
        print(f"{f.path}: {f.items} questions, {f.answered} answered, {f.rubric_points} points{note}")
    print(
        f"\n{summary.items} questions ({summary.answered} with answers), {summary.rubric_points} "
        f"rubric points in {summary.seconds:.1f}s with {summary.embedder}."
        f"\nIndex saved in {folder}"
    )
    if shared:
        print(f"Course notes {shared.name!r} ({shared.digest[:12]}) are in the database for every user.")
    return 0


def cmd_questions(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.path)
    if not path.exists():
        print(f"error: {path} does not exist", file=sys.stderr)
        return 2
    engine = make_engine(path, settings, args.embedder)
    assert engine.writer is not None
    engine.writer.write_all(engine.kb, progress=True)
    listed = engine.questions()
    if args.json:
        print(json.dumps([q.model_dump() for q in listed], ensure_ascii=False, indent=1))
        return 0
    for q in listed:
        print(f"[{q.written_by}] {q.question}  ({q.source}, {q.place or q.line})")
    return 0


def cmd_export_anki(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.reading.anki_export import main as export_anki

    return export_anki(Path(args.folder), Path(args.output), args.deck)
