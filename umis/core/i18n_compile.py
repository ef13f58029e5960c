"""Compile locale/*/LC_MESSAGES/django.po to .mo with polib, so installing needs no gettext tools."""

from __future__ import annotations

import sys
from pathlib import Path

import polib


def main(root: str = "locale") -> int:
    count = 0
    for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    print(f"compiled {count} message catalogues")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
