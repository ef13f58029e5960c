"""The e-visa demo: the banned traveller and the stolen passport are referred by screening."""

from __future__ import annotations

import pytest

from umis.reference.services import reference_load_defaults
from umis.screening.models import ScreeningHit
from umis.visas import workflow
from umis.visas.demo import visa_demo_load
from umis.visas.models import VisaApplication

pytestmark = pytest.mark.django_db


def test_the_demo_refers_the_listed_travellers_and_issues_the_others() -> None:
    reference_load_defaults()
    assert visa_demo_load() == 6
    apps = {a.person.surname: a for a in VisaApplication.objects.select_related("case", "person")}
    assert apps["Schwarz"].case.state == workflow.REFERRED
    assert [r["code"] for r in apps["Schwarz"].reasons] == ["entry_ban"]
    assert apps["Rossi"].case.state == workflow.REFERRED
    assert [r["code"] for r in apps["Rossi"].reasons] == ["lost_document"]
    assert {apps[s].case.state for s in ("Smith", "Tanaka", "García")} == {workflow.ISSUED}
    assert apps["Dubois"].case.state == workflow.AWAITING_PAYMENT
    assert set(ScreeningHit.objects.values_list("person__surname", flat=True)) == {
        "Schwarz",
        "Rossi",
    }
    assert visa_demo_load() == 0
