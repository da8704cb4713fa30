"""The build's caches: one verified, content-addressed store used by all of them.

These caches keep work between jobs and builds (their folders are coopdocs.layout's ``*_CACHE``):
compiled Jinja templates (``build/cache/jinja``); the sections and the last AST of the long
documents, already read by pandoc (``build/cache/sections``); the workbooks and overview figures
of the tables stage (``build/cache/tables``); the configurations that passed the schema
(``build/cache/config``); the manifest's file hashes (``build/cache/hashes``); the collation keys
of the prepare and tables jobs (``build/cache/collation``); and a publish job's start-up values
(``build/cache/kept``, coopdocs.load.kept). The sections, tables, hashes and collation caches
keep only their last run's entries (:meth:`Store.keep_only`, :meth:`Store.keep_files`); the jinja,
config and kept caches hold one small entry per template, configuration or library version and
are not pruned (``build/cache/kept``: ~2 KB a version). A
cache may only ever make a build faster, never change what it produces. So every cache goes
through :class:`Store`:

* **Content-addressed.** An entry's key is a digest (:func:`digest`) of everything the entry is
  made of: its inputs, the code that makes it and the versions of the libraries and tools it
  uses. Changed inputs give another key, so a stale entry is never found.
* **Verified on every read.** An entry is one file: a header line (format, key, length and an
  HMAC-SHA256 over key and content) and the content. :meth:`Store.get` returns the content only
  when all of them match; an entry that was truncated, edited, swapped with another one (it names
  a different key) or written by someone without the key is a miss: it is removed, reported once
  on stderr, and the caller makes the file again, byte for byte what it would be without a cache.
  Nothing stored is interpreted (unpickled, unmarshalled, parsed) before it passed this check: a
  forged Jinja entry never runs as code.
* **Keyed.** The HMAC key is the user's, not the project's: a random secret in
  ``$XDG_CONFIG_HOME/coopdocs/cache-key`` (``~/.config`` by default; ``COOPDOCS_CACHE_KEY_FILE``
  names another file), created on first use, readable only by its owner. A ``build/`` folder
  copied from elsewhere (another user, a restored CI cache, an archive) is then simply cold. When
  no such file can be kept, a key for this process alone is used and the caches only serve
  within it (slower, never wrong).
* **Never an error.** A cache that cannot be read or written costs time, not a failed build.

Deleting ``build/cache`` is always safe.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

FORMAT = b"coopdocs-cache/1"
KEY_BYTES = 32
_HEADER_MAX = 256

_secret: bytes | None = None
_reported: set[str] = set()


@functools.cache
def _listing(folder: str) -> tuple[str, ...]:
    try:
        return tuple(os.listdir(folder or "."))
    except OSError:
        return ()


@functools.cache
def library_version(name: str) -> str | None:
    """The installed version of the distribution ``name``; None when it is not installed.

    Read from the name of its ``<name>-<version>.dist-info`` folder, the first on ``sys.path``
    (as importlib.metadata finds it); importlib.metadata itself only when there is none: its
    import and search cost a brief's job ~20 ms and the tables job ~50 ms, only to key a cache.

    >>> library_version("jinja2") == __import__("importlib.metadata").metadata.version("jinja2")
    True
    """
    wanted = _normalised(name)
    for folder in sys.path:
        for entry in _listing(folder):
            dist, sep, version = entry.removesuffix(".dist-info").partition("-")
            if entry.endswith(".dist-info") and sep and _normalised(dist) == wanted:
                return version
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _version(name: str) -> str:
    return f"{name}=={library_version(name) or '?'}"


def _normalised(name: str) -> str:
    """A distribution's name as its folder spells it, in lower case (the wheel format's rule)."""
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _code(path: Path) -> bytes:
    return path.read_bytes()


def digest(*parts: str | bytes, code: Iterable[Path] = (), libraries: Iterable[str] = ()) -> str:
    """The key of an entry: SHA-256 of ``parts``, the bytes of the ``code`` files and the versions of ``libraries``.

    Every part is length-prefixed, so no two different lists of parts give the same digest.
    """
    key = hashlib.sha256()

    def add(value: str | bytes) -> None:
        data = value.encode("utf-8") if isinstance(value, str) else value
        key.update(len(data).to_bytes(8, "big") + data)

    for part in parts:
        add(part)
    for name in libraries:
        add(_version(name))
    add(f"python {sys.version_info[0]}.{sys.version_info[1]}")
    for path in code:
        add(_code(Path(path).resolve()))
    return key.hexdigest()


def cache_key(library: str, code: Path, *parts: str) -> str:
    """Digest of what a cached file is made of: its inputs, the code that makes it, the library version."""
    return digest(*parts, code=[code], libraries=[library])


def _key_file() -> Path:
    named = os.environ.get("COOPDOCS_CACHE_KEY_FILE")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "coopdocs" / "cache-key"


def secret() -> bytes:
    """The HMAC key of the caches (see the module docstring); made once, kept in the user's config."""
    global _secret
    if _secret is not None:
        return _secret
    path = _key_file()
    try:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            # Written whole to a temporary file, then linked into place: a job starting at the same
            # moment finds no key or a complete one, never a half-written one.
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(os.urandom(KEY_BYTES))
                with contextlib.suppress(FileExistsError):  # another job made it first: use theirs
                    os.link(tmp, path)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            data = path.read_bytes()
        if len(data) < KEY_BYTES:
            raise OSError(f"{path}: shorter than {KEY_BYTES} bytes (remove it to make a new one)")
        _secret = data
    except OSError as exc:
        _report("key", f"coopdocs: cache key unavailable ({exc}); caches serve this process only")
        _secret = os.urandom(KEY_BYTES)
    return _secret


