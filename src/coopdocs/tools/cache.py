"""Keys of the build's caches: a digest of everything a cached file is made of.
"""

from __future__ import annotations

from pathlib import Path

def cache_key(library: str, code: Path, *parts: str) -> str:
    """Digest of what a cached file is made of: its inputs, the code that makes it, the library version."""
    import hashlib
    import importlib.metadata

    key = hashlib.sha256()
    for part in (*parts, importlib.metadata.version(library)):
        key.update(part.encode("utf-8") + b"\0")
    key.update(code.read_bytes())
    return key.hexdigest()[:32]
