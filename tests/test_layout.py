"""The layout docs/architecture.md describes: rooms by job, imports one way, short modules.

Data flows notes -> knowledge -> grading -> llm and the interview -> the page. Each room stands on a
floor and imports only from its own floor and those below it, with no exceptions. Read from the
source (ast), so a late import inside a function counts as much as one at the top, and a relative one
(`from ..interview.engine import Engine`) as much as the absolute one it stands for.
"""

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("knowledge", "interviewer", "evaluation", "devtools", "cli")
PRODUCT = ("knowledge", "interviewer")  # what ships: short modules, never the harnesses above it
OURS = PACKAGES + ("app",)
MAX_LINES = 250
GRADING, WEB = "interviewer.grading", "interviewer.web"
# bottom to top: a module may import its own floor and the floors below it, never one above
FLOORS = (
    ("knowledge", "knowledge.items"),  # the types the other rooms are handed
    ("knowledge.reading",),
    ("knowledge.weights",),
    ("knowledge.index",),
    ("interviewer", "interviewer.settings", "interviewer.messages"),  # shared: import nothing of ours
    (GRADING,),
    ("interviewer.storage",),
    ("interviewer.llm",),
    ("interviewer.practice",),
    ("interviewer.interview",),
    (WEB,),
    ("evaluation", "devtools"),  # never imported by the product
    ("cli", "app"),  # the front door: each command's arguments and wiring, and app.py that calls them
)
APP_LINES = 150  # the front door parses the global flags and hands over, nothing more
SHARED = {"__init__", "settings", "messages"}  # the only modules loose in interviewer/
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def modules() -> dict[str, Path]:
    out = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(p for p in parts if p != "__init__")] = path
    return out


def imports(path: Path, name: str) -> set[str]:
    """What module `name` (the file at `path`) imports, relative imports resolved by its package."""
    package = name.split(".") if path.stem == "__init__" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            # level 1 is the module's own package, each level more one package up; what is
            # imported counts, not the package it comes from (`from interviewer.llm import chat`)
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found |= {f"{module}.{a.name}" for a in node.names}
    return {name for name in found if name.split(".")[0] in OURS}


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def floor(name: str) -> int:
    """The floor of module (or imported name) `name`: the one whose room names it most closely."""
    rooms = [(len(room), i) for i, rooms in enumerate(FLOORS) for room in rooms if under(name, room)]
    assert rooms, f"{name} is in no room"
    return max(rooms)[1]


def violations(name: str, used: set[str]) -> set[str]:
    """The imports of module `name` that climb to a floor above its own."""
    return {u for u in used if floor(u) > floor(name)}


def test_the_rooms_exist() -> None:
    found = modules()
    for part in (
        "knowledge.index.knowledge_base",
        "knowledge.reading.notes",
        "knowledge.weights.assembly",
        GRADING + ".scoring",
        "interviewer.storage.database",
        "interviewer.llm.chat",
        "interviewer.practice.schedule",
        "interviewer.interview.engine",
        WEB + ".ui",
        "evaluation.evaluate",
        "devtools.bench",
    ):
        assert part in found, part


def test_nothing_is_loose_in_interviewer() -> None:
    loose = {path.stem for path in (ROOT / "interviewer").glob("*.py")}
    assert loose <= SHARED, sorted(loose - SHARED)


@pytest.mark.parametrize("name", sorted(modules()))
def test_imports_flow_one_way(name: str) -> None:
    assert violations(name, imports(modules()[name], name)) == set()


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"  # a late import counts as much as one at the top
    bad.write_text(
        "def f():\n    from devtools import bench\n    import interviewer.web.ui\n    import app\n"
    )
    used = imports(bad, "interviewer.interview.bad")
    assert used == {"devtools.bench", "interviewer.web.ui", "app"}
    assert violations("interviewer.interview.bad", used) == used
    assert violations("devtools.bad", used) == {"app"}  # the developer tools stand above the page
    assert violations("knowledge.reading.bad", {"interviewer.settings", "knowledge.index.vectors"}) == {
        "interviewer.settings",
        "knowledge.index.vectors",
    }
    assert violations("interviewer.settings", {GRADING + ".scoring"}) == {GRADING + ".scoring"}
    assert violations(WEB + ".bad", {"evaluation.judge"}) == {"evaluation.judge"}


def test_the_checks_see_a_relative_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from ..interview.engine import Engine\nfrom . import rubrics\nfrom ..llm import chat\n")
    used = imports(bad, GRADING + ".bad")
    assert used == {"interviewer.interview.engine.Engine", GRADING + ".rubrics", "interviewer.llm.chat"}
    climbs = {"interviewer.interview.engine.Engine", "interviewer.llm.chat"}  # no exception for the judge's
    assert violations(GRADING + ".bad", used) == climbs
    init = tmp_path / "__init__.py"
    init.write_text("from .ui import build\n")
    assert imports(init, WEB) == {WEB + ".ui.build"}  # in a package's __init__, level 1 is the package
    assert violations("interviewer.interview.engine", {WEB + ".ui.build"}) == {WEB + ".ui.build"}


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_are_short(name: str) -> None:
    path = modules()[name]
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= (APP_LINES if name == "app" else MAX_LINES), f"{path.relative_to(ROOT)}: {lines} lines"


def test_no_two_modules_share_a_name() -> None:
    leaves = [path.stem for path in modules().values() if path.stem != "__init__"]
    assert len(leaves) == len(set(leaves)), sorted(n for n in leaves if leaves.count(n) > 1)


def test_no_module_is_named_after_the_standard_library() -> None:
    import sys

    named = {path.stem for path in modules().values()} | {
        part for path in modules().values() for part in path.relative_to(ROOT).parts[:-1]
    }
    assert not named & set(sys.stdlib_module_names), sorted(named & set(sys.stdlib_module_names))


def test_each_room_says_what_it_does_and_may_import() -> None:
    for init in sorted(p for package in PACKAGES for p in (ROOT / package).rglob("__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in docstring.lower(), init.relative_to(ROOT)


def test_the_architecture_page_lists_every_module() -> None:
    rows = [line for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    listed = {m for row in rows for m in re.findall(r"`([\w/]+\.py)`", row)}
    there = {str(path.relative_to(ROOT)) for path in modules().values() if path.stem != "__init__"}
    assert sorted(there - listed) == [], "modules docs/architecture.md does not list"
    assert sorted(listed - there) == [], "modules docs/architecture.md lists that are not there"


MAX_FUNCTION_LINES = 80


@pytest.mark.parametrize("name", sorted(n for n in modules() if n.split(".")[0] in PRODUCT))
def test_product_functions_are_short(name: str) -> None:
    tree = ast.parse(modules()[name].read_text(encoding="utf-8"))
    sizes = {
        node.name: (node.end_lineno or node.lineno) - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    long = {f"{fn} ({n} lines)" for fn, n in sizes.items() if n > MAX_FUNCTION_LINES}
    assert not long, sorted(long)
