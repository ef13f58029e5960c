"""Forms every case page shares, read from a POST: values to show again and errors by field."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from umis.cases.services import case_reasons_clean
from umis.core.errors import DomainError
from umis.reference.models import LegalGround


@dataclass
class AnnulmentForm:
    """An officer's annulment: a legal ground, the reasons, and the confirmation that the
    officer knows it cannot be undone (a required checkbox: no script needed)."""

    legal_ground_code: str = ""
    reasons: str = ""
    confirmed: bool = False
    legal_ground: LegalGround | None = None
    errors: dict[str, str] = field(default_factory=dict)
    # someone else changed the case meanwhile: the page shows it as it is now, the form as typed
    conflict: bool = False


def annulment_form_read(data: QueryDict) -> AnnulmentForm:
    form = AnnulmentForm(
        legal_ground_code=data.get("legal_ground", "")[:60],
        reasons=data.get("note", ""),
        confirmed=data.get("confirm") == "1",
    )
    form.legal_ground = LegalGround.objects.filter(code=form.legal_ground_code).first()
    if form.legal_ground is None:
        form.errors["legal_ground"] = _("Choose the legal ground for this decision.")
    try:
        form.reasons = case_reasons_clean(reasons=form.reasons)
    except DomainError as exc:
        form.errors["note"] = str(exc.message)
    if not form.confirmed:
        form.errors["confirm"] = _("Tick the box to confirm the annulment. It cannot be undone.")
    return form


def posted_version(data: QueryDict) -> int:
    """The version of the case the officer's page showed (-1, never current, when the form
    did not send one)."""
    try:
        return int(data.get("version", ""))
    except ValueError:
        return -1
