"""Set-based inserts for the bulk paths (1,000 registrations in one request).

`bulk_insert` stores model instances the way `bulk_create` does — primary keys set on
the objects, defaults and auto_now applied, foreign keys taken from related objects saved
just before — but without Django compiling SQL for every value: on PostgreSQL a few rows
go in with one prepared `INSERT … RETURNING` each, many rows get their ids from the
table's sequence in one query and go in through `COPY`. SQLite (the embedded demo
database) keeps `bulk_create`. See docs/adr/0004-bulk-inserts.md.

It skips what `bulk_create` would skip too (save(), signals) and nothing else the
project relies on; constraints are the database's, so a violation still aborts the
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connections, models, router

_FEW = 8  # up to this many rows, one INSERT each beats a sequence query and COPY

M = TypeVar("M", bound=models.Model)


@cache
def _init_plan(model: type[models.Model]) -> tuple[tuple[str, models.Field[Any, Any]], ...]:
    return tuple((f.attname, f) for f in model._meta.concrete_fields)


def unsaved(model: type[M], values: dict[str, Any]) -> M:
    """A new instance from field values by attribute name (`nationality_id`, not
    `nationality`), the others at their defaults: what `model(**values)` gives, built the
    way Django builds rows it reads (positional), in under half the time — for the bulk
    paths that build thousands."""
    unknown = values.keys() - {name for name, _f in _init_plan(model)}
    if unknown:
        raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}")
    return model(*[values[n] if n in values else f.get_default() for n, f in _init_plan(model)])


def _field_plan(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.generated]


def _prepare(objs: Sequence[models.Model], fields: list[models.Field[Any, Any]]) -> None:
    """What `Model.save()` and `bulk_create` do before writing: auto_now, related ids."""
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    # a one-to-one field is a foreign key too (a registration's case)
    relations = [f for f in fields if f.is_relation and (f.many_to_one or f.one_to_one)]
    for obj in objs:
        for f in stamped:
            if getattr(obj, f.attname) is None or getattr(f, "auto_now", False):
                f.pre_save(obj, add=True)
        for f in relations:
            if getattr(obj, f.attname) is None and f.is_cached(obj):  # type: ignore[attr-defined]
                related = f.get_cached_value(obj)  # type: ignore[attr-defined]
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"{f.name} refers to an unsaved object")
                    setattr(obj, f.attname, related.pk)


def bulk_insert(objs: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model; afterwards each has its primary key."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs)  # SQLite returns the new ids itself
        return
    fields = _field_plan(model)
    _prepare(objs, fields)
    pk = model._meta.pk
    assert pk is not None
    missing = [o for o in objs if o.pk is None]
    if len(objs) < _FEW:
        _insert_each(connection, objs, fields, pk)
    else:
        _copy(connection, objs, fields, missing, pk)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias


def _insert_each(
    connection: Any,
    objs: Sequence[models.Model],
    fields: list[models.Field[Any, Any]],
    pk: models.Field[Any, Any],
) -> None:
    """A few rows: one multi-row INSERT … RETURNING (one round trip, no sequence query);
    rows that bring their own primary key go one INSERT each."""
    quote = connection.ops.quote_name
    table = quote(objs[0]._meta.db_table)
    rows = _pg_rows(objs, fields)
    fresh = [(obj, row) for obj, row in zip(objs, rows, strict=True) if obj.pk is None]
    given = [row for obj, row in zip(objs, rows, strict=True) if obj.pk is not None]
    with connection.cursor() as cursor:
        if fresh:
            columns = [f for f in fields if f is not pk]
            at = [i for i, f in enumerate(fields) if f is not pk]
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quote(str(f.column)) for f in columns)}) "  # noqa: S608 (model columns)
                f"VALUES {', '.join([one] * len(fresh))} RETURNING {quote(str(pk.column))}",
                [row[i] for _, row in fresh for i in at],
            )
            # PostgreSQL returns the ids in the order of the VALUES rows (bulk_create relies on it too)
            for (obj, _row), (new_id,) in zip(fresh, cursor.fetchall(), strict=True):
                obj.pk = new_id
        names = ", ".join(quote(str(f.column)) for f in fields)
        for row in given:
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})",  # noqa: S608 (model columns)
                row,
            )


_sequences: dict[tuple[str, str, str], str] = {}


def _sequence(connection: Any, table: str, column: str) -> str:
    """The sequence of a table's id, looked up once: `pg_get_serial_sequence` in the id
    query itself is evaluated for every row, and cost more than the ids."""
    key = (connection.alias, table, column)
    if key not in _sequences:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            _sequences[key] = cursor.fetchone()[0]
    return _sequences[key]


def _copy(
    connection: Any,
    objs: Sequence[models.Model],
    fields: list[models.Field[Any, Any]],
    missing: list[models.Model],
    pk: models.Field[Any, Any],
) -> None:
    """Many rows: ids from the sequence in one query, then COPY."""
    quote = connection.ops.quote_name
    table = objs[0]._meta.db_table
    columns = ", ".join(quote(str(f.column)) for f in fields)
    with connection.cursor() as cursor:
        if missing:
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [_sequence(connection, table, str(pk.column)), len(missing)],
            )
            for obj, (new_id,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = new_id
        rows = _pg_rows(objs, fields)
        # psycopg's own errors from COPY become Django's (a duplicate is an IntegrityError)
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)


def _pg_rows(objs: Sequence[models.Model], fields: list[models.Field[Any, Any]]) -> list[list[Any]]:
    """Column values as psycopg's COPY takes them: it adapts str (TextChoices members too),
    int, bool, dates, datetimes, bytes and None itself; JSON is sent as its text."""
    names = [f.attname for f in fields]
    json_fields = [(i, f) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    rows = []
    for obj in objs:
        values = obj.__dict__
        row = [values[name] for name in names]
        for i, f in json_fields:
            if row[i] is not None:
                row[i] = json.dumps(row[i], cls=f.encoder, ensure_ascii=False)
        rows.append(row)
    return rows


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert plain rows (values of the fields named by attribute, in that order) when no
    instance is needed afterwards — audit rows, index keys: COPY on PostgreSQL, one
    executemany elsewhere. Primary keys come from the database."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    plan = [by_name[name] for name in fields]
    columns = ", ".join(quote(str(f.column)) for f in plan)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            json_at = [(i, f) for i, f in enumerate(plan) if isinstance(f, models.JSONField)]
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i, f in json_at:
                            if row[i] is not None:
                                row[i] = json.dumps(row[i], cls=f.encoder, ensure_ascii=False)
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(plan))
            prepared = [
                [f.get_db_prep_save(v, connection) for f, v in zip(plan, row, strict=True)]
                for row in rows
            ]
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)  # noqa: S608 (model columns)


def bulk_update_fields(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write these fields (by name) of saved instances of one model, in one statement
    whatever their number: on PostgreSQL the values travel as one array per column
    (`UPDATE … FROM unnest(…)`); Django's `bulk_update` builds, and the server evaluates,
    a CASE with a branch per row, which took over a second for a thousand rows. SQLite
    keeps `bulk_update`."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objs, list(fields))
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    plan = [pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    columns = [quote(str(f.column)) for f in plan]  # type: ignore[union-attr]
    arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in plan)  # type: ignore[union-attr]
    values = [
        [f.get_db_prep_save(getattr(o, f.attname), connection) for o in objs]  # type: ignore[union-attr]
        for f in plan
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} t SET "  # noqa: S608 (model columns)
            + ", ".join(f"{c} = v.{c}" for c in columns[1:])
            + f" FROM unnest({arrays}) AS v({', '.join(columns)}) WHERE t.{columns[0]} = v.{columns[0]}",
            values,
        )
