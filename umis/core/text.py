"""Text that the database can hold.

PostgreSQL refuses a NUL character in text and JSON, and no database driver encodes a
lone surrogate (valid in JSON as an escape, not in UTF-8). A value holding either was
never stored, so a lookup by it finds nothing, and must not be sent to the database.
"""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str) -> bool:
    """Whether the database can hold this text (no NUL, no lone surrogate)."""
    return _UNSTORABLE.search(value) is None
