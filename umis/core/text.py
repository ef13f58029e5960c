"""Text that the database can hold.

PostgreSQL refuses a NUL character in text and JSON, and no database driver encodes a
lone surrogate (valid in JSON as an escape, not in UTF-8). A value holding either was
never stored, so a lookup by it finds nothing, and must not be sent to the database.
"""

from __future__ import annotations

import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str) -> bool:
    """Whether the database can hold this text (no NUL, no lone surrogate)."""
    return _UNSTORABLE.search(value) is None


def unstorable_path(value: Any, path: tuple[str, ...] = ()) -> str | None:
    """Where in a decoded JSON value (or form data) the first text the database cannot hold
    sits, as a dotted path (`applicants.0.surname`); None when there is none."""
    if isinstance(value, str):
        return ".".join(path) or "body" if not storable(value) else None
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, str) and not storable(key):
                return ".".join((*path, "?")) if path else "body"
            found = unstorable_path(child, (*path, str(key)))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found = unstorable_path(child, (*path, str(index)))
            if found is not None:
                return found
    return None
