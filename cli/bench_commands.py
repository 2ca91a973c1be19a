"""Commands that measure the app: speed and retrieval, weeks of practice, many users at once.

add_parsers() registers each command's arguments and its function (args.run).
"""

import argparse
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cli import parts
from cli.parts import (
    BUNDLED_NOTES,
    make_chat,
    make_coach,
    make_embedder,
    table,
)
from interviewer.llm.chat import ChatBackend, ModelUnavailable
from interviewer.settings import Settings

if TYPE_CHECKING:
    from devtools.loadtest import LoadResult


def add_parsers(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("bench", help="retrieval benchmark on a notes folder")
    p.add_argument("path", nargs="?", default=str(BUNDLED_NOTES))
    p.add_argument("--json", action="store_true")
    p.add_argument("--retrieval-only", action="store_true", help="skip grading and LLM figures")
    p.add_argument("--markdown", action="store_true", help="also write the figures into docs/benchmarks.md")
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
    p.set_defaults(run=cmd_bench)
    p = sub.add_parser("simulate", help="weeks of spaced repetition: fake clock, a candidate who forgets")
    p.add_argument("--notes", default=str(BUNDLED_NOTES))
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--questions", type=int, default=10, help="questions per daily interview")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--embedder", default="fake", help="fake (default: seconds) or a real embedder")
    p.set_defaults(run=cmd_simulate)
    p = sub.add_parser("loadtest", help="simulated users at once on a local server, with fake models")
    p.add_argument("--notes", default=str(BUNDLED_NOTES))
    p.add_argument("--users", default="20", help="how many at once; several, one after another: 1,2,4")
    p.add_argument("--questions", type=int, default=2)
    p.add_argument("--replicas", type=int, default=0, help="N app processes behind nginx on PostgreSQL")
    p.add_argument("--embedder", default="fake", help="with --replicas: the replicas' embedder")
    p.add_argument("--follow-ups", type=int, default=0, choices=[0, 1, 2], help="with --replicas")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_loadtest)


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
        print(json.dumps(figures) if args.json else table(figures))
        return 0
    embedder = make_embedder(args.embedder or settings.embedder, settings, progress=not args.json)
    if args.scale:
        with tempfile.TemporaryDirectory() as scratch:
            bench.scaled_notes(path, args.scale, Path(scratch) / "notes")
            _, scaled = bench.knowledge_figures(Path(scratch) / "notes", embedder)
        print(json.dumps(scaled) if args.json else table(scaled))
        return 0
    loaded = time.perf_counter() - parts.STARTED  # process start to the embedder ready
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
    from devtools import figures_page

    threads = getattr(chat, "threads", None) if not args.retrieval_only else None
    where = figures_page.machine(getattr(embedder, "path", None), threads)
    result["machine"] = where
    if args.markdown:
        title = f"Speed and retrieval: `app.py bench` on {path.name}"
        figures_page.write(figures_page.PAGE, "bench", title, figures_page.rows(result), where)
    print(json.dumps(result, ensure_ascii=False) if args.json else table(result))
    return 0


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from devtools import simulate

    embedder = make_embedder(args.embedder, settings, progress=True)
    with tempfile.TemporaryDirectory() as scratch:  # the simulated candidate's history is not the user's
        days = simulate.run(Path(args.notes), embedder, Path(scratch), args.days, args.questions, args.seed)
    print(simulate.table(days))
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
