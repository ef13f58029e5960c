"""Reads whose SQL is compiled once per process, then only run.

Django compiles a QuerySet into SQL every time it is evaluated: for the short reads of a
single registration (the API key, the host, the guest's documents, the candidates) that is
most of their cost, about 0.5–1 ms of CPU each against 0.1–0.2 ms to run the SQL itself.
A `Prepared` read is written as an ordinary QuerySet whose changing values are named
parameters; the first call compiles it (per database connection alias), later calls bind
the values and run the same SQL, building rows or model instances exactly as the ORM
does::

    HOST = Prepared(lambda p: Host.objects.filter(members=p["user"]).order_by("id")[:1])
    host = HOST.first(user=user.pk)

A list of values (`field__any=p["keys"]`) travels as one parameter, so the SQL is the same
whatever the list's length. A value the prepared SQL cannot carry (None, which needs
`IS NULL`; a list value holding the separator) runs the same QuerySet through the ORM
with the values in place, so both paths always give the same answer.

On PostgreSQL a read of single values (the API key, the host, the signing key) is also
prepared on the server (`PREPARE`, once per database session), so the server does not
parse and plan it on every call either (0.1–0.3 ms each). `UMIS_DB_PREPARE=false` turns
that off, for a connection pooler that hands one session's statements to another
(PgBouncer in transaction mode).

Supported: QuerySets of model instances (with `select_related`, `select_for_update`) and
`values_list` (also `flat=True`); no `prefetch_related`, no annotations.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models import Expression, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

from umis.core.lookups import separated_text

T = TypeVar("T")


class Unbindable(Exception):
    """A value the prepared SQL cannot carry; the read goes through the ORM instead."""


class Param(Expression):
    """A named placeholder in a prepared QuerySet (`many`: a list, for `field__any=`)."""

    def __init__(self, name: str, *, many: bool = False) -> None:
        super().__init__()
        self.name = name
        self.many = many

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        return "%s", (self,)

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Param:
        return self

    def __hash__(self) -> int:
        return hash((self.name, self.many))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Param) and (other.name, other.many) == (self.name, self.many)

    def bind(self, value: Any, connection: Any) -> Any:
        if self.many:
            values = list(value)
            if connection.vendor == "postgresql":
                text = separated_text(values)
                if text is None:
                    raise Unbindable(self.name)
                return text
            return json.dumps([_scalar(v, connection, json_form=True) for v in values])
        if value is None:
            raise Unbindable(self.name)
        return _scalar(value, connection)


def _scalar(value: Any, connection: Any, *, json_form: bool = False) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat() if json_form else connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat() if json_form else connection.ops.adapt_datefield_value(value)
    return value


class _Names(Mapping[str, Param]):
    """What the builder receives when compiling: a Param for every name it asks for."""

    def __getitem__(self, name: str) -> Param:
        return Param(name.removesuffix("[]"), many=name.endswith("[]"))

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0


@dataclass(frozen=True)
class _Compiled:
    alias: str
    sql: str
    params: tuple[Any, ...]
    compiler: Any
    kind: str  # "model", "values" or "flat"
    converters: Any
    init_list: list[str] | None = None
    start: int = 0
    end: int = 0
    model: Any = None
    populators: Any = None
    server_sql: str | None = None  # PostgreSQL: the SQL with $1, $2, … for PREPARE


_numbers = itertools.count(1)
# the prepared statements of each PostgreSQL session (its psycopg connection)
_prepared_in: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _plan_once(compiler: Any, params: Any) -> bool:
    """Prepare on the server a read whose plan does not depend on its values: PostgreSQL's.
    A read of a list (`field__any=`) is planned for each call, as its plan depends on the
    list's length (a generic plan for a thousand keys of a bulk intake is a slow one)."""
    return compiler.connection.vendor == "postgresql" and not any(
        isinstance(p, Param) and p.many for p in params
    )


