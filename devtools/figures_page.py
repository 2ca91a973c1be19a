"""docs/benchmarks.md, written by the commands that measure: one section each, never by hand.

`bench --markdown` and `eval ... --markdown` each replace their own section (between
`<!-- NAME:start -->` and `<!-- NAME:end -->`) with the table of what they just printed and
the machine it ran on; the other sections stay as they were. `make bench-docs` runs both.

    write(page, "bench", "Speed on the bundled notes", bench_rows(result), machine())
"""

import datetime
import os
import platform
import subprocess
from collections.abc import Mapping
from pathlib import Path

from knowledge.index.cpu_path import cpu_flags

PAGE = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = (
    "# Measured figures\n\n"
    "Written by `make bench-docs` (`python app.py bench --markdown`, `python app.py eval ... --markdown`);\n"
    "each section says the machine and the commit it was measured on. Never edited by hand.\n"
)


def machine(embedder_path: str | None = None, llm_threads: int | None = None) -> dict[str, object]:
    """What a figure depends on: the CPU, its flags, the embedder's numbers, the date and commit."""
    flags = cpu_flags()
    model = next(
        (line.partition(":")[2].strip() for line in _cpuinfo().splitlines() if line.startswith("model name")),
        platform.processor() or platform.machine(),
    )
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "bf16": bool(flags & {"avx512_bf16", "amx_bf16"}),
        "avx512": "avx512f" in flags,
        "avx2": "avx2" in flags,
        "forced_isa": os.environ.get("ATEN_CPU_CAPABILITY") or None,  # e.g. avx2: the AVX2 path forced
        "embedder_path": embedder_path,
        "llm_threads": llm_threads,
        "date": datetime.date.today().isoformat(),
        "commit": _commit(),
    }


def rows(result: Mapping[str, object]) -> str:
    """A flat result (bench's) as a two-column table, in the result's order."""
    lines = ["| figure | value |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in result.items() if not isinstance(v, dict | list)]
    return "\n".join(lines)


def eval_rows(result: Mapping[str, object]) -> str:
    """eval's report as one row per graded file: its graders' Pearson r and RMSE."""
    files = result["files"]
    assert isinstance(files, dict)
    head = "| file | n | interview r | rubric r | cosine r | interview RMSE | mean predictor RMSE |"
    lines = [head, "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, f in files.items():
        g = f["graders"]
        r = {k: (g[k] or {}).get("pearson") for k in ("interview", "rubric", "cosine")}
        mean = (g["interview"] or {}).get("rmse_mean_predictor")
        rmse = (g["interview"] or {}).get("rmse")
        lines.append(
            f"| {name} | {f['n']} | {r['interview']} | {r['rubric']} | {r['cosine']} | {rmse} | {mean} |"
        )
    for name, f in files.items():
        if "labels" in f:
            per = ", ".join(f"{k} {v['mean']}" for k, v in f["labels"]["per_label"].items())
            f5, f3 = f["labels"]["macro_f1_5way"], f["labels"]["macro_f1_3way"]
            lines.append(f"\n{name}, score shown per label: {per}; bands' macro-F1 5-way {f5}, 3-way {f3}.")
    return "\n".join(lines)


def section(name: str, title: str, table: str, where: Mapping[str, object]) -> str:
    machine_line = ", ".join(f"{k} {v}" for k, v in where.items() if v is not None)
    return f"<!-- {name}:start -->\n## {title}\n\n{table}\n\nMachine: {machine_line}.\n<!-- {name}:end -->"


def write(page: Path, name: str, title: str, table: str, where: Mapping[str, object]) -> None:
    """Replace the page's section `name` (or add it), leaving the rest as it was; atomically."""
    text = page.read_text(encoding="utf-8") if page.exists() else HEADER
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    new = section(name, title, table, where)
    if start in text and end in text:
        text = text[: text.index(start)] + new + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    page.parent.mkdir(parents=True, exist_ok=True)
    partial = page.with_name(page.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, page)


def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=PAGE.parent,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None
