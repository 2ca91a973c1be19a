"""Commands on interviews: the page, one in the terminal, one answer graded, a report, a transcript.

add_parsers() registers each command's arguments and its function (args.run).
"""

import argparse
import json
import random
import sys
from pathlib import Path

from cli.parts import (
    BUNDLED_NOTES,
    history,
    make_coach,
    make_embedder,
    make_engine,
)
from interviewer.settings import Settings
from interviewer.storage.session import LOCAL


def add_parsers(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("grade", help="grade one answer against a reference or a notes item")
    p.add_argument("--question", default="")
    p.add_argument("--answer", required=True)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--reference", help="a reference answer")
    source.add_argument("--item", help="a notes item id (see ingest)")
    p.add_argument("--notes", default=str(BUNDLED_NOTES), help="notes folder holding --item")
    p.add_argument("--json", action="store_true")
    p.add_argument("--embedder")
    p.set_defaults(run=cmd_grade)
    p = sub.add_parser("chat", help="a whole interview in the terminal")
    p.add_argument("--notes", default=str(BUNDLED_NOTES))
    p.add_argument("--questions", type=int, default=5)
    p.add_argument("--follow-ups", type=int, default=1, choices=[0, 1, 2])
    p.add_argument("--topic", action="append", help="only this topic (repeatable)")
    p.add_argument("--seed", type=int, help="same seed, same questions (default: a fresh one)")
    p.add_argument("--review-weak", action="store_true", help="favour what you missed before")
    p.add_argument("--embedder")
    p.add_argument("--user", default=LOCAL, help="whose history it goes into (default: the local user)")
    p.set_defaults(run=cmd_chat)
    p = sub.add_parser("export", help="a past interview as Markdown, JSON or HTML")
    p.add_argument("session")
    p.add_argument("--format", choices=["md", "json", "html"], default="md")
    p.add_argument("-o", "--output")
    p.add_argument("--user", default=LOCAL, help="whose interview (default: the local user)")
    p.set_defaults(run=cmd_export)
    p = sub.add_parser("report", help="your interviews, or one interview's report")
    p.add_argument("session", nargs="?", help="an interview's id (none: list them)")
    p.add_argument("--user", default=LOCAL, help="whose interviews (default: the local user)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_report)


def cmd_grade(args: argparse.Namespace, settings: Settings) -> int:
    from interviewer.grading import calibration, scoring
    from interviewer.grading.grader import Grader
    from interviewer.grading.rubrics import reference_rubric, rubric_for

    embedder = make_embedder(args.embedder or settings.embedder, settings, progress=not args.json)
    cal = calibration.load(embedder.name)
    grader = Grader(embedder, cal)
    elsewhere = None
    if args.reference is not None:
        rubric = reference_rubric([args.reference], embedder)
        question = args.question
    else:
        from knowledge.index.ingest import index_dir, ingest

        notes = Path(args.notes)
        kb, _ = ingest(notes, embedder, index_dir(settings.data_dir, notes, embedder.name))
        if args.item not in kb.by_id:
            print(f"error: no item {args.item!r} in {notes}", file=sys.stderr)
            return 2
        item = kb.item(args.item)
        rubric = rubric_for(kb, item, embedder, cal.partly)
        question = args.question or item.question
        elsewhere = scoring.other_questions(kb, item.id)
    grade = scoring.grade(grader, question, rubric, args.answer, elsewhere)
    if args.json:
        print(grade.model_dump_json())
        return 0
    from interviewer.interview.terminal import show_grade

    print(show_grade(grade))
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from interviewer.interview import terminal
    from interviewer.storage.session import SessionOptions

    engine = make_engine(Path(args.notes), settings, args.embedder)
    options = SessionOptions(
        questions=args.questions,
        follow_ups=args.follow_ups,
        topics=args.topic or [],
        seed=random.randrange(2**31) if args.seed is None else args.seed,
        review_weak=args.review_weak,
    )
    terminal.run(engine, options, user=args.user)
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from interviewer.interview import export

    try:  # absent, or someone else's: the same words, so they say nothing of other users
        session = history(settings, args.user).load(args.session)
    except KeyError as e:
        print(f"error: {e.args[0]} for user {args.user!r}", file=sys.stderr)
        return 2
    text = export.transcript(session, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from interviewer.interview.report import report
    from interviewer.interview.terminal import show_report
    from interviewer.storage.session import overall_score

    mine = history(settings, args.user)
    if not args.session:  # the picker: this user's interviews, newest first
        sessions = mine.sessions()
        if args.json:
            listed = [{"id": s.id, "created": s.created.isoformat(), "notes": s.notes} for s in sessions]
            print(json.dumps(listed))
            return 0
        for s in sessions:
            answered = sum(t.answer is not None for t in s.turns)
            score = overall_score(s)
            shown = "-" if score is None else f"{score:g}/10"
            print(f"{s.id}  {s.created:%Y-%m-%d %H:%M}  {answered:>2} answers  {shown:>7}  {s.notes}")
        return 0
    try:
        session = mine.load(args.session)
    except KeyError as e:
        print(f"error: {e.args[0]} for user {args.user!r}", file=sys.stderr)
        return 2
    r = report(session)
    print(r.model_dump_json() if args.json else show_report(r))
    return 0


def cmd_ui(args: argparse.Namespace, settings: Settings) -> int:
    from interviewer.web import server, ui

    coach = make_coach(settings, indexing_process=True)
    coach.preload(BUNDLED_NOTES)  # index and load the models now, not when a page first opens
    demo = ui.build(coach, BUNDLED_NOTES)
    print(f"Interview Coach: open http://{settings.host}:{settings.port} in your browser (Ctrl+C stops it).")
    server.serve(
        demo,
        coach,
        users_file=settings.users_file,
        user_header=settings.user_header,
        host=settings.host,
        port=settings.port,
        share=args.share,
    )
    return 0
