"""The bare endpoints the platform benchmark measures beside UMIS in the same run.

Two django-ninja endpoints on the same server, database and workers as UMIS's API, doing
only what every web API does: validate the registration's fields, then store them with
one INSERT (`POST /bare/stay-registrations`) or one `bulk_create` of up to 1,000
(`POST /bare/stay-registrations/bulk`). No person linking, case, certificate, screening,
audit, authentication or rate limit: the floor of this stack on this machine, which the
issue's figures (about 1,100 single requests/s, about 28,000 registrations/s in bulk)
describe.
"""
