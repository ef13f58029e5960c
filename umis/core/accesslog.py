"""gunicorn's access log without personal data: `umis serve` runs gunicorn with
`--logger-class umis.core.accesslog.AccessLogger`; a deployment that starts gunicorn itself
passes the same option. Every value the access log format can name (request line, path,
Referer, other headers, environ) goes through `umis.core.redact.path_for_log`; the query
string is not written at all."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from umis.core.redact import path_for_log

_QUERY_ATOMS = ("q", "{query_string}e")


class AccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = path_for_log(value)
        for key in _QUERY_ATOMS:
            if atoms.get(key):
                atoms[key] = "***"
        return atoms
