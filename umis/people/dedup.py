"""Batch dedup of the person registry with Splink (DuckDB here; Splink translates the SQL for Spark).

Each record gets match features from the shared name normaliser — an order-free key of
phonetic skeletons (`name_key`), one consonant key per name token (`name_tokens`, also
exploded for blocking), the skeletons themselves (`name_parts`) and the patronymic — so
Hüseynov, HUSEYNOV, Guseinov and Гусейнов share keys and land in one block. Splink then
scores every blocked pair with a Fellegi–Sunter model: the prior from deterministic rules,
u from random sampling, m by expectation maximisation, name and patronymic frequencies
counted per person (distinct name and date of birth) rather than per record, the rare ones
smoothed (Good-Turing). Names are
compared token by token (same keys, same consonant keys, every token close by
Jaro-Winkler on consonant keys or skeletons, one token shared); nationality and sex count
only when they disagree (a name already implies them).

The match probability is then a posterior, so 0.5 is the decision point (the same rule
for the registry and the FEBRL smoke test). Records are grouped by signed clustering
(`cluster_signed`: each pair weighs its log-odds above that point, positive or negative),
so a chain of look-alikes is cut where its ends clearly differ; the pairs at or above
the threshold that stay in one group become merge proposals (`people.IdentityMatch`,
source "dedup") for an officer to review.

Splink, DuckDB and pyarrow are imported only when a dedup runs, never on a web request.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from umis.people.normalize import normalize_name, token_block_key

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pyarrow as pa

# Merge when a pair (and its cluster) is more likely one person than two: the model's match
# probability is a posterior (the prior comes from the data), so 0.5 is its decision point,
# the same rule for the registry and for FEBRL.
DEFAULT_THRESHOLD = 0.5


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


# At most this share of the people (distinct name key and date of birth) bear a "rare" name.
# Without a date of birth, a pair with a more common name stays below the decision point
# unless a patronymic or a document backs it (the prior is below 1e-5 at registry sizes,
# so the name alone would need a share of about that), so such pairs are not compared.
RARE_NAME_SHARE = 3e-4

FEATURE_COLUMNS = (
    "unique_id",
    "name_key",
    "name_tokens",
    "name_cons",
    "name_parts",
    "patronymic_key",
    "birth_date",
    "birth_year",
    "birth_md",
    "year_only",
    "sex",
    "nationality",
    "document",
    "rare_key",
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
        tokens = sorted(set(surname.block_keys + given.block_keys))
        cols["name_tokens"].append(tokens)
        cols["name_cons"].append(" ".join(tokens) or None)
        cols["name_parts"].append(sorted(skeletons))
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
    # A name borne by many people cannot decide a pair whose date of birth is missing, so
    # only rare names are compared without a date (common ones need the patronymic).
    dates: dict[str, set[str]] = {}
    for k, d in zip(cols["name_key"], cols["birth_date"], strict=True):
        if k:
            dates.setdefault(k, set()).add(d)
    people = {k: len(ds - {None}) or 1 for k, ds in dates.items()}
    total = sum(people.values()) or 1
    cols["rare_key"] = [
        k if k and people[k] / total <= RARE_NAME_SHARE else None for k in cols["name_key"]
    ]
    schema = pa.schema(
        [
            ("unique_id", pa.int64()),
            ("name_key", pa.string()),
            ("name_tokens", pa.list_(pa.string())),
            ("name_cons", pa.string()),
            ("name_parts", pa.list_(pa.string())),
            ("patronymic_key", pa.string()),
            ("birth_date", pa.string()),
            ("birth_year", pa.int32()),
            ("birth_md", pa.string()),
            ("year_only", pa.bool_()),
            ("sex", pa.string()),
            ("nationality", pa.string()),
            ("document", pa.string()),
            ("rare_key", pa.string()),
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


def _closest(a: str, b: str) -> str:
    """The weakest of the best matches of each token of `a` among the tokens of `b`."""
    return (
        f"list_min(list_transform({a}, lambda x: list_max(list_transform({b},"
        " lambda y: jaro_winkler_similarity(x, y)))))"
    )


def _all_close(column: str) -> str:
    return (
        f"least({_closest(column + '_l', column + '_r')}, {_closest(column + '_r', column + '_l')})"
    )


# Every token of either name has a close partner in the other: by consonant keys (what
# Arabic-script spellings and their readings share) or by skeletons (a typo in a short
# name: Muñoz/Muoz).
_TOKENS_CLOSE = f"greatest({_all_close('name_tokens')}, {_all_close('name_parts')})"

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
                "sql_condition": "name_cons_l = name_cons_r",
                "label_for_charts": "same_consonants",
                "tf_adjustment_column": "name_cons",
                "tf_adjustment_weight": 1.0,
            },
            {"sql_condition": f"{_SHARED} >= 2", "label_for_charts": "tokens_agree"},
            {"sql_condition": f"{_TOKENS_CLOSE} >= 0.9", "label_for_charts": "tokens_close"},
            {"sql_condition": f"{_TOKENS_CLOSE} >= 0.8", "label_for_charts": "similar"},
            {
                "sql_condition": f"{_SHARED} >= 1 AND {_TOKENS_CLOSE} >= 0.7",
                "label_for_charts": "one_token_close",
            },
            {"sql_condition": f"{_SHARED} >= 1", "label_for_charts": "one_token"},
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
                "sql_condition": "birth_year_l = birth_year_r"
                " AND levenshtein(birth_date_l, birth_date_r) = 1",
                "label_for_charts": "one_digit_day_month",
            },
            {
                "sql_condition": "levenshtein(birth_date_l, birth_date_r) = 1",
                "label_for_charts": "one_digit_year",
            },
            {"sql_condition": "birth_year_l = birth_year_r", "label_for_charts": "same_year"},
            _else(),
        ],
    },
    {
        "output_column_name": "patronymic_key",
        "comparison_levels": [
            _null("patronymic_key"),
            {
                "sql_condition": "patronymic_key_l = patronymic_key_r",
                "label_for_charts": "exact",
                "tf_adjustment_column": "patronymic_key",
                "tf_adjustment_weight": 1.0,
            },
            {
                "sql_condition": "jaro_winkler_similarity(patronymic_key_l, patronymic_key_r) >= 0.9",
                "label_for_charts": "similar",
            },
            _else(),
        ],
    },
    # Nationality and sex follow from the name (people who share a name share them), so
    # their agreement adds no evidence beyond the name's: only a disagreement counts.
    {
        "output_column_name": "nationality",
        "comparison_levels": [
            _null("nationality"),
            {
                "sql_condition": "nationality_l = nationality_r",
                "label_for_charts": "exact",
                "fix_m_probability": True,
                "fix_u_probability": True,
            },
            _else(),
        ],
    },
    {
        "output_column_name": "sex",
        "comparison_levels": [
            _null("sex"),
            {
                "sql_condition": "sex_l = sex_r",
                "label_for_charts": "exact",
                "fix_m_probability": True,
                "fix_u_probability": True,
            },
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
    "name": [
        (0.63, 3e-4),
        (0.1, 3e-4),
        (0.16, 5e-4),
        (0.03, 1e-3),
        (0.02, 2e-3),
        (0.02, 5e-3),
        (0.02, 0.02),
        (0.02, 0.98),
    ],
    "birth_date": [
        (0.75, 1e-4),
        (0.08, 1.4e-3),
        (0.03, 2e-5),
        (0.09, 2e-4),
        (0.04, 1e-3),
        (0.002, 0.015),
        (0.006, 0.98),
    ],
    "patronymic_key": [(0.89, 0.015), (0.09, 0.0045), (0.02, 0.98)],
    "nationality": [(0.5, 0.5), (0.02, 0.8)],
    "sex": [(0.5, 0.5), (0.02, 0.5)],
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
        # with a date missing (a rare name, or the same patronymic); the same document.
        # Each rule is an equi-join, so the same rules run on Spark.
        "blocking_rules_to_generate_predictions": [
            block_on("name_tokens", "birth_date", arrays_to_explode=["name_tokens"]),
            block_on("name_key", "birth_year"),
            block_on("name_tokens", "birth_year"),
            block_on("name_tokens", "birth_md"),
            "l.rare_key = r.rare_key AND (l.birth_date IS NULL OR r.birth_date IS NULL)",
            "l.name_key = r.name_key AND l.patronymic_key = r.patronymic_key"
            " AND (l.birth_date IS NULL OR r.birth_date IS NULL)",
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
# Random pairs sampled to estimate u (how often different people agree at each level).
U_SAMPLE_PAIRS = 1e6


def estimate_prior(linker: Any) -> None:
    """The prior (how many of all pairs are one person) from the data, so that the match
    probability is a posterior and 0.5 its decision point: records that share the name key
    and the date of birth, or the document, taken as about 70 % of the duplicates."""
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("name_key", "birth_date"), block_on("document")], recall=0.7
    )


def splink_train(linker: Any, records: int) -> None:
    """Estimate the model's parameters from the data itself (no labels needed); a registry
    too small to train on keeps the priors."""
    from splink import block_on

    if records < TRAIN_MIN_RECORDS:
        return
    estimate_prior(linker)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=1)
    # Records sharing a passport number are nearly all one person: a clean sample for m.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("document"), max_pairs=1e6
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("name_key", "birth_year"), max_pairs=5e5
    )


TF_COLUMNS = ("name_key", "name_cons", "patronymic_key")
# Frequencies up to this count of people are smoothed (Good-Turing), above it as counted.
GOOD_TURING_MAX = 5


def register_name_frequencies(linker: Any, db_api: Any, table: str) -> None:
    """How common each name is, counted over distinct people rather than records.

    Splink would count records, so a rare name whose bearer has four records looks four
    times as common as it is, and exactly the duplicates we look for weaken their own
    evidence. One (name, date of birth) is taken as one person: a person's duplicates
    mostly share the date, different people sharing a name mostly do not. A record with
    no date adds no one (its bearer is most likely among those with a date)."""
    for column in TF_COLUMNS:
        frame = db_api.duckdb_con.sql(
            f"""
            WITH people AS (
                SELECT "{column}", greatest(count(DISTINCT birth_date), 1) AS n
                FROM {table} WHERE "{column}" IS NOT NULL GROUP BY "{column}"
            ),
            counts AS (SELECT n, count(*) AS names FROM people GROUP BY n),
            -- Good-Turing: a name seen with r people is expected (r + 1) N(r+1) / N(r)
            -- times, N(r) being how many names are seen with r people.
            smoothed AS (
                SELECT c.n, least(c.n, (c.n + 1) * coalesce(d.names, 0) / c.names) AS r
                FROM counts c LEFT JOIN counts d ON d.n = c.n + 1
                WHERE c.n <= {GOOD_TURING_MAX}
            )
            SELECT "{column}",
                   greatest(coalesce(s.r, p.n), 0.1) / (SELECT sum(n) FROM people)
                       AS "tf_{column}"
            FROM people p LEFT JOIN smoothed s USING (n)
            """  # noqa: S608 (our own table and column names)
        ).to_arrow_table()
        linker.table_management.register_term_frequency_lookup(db_api.register(frame), column)


def dedup_run(
    table: pa.Table,
    *,
    settings: dict[str, Any] | None = None,
    threshold: float | None = DEFAULT_THRESHOLD,
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
    if table.num_rows >= TRAIN_MIN_RECORDS:
        register_name_frequencies(linker, db_api, sdf.physical_name)
    splink_train(linker, table.num_rows)
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    return linker, predictions


def decision_weight(threshold: float) -> float:
    """The match weight (log2 posterior odds) of a match probability."""
    if not 0 < threshold < 1:
        raise ValueError("threshold must be between 0 and 1")
    return math.log2(threshold / (1 - threshold))


def cluster_signed(edges: Iterable[tuple[int, int, float]]) -> dict[int, int]:
    """Group records so that every group is more likely one person than not, as a whole.

    `edges` are (record, record, signed weight): the pair's match weight less the decision
    weight, so positive means "more likely the same person than the threshold asks",
    negative "more likely different". Greedy additive edge contraction (the standard
    heuristic for correlation clustering / multicut): repeatedly join the two groups whose
    pairs add up to the largest positive weight; stop when no join adds up positive.
    Unlike connected components, two strong links A~B and B~C do not pull A and C into one
    person when A and C clearly differ (their negative weight counts against the join).
    Returns record -> group id (the group's smallest record id) for records in groups of two
    or more."""
    adjacency: dict[int, dict[int, float]] = {}
    for a, b, w in edges:
        if a == b:
            continue
        adjacency.setdefault(a, {})[b] = adjacency.get(a, {}).get(b, 0.0) + w
        adjacency.setdefault(b, {})[a] = adjacency[a][b]
    heap = [(-w, a, b) for a, nbrs in adjacency.items() for b, w in nbrs.items() if a < b and w > 0]
    heapq.heapify(heap)
    parent: dict[int, int] = {}
    while heap:
        neg, a, b = heapq.heappop(heap)
        if a in parent or b in parent or adjacency[a].get(b) != -neg:
            continue  # stale: one side was joined elsewhere, or the weight has changed
        if len(adjacency[a]) < len(adjacency[b]):
            a, b = b, a
        parent[b] = a
        joined = adjacency.pop(b)
        del adjacency[a][b]
        for y, w in joined.items():
            if y == a:
                continue
            del adjacency[y][b]
            total = adjacency[a].get(y, 0.0) + w
            adjacency[a][y] = adjacency[y][a] = total
            if total > 0:
                heapq.heappush(heap, (-total, min(a, y), max(a, y)))

    def root(v: int) -> int:
        while v in parent:
            v = parent[v]
        return v

    members: dict[int, list[int]] = {}
    for v in {*parent, *parent.values()}:
        members.setdefault(root(v), []).append(v)
    return {v: min(group) for group in members.values() for v in group}


def dedup_clusters(linker: Any, predictions: Any, *, threshold: float) -> dict[int, int]:
    """Records -> cluster id from the scored pairs (all blocked pairs, not only those above
    the threshold: the negative ones are what stops a chain).

    Pairs above the threshold first make connected groups; a group of two is one person;
    a bigger group is split by `cluster_signed` on every scored pair inside it."""
    con = linker._db_api.duckdb_con  # noqa: SLF001
    cut = decision_weight(threshold)
    parent: dict[int, int] = {}

    def find(v: int) -> int:
        root = v
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(v, v) != root:
            parent[v], v = root, parent[v]
        return root

    table = predictions.physical_name
    positive = con.sql(
        f"SELECT unique_id_l, unique_id_r FROM {table} WHERE match_weight > {cut}"  # noqa: S608
    ).fetchall()
    for a, b in positive:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for v in {x for pair in positive for x in pair}:
        groups.setdefault(find(v), []).append(v)
    clusters: dict[int, int] = {}
    big: list[tuple[int, int]] = []
    for root, group in groups.items():
        if len(group) == 2:
            clusters.update((v, min(group)) for v in group)
        else:
            big.extend((v, root) for v in group)
    if big:
        import pyarrow as pa

        con.register(
            "__umis_dedup_groups",
            pa.table({"uid": [v for v, _ in big], "grp": [g for _, g in big]}),
        )
        inside = con.sql(
            f"""
            SELECT gl.grp, p.unique_id_l, p.unique_id_r, p.match_weight - {cut}
            FROM {predictions.physical_name} p
            JOIN __umis_dedup_groups gl ON gl.uid = p.unique_id_l
            JOIN __umis_dedup_groups gr ON gr.uid = p.unique_id_r AND gr.grp = gl.grp
            ORDER BY gl.grp
            """  # noqa: S608
        ).fetchall()
        con.unregister("__umis_dedup_groups")
        start = 0
        for end in range(1, len(inside) + 1):
            if end == len(inside) or inside[end][0] != inside[start][0]:
                clusters.update(cluster_signed((a, b, w) for _, a, b, w in inside[start:end]))
                start = end
    return clusters


def proposals_from(predictions: Any) -> Iterator[Proposal]:
    """Merge proposals from Splink's predictions, with a reason per comparison."""
    labels = _level_labels()
    table = predictions if hasattr(predictions, "column") else predictions.as_pyarrow_table()
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
    """Run the dedup over the whole registry and return the pairs to merge: above the
    threshold and kept together by the clustering (a chain is not proposed whole)."""
    records = list(registry_records())
    if len(records) < 2:
        return []
    table = dedup_features(records, workers=workers)
    linker, predictions = dedup_run(table, threshold=None, explain=True)
    clusters = dedup_clusters(linker, predictions, threshold=threshold)
    cut = decision_weight(threshold)
    kept = linker._db_api.duckdb_con.sql(  # noqa: SLF001
        f"SELECT * FROM {predictions.physical_name} WHERE match_weight >= {cut}"  # noqa: S608
    )
    return [
        p
        for p in proposals_from(kept.to_arrow_table())
        if p.id_l in clusters and clusters[p.id_l] == clusters.get(p.id_r)
    ]
