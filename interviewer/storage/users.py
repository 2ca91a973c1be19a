"""Who is practising: one local user, a login checked against a file of hashed passwords, or
the name a trusted reverse proxy puts in a header (single sign-on).

The file holds one line per user, `name:scrypt:n:r:p:salt:hash` (hex), made with the standard
library's hashlib.scrypt and a fresh salt per user; nothing else is kept. It is read at each
login, so a user added while the app runs can log in at once.
"""

import hashlib
import hmac
import os
import re
from pathlib import Path

from interviewer.storage.session import LOCAL

N, R, P = 2**14, 8, 1  # scrypt's cost: ~16 MB and a few tens of ms per login, per the stdlib's docs
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


class UserError(ValueError):
    """A name or password that can't be used; str(e) says why."""


def check_name(name: str) -> str:
    """The name as it will be stored; UserError if it can't be one."""
    if not NAME.fullmatch(name):
        raise UserError(
            f"{name!r} can't be a user name: 1-64 letters, digits, '.', '_', '@' or '-', starting "
            "with a letter or digit"
        )
    if name == LOCAL:
        raise UserError(f"{LOCAL!r} is the name of the one user of a coach run without logins")
    return name


def add(path: Path, name: str, password: str) -> None:
    """Adds a user, or sets a user's new password; the file is replaced whole (atomically)."""
    check_name(name)
    if len(password) < 8:
        raise UserError("a password has at least 8 characters")
    salt = os.urandom(16)
    line = f"{name}:scrypt:{N}:{R}:{P}:{salt.hex()}:{_hash(password, salt, N, R, P).hex()}"
    _write(path, [row for row in _lines(path) if row.split(":", 1)[0] != name] + [line])


def remove(path: Path, name: str) -> bool:
    lines = _lines(path)
    kept = [row for row in lines if row.split(":", 1)[0] != name]
    if len(kept) == len(lines):
        return False
    _write(path, kept)
    return True


def names(path: Path) -> list[str]:
    return [row.split(":", 1)[0] for row in _lines(path)]


def verify(path: Path, name: str, password: str) -> bool:
    """Whether the password is the user's. The same work is done for a name that isn't there,
    so how long a login takes says nothing about who has an account."""
    row = next((r for r in _lines(path) if r.split(":", 1)[0] == name), None)
    try:
        _, kind, n, r, p, salt, digest = (row or f"-:scrypt:{N}:{R}:{P}:{'00' * 16}:").split(":")
        given = _hash(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:  # a line we did not write: no login with it
        return False
    return row is not None and kind == "scrypt" and hmac.compare_digest(given.hex(), digest)


def from_header(value: str | None) -> str | None:
    """The user a trusted proxy's header names, or None (no login) for none or a bad name."""
    try:
        return check_name((value or "").strip())
    except UserError:
        return None


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 2**20, dklen=32)


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [row.strip() for row in path.read_text(encoding="utf-8").splitlines() if row.strip()]


def _write(path: Path, rows: list[str]) -> None:
    """The whole file, replaced atomically, readable by its owner only (hashes, but nobody's business)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("".join(f"{row}\n" for row in rows))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
