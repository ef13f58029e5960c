"""A nationality eligible for the e-visa is named with its date as the site writes dates
(01.01.2020), not as 2020-01-01, in the admin and wherever it is shown."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from umis.visas.models import EligibleNationality

START = dt.date(2020, 1, 1)


def test_a_nationality_eligible_for_the_e_visa_is_named_with_the_date_as_the_site_writes_it() -> (
    None
):
    eligible = EligibleNationality(country_code="TR", valid_from=START)
    with translation.override("ru"):
        assert str(eligible) == "TR, с 01.01.2020"
    with translation.override("az"):
        assert str(eligible) == "TR, 01.01.2020 tarixindən"