def _report(what: str, message: str) -> None:
    """Print ``message`` on stderr once per process for ``what``."""
    if what not in _reported:
        _reported.add(what)
        print(message, file=sys.stderr)


def _mac(key: str, content: bytes) -> str:
    return hmac.new(secret(), key.encode("ascii") + b"\0" + content, hashlib.sha256).hexdigest()


class Store:
    """A folder of verified entries, one file each: ``<key><suffix>`` (see the module docstring)."""

    def __init__(self, folder: Path, suffix: str = ".entry"):
        self.folder = Path(folder)
        self.suffix = suffix

    def path(self, key: str) -> Path:
        if not key or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.folder / f"{key}{self.suffix}"

    def get(self, key: str) -> bytes | None:
        """The content stored under ``key``, verified; None when it is absent or does not verify."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._reject(path, f"unreadable ({exc.strerror or exc})")
            return None
        head, sep, content = data.partition(b"\n")
        fields = head.split(b" ") if sep and len(head) <= _HEADER_MAX else []
        if len(fields) != 4 or fields[0] != FORMAT:
            self._reject(path, "not a cache entry of this format")
            return None
        stored_key, length, mac = (
            fields[1].decode("ascii", "replace"),
            fields[2],
            fields[3].decode("ascii", "replace"),
        )
        if stored_key != key:
            self._reject(path, "it holds another entry")
            return None
        if not length.isdigit() or int(length) != len(content):
            self._reject(path, "truncated or extended")
            return None
        if not hmac.compare_digest(mac, _mac(key, content)):
            self._reject(path, "its content does not match its hash")
            return None
        return content

    def put(self, key: str, content: bytes) -> None:
        """Store ``content`` under ``key`` atomically; a failure to write only costs the entry."""
        path = self.path(key)
        header = b" ".join(
            [
                FORMAT,
                key.encode("ascii"),
                str(len(content)).encode("ascii"),
                _mac(key, content).encode("ascii"),
            ]
        )
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(header + b"\n" + content)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
            tmp = None
        except OSError as exc:
            _report(
                f"write {self.folder}",
                f"coopdocs: cache {self.folder}: not written ({exc}); the build goes on",
            )
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove every entry (and every leftover file) of the folder but those of ``keys``."""
        self.keep_files(self.path(k) for k in keys)

    def keep_files(self, paths: Iterable[Path]) -> None:
        """Remove every file of the folder but ``paths`` (entries of this or another store that
        shares the folder, as the tables stage's workbooks and figures do)."""
        keep = {Path(p).name for p in paths}
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.folder):
                if entry.name not in keep and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def _reject(self, path: Path, why: str) -> None:
        """A damaged or foreign entry: a miss, reported once, removed so that it is made again."""
        _report(str(path), f"coopdocs: cache entry {path} ignored: {why}; made again")
        with contextlib.suppress(OSError):
            path.unlink()
