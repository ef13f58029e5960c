from __future__ import annotations

from umis.api import border, documents, errors, evisa, identity, screening, stays
from umis.api.openapi import UmisNinjaAPI
from umis.api.parser import CheckedJsonParser

api = UmisNinjaAPI(
    title="UMIS API",
    version="1.0",
    description=(
        "Unified Migration Information System. Hotels, landlords and agencies authenticate with a per-client "
        "API key (`X-API-Key`). Errors are JSON with a stable `code`, a `message` in the language of "
        "`Accept-Language` (az, en, ru) and the offending `field` (a bad date is always "
        "`invalid_date`; a body that is not a JSON object, `body_not_object`; a field the "
        "operation does not know, at any depth, `unknown_field`, naming it by its path, as "
        "`applicants.1.passport`: request bodies take no other field than those documented, "
        "and a batch refuses only the item that has one, whose errors name its fields alone, "
        "its `index` beside them; a body not sent as "
        "`application/json` in UTF-8, 415 `unsupported_media_type`). Each operation names the scope "
        "its key needs (`x-required-scopes`, also in its security requirement); a key without "
        "it gets 403 `scope_missing`."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=CheckedJsonParser(),
)
errors.install(api)
api.add_router("", stays.router)
api.add_router("", documents.router)
api.add_router("", evisa.router)
api.add_router("", screening.names_router)
api.add_router("", screening.screening_router)
api.add_router("", screening.watchlist_router)
api.add_router("", border.crossings_router)
api.add_router("", border.people_router)
api.add_router("", border.calculator_router)
api.add_router("", identity.router)
