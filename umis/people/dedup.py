"""Batch dedup of the person registry with Splink (DuckDB here; the same settings run on Spark).

Each record gets match features from the shared name normaliser — an order-free key of
phonetic skeletons (`name_key`), one blocking key per name token (`name_tokens`) and
the patronymic — so Hüseynov, HUSEYNOV, Guseinov and Гусейнов share keys and land in
one block. Splink then scores every blocked pair with a Fellegi–Sunter model (u from
random sampling, m by expectation maximisation) and pairs above the threshold become
merge proposals (`people.IdentityMatch`, source "dedup") for an officer to review.

Splink, DuckDB and pyarrow are imported only when a dedup runs, never on a web request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from umis.people.normalize import normalize_name, token_block_key

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pyarrow as pa

DEFAULT_THRESHOLD = 0.95


@dataclass(frozen=True)
class DedupRecord:
    unique_id: int
    surname: str
    given_names: str
    patronymic: str = ""
    birth_date: dt.date | None = None
    birth_year_only: bool = False
    sex: str = ""
    nationality: str = ""
    document: str = ""  # travel document number(s), "" when none is known


@dataclass(frozen=True)
class _Part:
    skeletons: tuple[str, ...]
    block_keys: tuple[str, ...]
    patronymic: tuple[str, ...]


def _part(text: str) -> _Part:
    n = normalize_name(text)
    return _Part(
        skeletons=tuple(t.skeleton for t in n.main),
        block_keys=tuple(token_block_key(t) for t in n.main),
        patronymic=tuple(t.skeleton for t in n.patronymic),
    )


def _parts(texts: list[str]) -> list[_Part]:
    return [_part(t) for t in texts]


def _normalise_all(texts: set[str], workers: int) -> dict[str, _Part]:
    """Every distinct name field normalised once, over `workers` processes for big batches."""
    ordered = sorted(texts)
    if workers <= 1 or len(ordered) < 50_000:
        return dict(zip(ordered, _parts(ordered), strict=True))
    import multiprocessing

    size = -(-len(ordered) // (workers * 8))
    chunks = [ordered[i : i + size] for i in range(0, len(ordered), size)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(_parts, chunks)
    return {
        t: p
        for chunk, parts in zip(chunks, results, strict=True)
        for t, p in zip(chunk, parts, strict=True)
    }


FEATURE_COLUMNS = (
    "unique_id",
    "name_key",
    "name_tokens",
    "patronymic_key",
    "birth_date",
    "birth_year",
    "birth_md",
    "year_only",
    "sex",
    "nationality",
    "document",
)


def dedup_features(records: Iterable[DedupRecord], *, workers: int = 1) -> pa.Table:
    """The records as a columnar table of match features (one row per record)."""
    import pyarrow as pa

    records = list(records)
    texts = {t for r in records for t in (r.surname, r.given_names, r.patronymic) if t}
    parts = _normalise_all(texts, workers)
    none = _Part((), (), ())
    cols: dict[str, list[Any]] = {c: [] for c in FEATURE_COLUMNS}
    for r in records:
        surname, given = parts.get(r.surname, none), parts.get(r.given_names, none)
        father = parts.get(r.patronymic) if r.patronymic else None
        skeletons = surname.skeletons + given.skeletons
        patronymic = (
            (father.skeletons + father.patronymic)
            if father
            else (surname.patronymic + given.patronymic)
        )
        cols["unique_id"].append(r.unique_id)
        cols["name_key"].append(" ".join(sorted(skeletons)) or None)
        cols["name_tokens"].append(sorted(set(surname.block_keys + given.block_keys)))
        cols["patronymic_key"].append(" ".join(patronymic) or None)
        cols["birth_date"].append(r.birth_date.isoformat() if r.birth_date else None)
        cols["birth_year"].append(r.birth_date.year if r.birth_date else None)
        cols["birth_md"].append(
            r.birth_date.strftime("%m-%d") if r.birth_date and not r.birth_year_only else None
        )
        cols["year_only"].append(bool(r.birth_year_only))
        cols["sex"].append(r.sex if r.sex in {"M", "F"} else None)
        cols["nationality"].append(r.nationality or None)
        cols["document"].append(r.document or None)
    schema = pa.schema(
        [
            ("unique_id", pa.int64()),
            ("name_key", pa.string()),
            ("name_tokens", pa.list_(pa.string())),
            ("patronymic_key", pa.string()),
            ("birth_date", pa.string()),
            ("birth_year", pa.int32()),
            ("birth_md", pa.string()),
            ("year_only", pa.bool_()),
            ("sex", pa.string()),
            ("nationality", pa.string()),
            ("document", pa.string()),
        ]
    )
    return pa.table(cols, schema=schema)


def _null(col: str) -> dict[str, Any]:
    return {
        "sql_condition": f'"{col}_l" IS NULL OR "{col}_r" IS NULL',
        "label_for_charts": "null",
        "is_null_level": True,
    }


def _else() -> dict[str, Any]:
    return {"sql_condition": "ELSE", "label_for_charts": "else"}


_DOB_SWAP = (
    "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)"
    " AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2)"
    " AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)"
)
_SHARED = "len(list_intersect(name_tokens_l, name_tokens_r))"

COMPARISONS: list[dict[str, Any]] = [
    {
        "output_column_name": "name",
        "comparison_levels": [
            _null("name_key"),
            {
                "sql_condition": "name_key_l = name_key_r",
                "label_for_charts": "same_keys",
                "tf_adjustment_column": "name_key",
                "tf_adjustment_weight": 1.0,
            },
            {
                "sql_condition": f"{_SHARED} >= 2"
                " OR jaro_winkler_similarity(name_key_l, name_key_r) >= 0.95",
                "label_for_charts": "tokens_agree",
            },
            {
                "sql_condition": "jaro_winkler_similarity(name_key_l, name_key_r) >= 0.88",
                "label_for_charts": "similar",
            },
            {
                "sql_condition": f"{_SHARED} >= 1"
                " AND jaro_winkler_similarity(name_key_l, name_key_r) >= 0.75",
                "label_for_charts": "one_token",
            },
            _else(),
        ],
    },
    {
        "output_column_name": "birth_date",
        "comparison_levels": [
            _null("birth_date"),
            {
                "sql_condition": "birth_date_l = birth_date_r AND NOT (year_only_l OR year_only_r)",
                "label_for_charts": "exact",
            },
            {
                "sql_condition": "(year_only_l OR year_only_r) AND birth_year_l = birth_year_r",
                "label_for_charts": "year_only_agrees",
            },
            {"sql_condition": _DOB_SWAP, "label_for_charts": "day_month_swapped"},
            {
                "sql_condition": "levenshtein(birth_date_l, birth_date_r) = 1",
                "label_for_charts": "one_digit",
            },
            {"sql_condition": "birth_year_l = birth_year_r", "label_for_charts": "same_year"},
            _else(),
        ],
    },
    {
        "output_column_name": "patronymic_key",
        "comparison_levels": [
            _null("patronymic_key"),
            {"sql_condition": "patronymic_key_l = patronymic_key_r", "label_for_charts": "exact"},
            {
                "sql_condition": "jaro_winkler_similarity(patronymic_key_l, patronymic_key_r) >= 0.9",
                "label_for_charts": "similar",
            },
            _else(),
        ],
    },
    {
        "output_column_name": "nationality",
        "comparison_levels": [
            _null("nationality"),
            {"sql_condition": "nationality_l = nationality_r", "label_for_charts": "exact"},
            _else(),
        ],
    },
    {
        "output_column_name": "sex",
        "comparison_levels": [
            _null("sex"),
            {"sql_condition": "sex_l = sex_r", "label_for_charts": "exact"},
            _else(),
        ],
    },
    {
        "output_column_name": "document",
        "comparison_levels": [
            _null("document"),
            {"sql_condition": "document_l = document_r", "label_for_charts": "exact"},
            _else(),
        ],
    },
]


# Starting values (m, u) per level, from a trained run on synthetic data: used as they
# are when the registry is too small to train on.
PRIORS: dict[str, list[tuple[float, float]]] = {
    "name": [(0.63, 3e-4), (0.28, 3e-4), (0.02, 2e-3), (0.06, 0.005), (0.01, 0.98)],
    "birth_date": [
        (0.75, 1e-4),
        (0.08, 1.4e-3),
        (0.03, 2e-5),
        (0.13, 1.6e-3),
        (0.002, 0.015),
        (0.006, 0.98),
    ],
    "patronymic_key": [(0.89, 0.015), (0.09, 0.0045), (0.02, 0.98)],
    "nationality": [(0.98, 0.2), (0.02, 0.8)],
    "sex": [(0.98, 0.5), (0.02, 0.5)],
    "document": [(0.56, 4e-5), (0.44, 0.99996)],
}


def _with_priors(comparisons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for c in comparisons:
        priors = iter(PRIORS[c["output_column_name"]])
        levels = []
        for level in c["comparison_levels"]:
            level = dict(level)
            if not level.get("is_null_level"):
                level["m_probability"], level["u_probability"] = next(priors)
            levels.append(level)
        out.append({**c, "comparison_levels": levels})
    return out


def dedup_settings(*, explain: bool = False) -> dict[str, Any]:
    """The Splink model: the same dict runs on DuckDB and on Spark. `explain` keeps the
    comparison levels of each pair (the reasons shown to officers)."""
    from splink import block_on

    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-6,
        "comparisons": _with_priors(COMPARISONS),
        # Records that share a name-token key and the date of birth; the same name
        # (keys) within a birth year, on the same day and month (a mistyped year) or
        # with a date missing; the same document.
        # Each rule is an equi-join, so the same rules run on Spark.
        "blocking_rules_to_generate_predictions": [
            block_on("name_tokens", "birth_date", arrays_to_explode=["name_tokens"]),
            block_on("name_key", "birth_year"),
            block_on("name_tokens", "birth_year"),
            block_on("name_tokens", "birth_md"),
            "l.name_key = r.name_key AND (l.birth_date IS NULL OR r.birth_date IS NULL)",
            block_on("document"),
        ],
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": explain,  # carries the comparison levels (gamma_*)
    }


def _level_labels() -> dict[str, list[str]]:
    """gamma value → label, per comparison (Splink numbers levels from the bottom, -1 = null)."""
    out: dict[str, list[str]] = {}
    for c in COMPARISONS:
        labels = [
            lvl["label_for_charts"]
            for lvl in c["comparison_levels"]
            if not lvl.get("is_null_level")
        ]
        out[c["output_column_name"]] = list(reversed(labels))
    return out


@dataclass(frozen=True)
class Proposal:
    id_l: int
    id_r: int
    probability: float
    reasons: tuple[str, ...]


TRAIN_MIN_RECORDS = 1000


def splink_train(linker: Any, records: int) -> None:
    """Estimate the model's parameters from the data itself (no labels needed); a registry
    too small to train on keeps the priors."""
    from splink import block_on

    if records < TRAIN_MIN_RECORDS:
        return
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name_key", "birth_date"), block_on("document")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    # Records sharing a passport number are nearly all one person: a clean sample for m.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("document"), max_pairs=1e6
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("name_key", "birth_year"), max_pairs=5e5
    )


def dedup_run(
    table: pa.Table,
    *,
    settings: dict[str, Any] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    connection: duckdb.DuckDBPyConnection | None = None,
    explain: bool = False,
) -> tuple[Any, Any]:
    """Train and predict on a feature table; returns (linker, predictions above threshold)."""
    import logging

    import duckdb
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.WARNING)
    con = connection or duckdb.connect()
    db_api = DuckDBAPI(con)
    sdf = db_api.register(table)
    settings = settings or dedup_settings(explain=explain)
    if table.num_rows < TRAIN_MIN_RECORDS:  # a small registry: priors, no name frequencies
        settings["probability_two_random_records_match"] = 1e-4
        settings["comparisons"] = [
            {
                **c,
                "comparison_levels": [
                    {k: v for k, v in level.items() if not k.startswith("tf_")}
                    for level in c["comparison_levels"]
                ],
            }
            for c in settings["comparisons"]
        ]
    linker = Linker(sdf, settings)
    splink_train(linker, table.num_rows)
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    return linker, predictions


def proposals_from(predictions: Any) -> Iterator[Proposal]:
    """Merge proposals from Splink's predictions, with a reason per comparison."""
    labels = _level_labels()
    table = predictions.as_pyarrow_table()
    columns = {n: table.column(f"gamma_{n}").to_pylist() for n in labels}
    ids_l = table.column("unique_id_l").to_pylist()
    ids_r = table.column("unique_id_r").to_pylist()
    probabilities = table.column("match_probability").to_pylist()
    for i, (left, right, probability) in enumerate(zip(ids_l, ids_r, probabilities, strict=True)):
        reasons = []
        for name, levels in labels.items():
            gamma = columns[name][i]
            if gamma is not None and gamma >= 0:
                reasons.append(f"{name}:{levels[gamma]}")
        yield Proposal(int(left), int(right), float(probability), tuple(reasons))


