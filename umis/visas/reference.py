"""Default reference data of the e-visa: the eligible nationalities (editable, dated)."""

from __future__ import annotations

import datetime as dt

# Nationalities that may apply for an e-visa (ASAN Visa list, simplified; citizens of
# visa-free countries do not need one).
ELIGIBLE = [
    "AD",
    "AE",
    "AL",
    "AR",
    "AT",
    "AU",
    "BA",
    "BE",
    "BG",
    "BH",
    "BN",
    "BR",
    "CA",
    "CH",
    "CL",
    "CN",
    "CO",
    "CR",
    "CY",
    "CZ",
    "DE",
    "DK",
    "DZ",
    "EC",
    "EE",
    "EG",
    "ES",
    "FI",
    "FR",
    "GB",
    "GR",
    "HK",
    "HR",
    "HU",
    "ID",
    "IE",
    "IL",
    "IN",
    "IS",
    "IT",
    "JO",
    "JP",
    "KR",
    "KW",
    "LI",
    "LK",
    "LT",
    "LU",
    "LV",
    "MA",
    "MC",
    "ME",
    "MK",
    "MN",
    "MT",
    "MX",
    "MY",
    "NL",
    "NO",
    "NZ",
    "OM",
    "PA",
    "PE",
    "PH",
    "PK",
    "PL",
    "PT",
    "QA",
    "RO",
    "RS",
    "SA",
    "SE",
    "SG",
    "SI",
    "SK",
    "SM",
    "TH",
    "TW",
    "US",
    "UY",
    "VA",
    "VN",
    "ZA",
]


def visa_reference_load_defaults() -> None:
    """Idempotent: the eligible nationalities and the e-visa fees."""
    from umis.payments.services import fees_load_defaults
    from umis.visas.models import EligibleNationality

    for code in ELIGIBLE:
        EligibleNationality.objects.get_or_create(country_code=code, valid_from=dt.date(2016, 1, 1))
    fees_load_defaults()
