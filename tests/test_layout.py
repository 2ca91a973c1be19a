"""The layout the README's table describes: four parts, imports one way, short modules.

Data flows notes -> knowledge -> grading -> interview -> web. Read from the source (ast), so a
late import inside a function counts as much as one at the top.
"""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("knowledge", "interviewer")
MAX_LINES = 250
WEB, TOOLS, GRADING = "interviewer.web", "interviewer.tools", "interviewer.grading"


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(p for p in parts if p != "__init__")] = path
    return out


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return {name for name in found if name.split(".")[0] in PACKAGES}


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_four_parts_exist() -> None:
    found = modules()
    for part in ("knowledge.kb", "knowledge.ingest", "interviewer.engine", GRADING + ".scoring", WEB + ".ui"):
        assert part in found, part


@pytest.mark.parametrize("name", sorted(modules()))
def test_imports_flow_one_way(name: str) -> None:
    used = imports(modules()[name])
    if under(name, "knowledge"):
        assert not {u for u in used if under(u, "interviewer")}, "knowledge/ never imports interviewer/"
    if under(name, GRADING):
        interview = {u for u in used if under(u, "interviewer") and not under(u, GRADING)}
        # the LLM judge is graded through the same chat backends and prompts as the interview
        allowed = ("interviewer.chat", "interviewer.prompts")
        assert {u for u in interview if not any(under(u, a) for a in allowed)} == set()
    if not under(name, WEB) and not under(name, TOOLS):
        assert not {u for u in used if under(u, WEB)}, "only the web part and the tools import the web part"
    if not under(name, TOOLS):
        assert not {u for u in used if under(u, TOOLS)}, "below app.py, nothing imports the developer tools"


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from interviewer.tools import bench\n    import interviewer.web.ui\n")
    assert imports(bad) == {"interviewer.tools", "interviewer.tools.bench", "interviewer.web.ui"}


@pytest.mark.parametrize("name", sorted(modules()) + ["app"])
def test_modules_are_short_or_say_why(name: str) -> None:
    path = ROOT / "app.py" if name == "app" else modules()[name]
    lines = len(path.read_text(encoding="utf-8").splitlines())
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert lines <= MAX_LINES or "Longer than" in docstring, f"{lines} lines and no reason given"


def test_no_two_modules_share_a_name() -> None:
    leaves = [path.stem for path in modules().values() if path.stem != "__init__"]
    assert len(leaves) == len(set(leaves)), sorted(n for n in leaves if leaves.count(n) > 1)
