"""Which rows eval fits on and which it reports: folds of questions, or one file held out.

A question and its twins are one unit: a translation of it in another file (`twin_of`), or a
near-duplicate (the same question or reference text, once case, spaces and punctuation are
gone: Mohler asks "What is a pointer?" as 6.1 and again as 12.1). A unit is never both fitted
and reported, so a figure never rests on having seen the same question in other words.

    groups ["0:1.1", "0:6.1", "0:12.1", "1:asag.1"], 12.1 repeats 6.1, asag.1 is a twin of 1.1
    -> units ["0:1.1", "0:6.1", "0:6.1", "0:1.1"]
"""

import re

import numpy as np

from evaluation.rows import EvalRow

Split = tuple[np.ndarray, np.ndarray]  # (rows fitted on, rows reported)


def units(files: list[list[EvalRow]]) -> list[str]:
    """Per row (files in order), the id of its unit: "<file>:<question id>" of the unit's first question."""
    groups = [f"{k}:{r.group}" for k, rows in enumerate(files) for r in rows]
    rows = [r for rs in files for r in rs]
    parent = {g: g for g in groups}
    first = {g: n for n, g in reversed(list(enumerate(groups)))}

    def root(g: str) -> str:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            keep, other = sorted((ra, rb), key=first.__getitem__)
            parent[other] = keep

    seen: dict[tuple[str, str], str] = {}
    by_id: dict[str, list[str]] = {}
    for g, r in zip(groups, rows, strict=True):
        by_id.setdefault(r.group, []).append(g)
        for key in (("q", _plain(r.question)), ("r", _plain(" ".join(r.references)))):
            if key[1]:
                join(seen.setdefault(key, g), g)
    for g, r in zip(groups, rows, strict=True):
        for other in by_id.get(r.twin_of or "", []):
            join(g, other)
    return [root(g) for g in groups]


def question_folds(unit: list[str], k: int, seed: int = 0) -> list[Split]:
    """k folds; all answers of a unit fall in the same fold, and the seed decides which go together."""
    order = list(dict.fromkeys(unit))
    np.random.default_rng(seed).shuffle(order)
    fold = {g: n % k for n, g in enumerate(order)}
    of = np.array([fold[g] for g in unit])
    return [(np.flatnonzero(of != f), np.flatnonzero(of == f)) for f in range(k)]


def file_out(files: np.ndarray, unit: list[str], k: int) -> Split:
    """File k reported, fitted on the other files' rows but for its units' twins."""
    held = {u for u, f in zip(unit, files, strict=True) if f == k}
    train = [i for i, (u, f) in enumerate(zip(unit, files, strict=True)) if f != k and u not in held]
    return np.asarray(train, dtype=int), np.flatnonzero(files == k)


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())
