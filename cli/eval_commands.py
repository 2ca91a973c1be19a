"""Commands that measure the grader: agreement with human graders, appeals, bluffs; and its refit.

add_parsers() registers each command's arguments and its function (args.run).
"""

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cli.parts import BUNDLED_NOTES, eval_grader, history, make_chat, make_embedder
from interviewer.llm.chat import ModelUnavailable
from interviewer.settings import Settings
from interviewer.storage.session import LOCAL

if TYPE_CHECKING:
    from interviewer.grading.grader import Grader


def add_parsers(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("eval", help="agreement with human graders on JSONL files of graded answers")
    p.add_argument("file", nargs="*", help="one or more files; with --folds they are fitted on together")
    p.add_argument("--appeals", action="store_true", help="the grader against your appeals in the history")
    p.add_argument("--markdown", action="store_true", help="also write the figures into docs/benchmarks.md")
    p.add_argument("--bluffs", metavar="FILE", help="answers that say nothing, to the questions of --notes")
    p.add_argument("--notes", default=str(BUNDLED_NOTES), help="with --bluffs: the notes they answer")
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
    p.set_defaults(run=cmd_eval)
    p = sub.add_parser("calibrate", help="fit the grader's calibration on JSONL files and save it")
    p.add_argument("file", nargs="+", help="each score is divided by its own file's scale")
    p.add_argument("--embedder")
    p.set_defaults(run=cmd_calibrate)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from evaluation.agreement import Plan, run
    from interviewer.llm.chat import ChatError

    if args.bluffs:
        return eval_bluffs(args, settings)
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
    if args.markdown:
        from devtools import figures_page

        mode = "each file held out" if args.leave_one_file_out else "folds" if args.folds else "shipped"
        title = f"Agreement with human graders: `app.py eval` ({mode})"
        inner = getattr(grader.embedder, "inner", grader.embedder)  # under the embedding cache
        where = figures_page.machine(getattr(inner, "path", None))
        figures_page.write(figures_page.PAGE, "eval", title, figures_page.eval_rows(result), where)
    print(json.dumps(result) if args.json else eval_table(result))
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


def eval_table(result: dict[str, object]) -> str:
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
        if "labels" in f:
            per = "  ".join(f"{k} {v['mean']} (n {v['n']})" for k, v in f["labels"]["per_label"].items())
            lines.append(f"  score shown per label: {per}")
            f1 = f["labels"]
            f5, f3 = f1["macro_f1_5way"], f1["macro_f1_3way"]
            lines.append(f"  bands vs labels, macro-F1: 5-way {f5}, 3-way {f3}")
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


def eval_bluffs(args: argparse.Namespace, settings: Settings) -> int:
    """--bluffs FILE: each answer graded against --notes as the interview grades it."""
    from evaluation import bluffs
    from interviewer.grading import calibration
    from interviewer.grading.grader import Grader
    from knowledge.index.ingest import index_dir, ingest

    notes = Path(args.notes)
    embedder = make_embedder(args.embedder or settings.embedder, settings, progress=not args.json)
    kb, _ = ingest(notes, embedder, index_dir(settings.data_dir, notes, embedder.name))
    try:
        result = bluffs.run(Path(args.bluffs), kb, Grader(embedder, calibration.load(embedder.name)))
    except (ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.markdown:
        from devtools import figures_page

        title = f"Answers that say nothing: `app.py eval --bluffs {Path(args.bluffs).name}` on {notes.name}"
        where = figures_page.machine(getattr(embedder, "path", None))
        shown = "```\n" + bluffs.table(result) + "\n```"
        figures_page.write(figures_page.PAGE, "bluffs", title, shown, where)
    print(json.dumps(result["kinds"]) if args.json else bluffs.table(result))
    return 0

