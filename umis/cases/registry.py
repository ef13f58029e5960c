"""The service catalogue: every e-service registers itself here from its own app.

A domain app's `catalogue.py` calls `register(ServiceDefinition(...))` from its
AppConfig.ready(); the platform never imports a domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from umis.core.workflow import Workflow

Text = str | Promise


@dataclass(frozen=True)
class Sla:
    working_days: int | None = None
    hours: int | None = None  # around the clock, holidays included


@dataclass(frozen=True)
class ServiceDefinition:
    code: str
    name: Text
    summary: Text
    who_may_apply: Text
    fee: Text
    processing_time: Text
    required_documents: tuple[Text, ...]
    order: int = 100
    prefix: str = ""  # case reference prefix, e.g. "SR"
    workflow: Workflow | None = None
    sla: Sla = field(default_factory=Sla)
    available: bool = True
    start_url_name: str | None = None  # where the portal sends an applicant
    # the roles whose signed-in users may use the start page (empty: anyone); a visitor
    # who is not signed in is sent to sign in by the start page itself
    start_roles: frozenset[str] = frozenset()
    # the start button's words when "Start" would not say whose way in it is
    start_label: Text = ""
    # a second way in for anyone, with no account (the foreigner's own filing), and its button
    public_start_url_name: str | None = None
    public_start_label: Text = ""

    def __post_init__(self) -> None:
        if self.available and self.start_url_name is None:
            raise ValueError(f"service {self.code}: an available service needs a start page")
        if self.workflow is not None and not self.prefix:
            raise ValueError(f"service {self.code}: a case service needs a reference prefix")

    def can_start(self, user: object) -> bool:
        """Whether the portal's start button leads this user to a page they may use."""
        if not self.available or self.start_url_name is None:
            return False
        if not self.start_roles or not getattr(user, "is_authenticated", False):
            return True
        return getattr(user, "role", "") in self.start_roles

    def state_label(self, state: str) -> str:
        return self.workflow.label(state) if self.workflow else state


_services: dict[str, ServiceDefinition] = {}
_event_labels: dict[str, Text] = {
    "CASE_SUBMITTED": _("Submitted"),
    "CASE_ASSIGNED": _("Assigned"),
}


def register_event_labels(labels: dict[str, Text]) -> None:
    """Name a domain's case events (CaseEvent.action) for the case history pages."""
    _event_labels.update(labels)


def event_label(action: str) -> str:
    """The case event's name in the current language (its code if none is registered)."""
    label = _event_labels.get(action)
    return str(label) if label is not None else action


def register(service: ServiceDefinition) -> None:
    """Register a service; a built service replaces a planned ("coming") one of the same code."""
    existing = _services.get(service.code)
    if existing is not None and existing.available and service.available and existing != service:
        raise ValueError(f"service {service.code} registered twice")
    if existing is not None and existing.available and not service.available:
        return
    _services[service.code] = service


def get(code: str) -> ServiceDefinition:
    return _services[code]


def all_services() -> list[ServiceDefinition]:
    return sorted(_services.values(), key=lambda s: (s.order, s.code))
