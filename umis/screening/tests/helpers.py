"""Helpers shared by the watchlist command's tests."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def import_refused(path: Path, *, list_code: str = "bans") -> str:
    """What `umis watchlist import` wrote on stderr for a file it refused as a whole
    (nothing imported), in English."""
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command(
            "watchlist",
            "import",
            str(path),
            "--list",
            list_code,
            "--quiet",
            "--language",
            "en",
            stdout=io.StringIO(),
            stderr=err,
        )
    return err.getvalue()