def registry_records() -> Iterator[DedupRecord]:
    """Every person still standing on their own (not merged), with their latest document."""
    from django.db.models import OuterRef, Subquery

    from umis.people.models import Person, TravelDocument

    latest = TravelDocument.objects.filter(person=OuterRef("pk")).order_by("-created_at", "-id")
    rows = (
        Person.objects.filter(merged_into__isnull=True)
        .annotate(document=Subquery(latest.values("number")[:1]))
        .order_by("id")
        .values_list(
            "id",
            "surname",
            "given_names",
            "patronymic",
            "birth_date",
            "birth_year_only",
            "sex",
            "nationality_id",
            "document",
        )
    )
    for (
        pk,
        surname,
        given,
        patronymic,
        birth,
        year_only,
        sex,
        nationality,
        document,
    ) in rows.iterator(chunk_size=10_000):
        yield DedupRecord(
            unique_id=pk,
            surname=surname,
            given_names=given,
            patronymic=patronymic,
            birth_date=birth,
            birth_year_only=year_only,
            sex=sex,
            nationality=nationality,
            document=document or "",
        )


def registry_proposals(*, threshold: float = DEFAULT_THRESHOLD, workers: int = 1) -> list[Proposal]:
    """Run the dedup over the whole registry and return the pairs above the threshold."""
    records = list(registry_records())
    if len(records) < 2:
        return []
    table = dedup_features(records, workers=workers)
    _linker, predictions = dedup_run(table, threshold=threshold, explain=True)
    return list(proposals_from(predictions))
