"""The layout the README's table describes: four parts, imports one way, short modules.

Data flows notes -> knowledge -> grading -> interview -> web. Read from the source (ast), so a
late import inside a function counts as much as one at the top, and a relative one (`from
..engine import Engine`) as much as the absolute one it stands for. One exception, stated in
the README too: grading may import interviewer.chat and interviewer.prompts, because the LLM
judge (grading/judge.py, the baseline eval compares against) asks through the same chat
backends and prompts as the interview.
"""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("knowledge", "interviewer")
MAX_LINES = 250
WEB, TOOLS, GRADING = "interviewer.web", "interviewer.tools", "interviewer.grading"
JUDGE = ("interviewer.chat", "interviewer.prompts")  # what grading may import of the interview


def modules() -> dict[str, Path]:
    out = {}
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
            # imported counts, not the package it comes from (`from interviewer import chat`)
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found |= {f"{module}.{a.name}" for a in node.names}
    return {name for name in found if name.split(".")[0] in PACKAGES}


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_four_parts_exist() -> None:
    found = modules()
    for part in ("knowledge.kb", "knowledge.ingest", "interviewer.engine", GRADING + ".scoring", WEB + ".ui"):
        assert part in found, part


def violations(name: str, used: set[str]) -> set[str]:
    """The imports of module `name` that go against the flow."""
    bad = set()
    if under(name, "knowledge"):
        bad |= {u for u in used if under(u, "interviewer")}  # knowledge/ never imports interviewer/
    if under(name, GRADING):  # grading imports no interview, save the LLM judge's chat and prompts
        bad |= {
            u
            for u in used
            if under(u, "interviewer") and not under(u, GRADING) and not any(under(u, a) for a in JUDGE)
        }
    if not under(name, WEB) and not under(name, TOOLS):
        bad |= {u for u in used if under(u, WEB)}  # only the web part and the tools import the web part
    if not under(name, TOOLS):
        bad |= {u for u in used if under(u, TOOLS)}  # below app.py, nothing imports the developer tools
    return bad


@pytest.mark.parametrize("name", sorted(modules()))
def test_imports_flow_one_way(name: str) -> None:
    assert violations(name, imports(modules()[name], name)) == set()


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from interviewer.tools import bench\n    import interviewer.web.ui\n")
    assert imports(bad, "interviewer.bad") == {"interviewer.tools.bench", "interviewer.web.ui"}


def test_the_checks_see_a_relative_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from ..engine import Engine\nfrom . import rubrics\nfrom .. import chat, prompts\n")
    used = imports(bad, GRADING + ".bad")
    assert used == {
        "interviewer.engine.Engine",
        GRADING + ".rubrics",
        "interviewer.chat",
        "interviewer.prompts",
    }
    assert violations(GRADING + ".bad", used) == {"interviewer.engine.Engine"}  # chat, prompts: the judge's
    init = tmp_path / "__init__.py"
    init.write_text("from .ui import build\n")
    assert imports(init, WEB) == {WEB + ".ui.build"}  # in a package's __init__, level 1 is the package
    assert violations("interviewer.engine", {WEB + ".ui.build"}) == {WEB + ".ui.build"}


@pytest.mark.parametrize("name", sorted(modules()) + ["app"])
def test_modules_are_short_or_say_why(name: str) -> None:
    path = ROOT / "app.py" if name == "app" else modules()[name]
    lines = len(path.read_text(encoding="utf-8").splitlines())
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert lines <= MAX_LINES or "Longer than" in docstring, f"{lines} lines and no reason given"


def test_no_two_modules_share_a_name() -> None:
    leaves = [path.stem for path in modules().values() if path.stem != "__init__"]
    assert len(leaves) == len(set(leaves)), sorted(n for n in leaves if leaves.count(n) > 1)
