"""Name-matching quality: precision and recall of `name_similarity` at the configured
threshold on the labelled pairs in bench/data/name_pairs.csv (sources in
bench/make_name_pairs.py), beside plain rapidfuzz token_sort_ratio on lower-cased
anyascii names (the usual quick approach) at the same threshold, in the same run.

    .venv/bin/python bench/name_quality.py
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anyascii import anyascii  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from umis.people.normalize import name_similarity  # noqa: E402

THRESHOLD = float(os.environ.get("UMIS_NAME_MATCH_THRESHOLD", "85"))
DATA = ROOT / "bench" / "data" / "name_pairs.csv"


def pr(results: list[tuple[int, bool]]) -> dict[str, float]:
    tp = sum(1 for same, m in results if same and m)
    fp = sum(1 for same, m in results if not same and m)
    fn = sum(1 for same, m in results if same and not m)
    return {
        "precision": round(tp / max(1, tp + fp), 4),
        "recall": round(tp / max(1, tp + fn), 4),
        "true_pos": tp,
        "false_pos": fp,
        "false_neg": fn,
    }


def main() -> None:
    rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
    ours: list[tuple[int, bool]] = []
    base: list[tuple[int, bool]] = []
    per_cat: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    errors = []
    for r in rows:
        same = int(r["same"])
        s = name_similarity(r["a"], r["b"]).score
        m = s >= THRESHOLD
        ours.append((same, m))
        per_cat[r["category"]].append((same, m))
        b = fuzz.token_sort_ratio(anyascii(r["a"]).lower(), anyascii(r["b"]).lower())
        base.append((same, b >= THRESHOLD))
        if m != bool(same):
            errors.append({"a": r["a"], "b": r["b"], "same": same, "score": s})
    result = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "pairs": len(rows),
        "positives": sum(int(r["same"]) for r in rows),
        "threshold": THRESHOLD,
        "normaliser": pr(ours),
        "baseline_token_sort_ratio_anyascii": pr(base),
        "per_category": {
            k: {"pairs": len(v), **{x: y for x, y in pr(v).items() if x in {"recall", "false_pos"}}}
            for k, v in sorted(per_cat.items())
        },
        "errors": errors,
    }
    o = result["normaliser"]
    result["target_met"] = o["recall"] >= 0.97 and o["precision"] >= 0.95
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "name-quality.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
