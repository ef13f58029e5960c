"""`field__any=[...]`: membership in a long list of values as one parameter.

On PostgreSQL `col = ANY(%s)` sends the list as one array, so a thousand dates or keys
cost one parameter instead of a thousand placeholders to build, send and plan (the
intake's candidate lookups); elsewhere it is the usual `IN (...)`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, Lookup


@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=False) for v in self.rhs]
        if not values:
            return "1 = 0", ()
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        marks = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({marks})", (*lhs_params, *values)