def _numbered(sql: str) -> str:
    """Django's `%s` placeholders as PostgreSQL's `$1, $2, …` (and `%%` as `%`)."""
    counter = itertools.count(1)
    return re.sub(r"%%|%s", lambda m: "%" if m.group() == "%%" else f"${next(counter)}", sql)


class Prepared(Generic[T]):
    """A read compiled once. `build(p)` returns the QuerySet; `p[name]` is a value
    (`p["keys[]"]` a list of values, for `field__any=`): a placeholder when compiling, the
    value itself when the ORM runs the read instead."""

    def __init__(self, build: Callable[[Mapping[str, Any]], QuerySet[Any, T]]) -> None:
        self.build = build
        self.name = f"umis_read_{next(_numbers)}"
        self._compiled: _Compiled | None = None
        self._lock = threading.Lock()

    def all(self, **values: Any) -> list[T]:
        compiled = self._compiled or self._compile()
        connection = connections[compiled.alias]
        try:
            params = [
                p.bind(values[p.name], connection) if isinstance(p, Param) else p
                for p in compiled.params
            ]
        except Unbindable:
            return list(self.build(_Values(values)))
        with connection.cursor() as cursor:
            if compiled.server_sql is not None and settings.UMIS_DB_PREPARE:
                done = _prepared_in.setdefault(connection.connection, set())
                if self.name not in done:
                    cursor.execute(f"PREPARE {self.name} AS {compiled.server_sql}")
                    done.add(self.name)
                marks = f"({', '.join(['%s'] * len(params))})" if params else ""
                cursor.execute(f"EXECUTE {self.name}{marks}", params)
            else:
                cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return _materialise(compiled, rows)

    def first(self, **values: Any) -> T | None:
        found = self.all(**values)
        return found[0] if found else None

    def _compile(self) -> _Compiled:
        with self._lock:
            if self._compiled is not None:
                return self._compiled
            queryset = self.build(_Names())
            if (
                getattr(queryset, "_prefetch_related_lookups", ())
                or queryset.query.annotation_select
            ):
                raise ValueError("a prepared read has no prefetch and no annotations")
            kinds: dict[type, str] = {
                ModelIterable: "model",
                ValuesListIterable: "values",
                FlatValuesListIterable: "flat",
            }
            kind = kinds.get(queryset._iterable_class)
            if kind is None:
                raise ValueError(f"a prepared read cannot build {queryset._iterable_class}")
            alias = queryset.db
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
            compiled = _Compiled(
                alias,
                sql,
                tuple(params),
                compiler,
                kind,
                compiler.get_converters(fields),
                server_sql=_numbered(sql) if _plan_once(compiler, params) else None,
            )
            if kind == "model":
                info = compiler.klass_info
                start, end = info["select_fields"][0], info["select_fields"][-1] + 1
                compiled = replace(
                    compiled,
                    init_list=[f[0].target.attname for f in compiler.select[start:end]],
                    start=start,
                    end=end,
                    model=info["model"],
                    # (the stubs describe a later Django, which adds an argument)
                    populators=get_related_populators(info, compiler.select, alias),  # type: ignore[call-arg]
                )
            self._compiled = compiled
            return compiled


def _materialise(compiled: _Compiled, rows: list[Any]) -> list[Any]:
    if compiled.converters:
        rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
    if compiled.kind == "flat":
        return [row[0] for row in rows]
    if compiled.kind == "values":
        return [tuple(row) for row in rows]
    out = []
    for row in rows:
        obj = compiled.model.from_db(
            compiled.alias, compiled.init_list, row[compiled.start : compiled.end]
        )
        for populator in compiled.populators:
            populator.populate(row, obj)
        out.append(obj)
    return out


class _Values(Mapping[str, Any]):
    """What the builder receives when the ORM runs the read: the values themselves."""

    def __init__(self, given: Mapping[str, Any]) -> None:
        self.given = given

    def __getitem__(self, name: str) -> Any:
        return self.given[name.removesuffix("[]")]

    def __iter__(self) -> Any:
        return iter(self.given)

    def __len__(self) -> int:
        return len(self.given)
