"""Watchlists (entry bans, wanted persons, alerts; lost, stolen and invalid documents),
their entries with history, and the screening hits officers decide on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from umis.core.models import BaseModel


class Category(models.TextChoices):
    ENTRY_BAN = "entry_ban", _("Entry ban")
    WANTED = "wanted", _("Wanted person")
    ALERT = "alert", _("Other alert")
    LOST = "lost", _("Lost document")
    STOLEN = "stolen", _("Stolen document")
    INVALID = "invalid", _("Invalid document")


PERSON_CATEGORIES = frozenset({Category.ENTRY_BAN, Category.WANTED, Category.ALERT})
DOCUMENT_CATEGORIES = frozenset({Category.LOST, Category.STOLEN, Category.INVALID})


class Watchlist(BaseModel):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)  # as given (English)
    name_az = models.CharField(_("name (Azerbaijani)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("watchlist")
        verbose_name_plural = _("Watchlists")

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        """The list's name in the current language: the built-in lists are named by the
        product, any other list by the names it was given (the one given first where there
        is none in this language), or else by its code."""
        default = DEFAULT_TITLES.get(self.code)
        if default is not None:
            return str(default)
        lang = (get_language() or "az")[:2]
        return str(getattr(self, f"name_{lang}", "") or self.name or self.code)


# the lists every installation has (migration 0002), named in each language
DEFAULT_TITLES = {
    "entry-bans": _("Entry bans"),
    "wanted": _("Wanted persons"),
    "alerts": _("Other alerts"),
    "documents": _("Lost, stolen and invalid travel documents"),
}


class WatchlistEntry(BaseModel):
    """A listed person or travel document. Names are kept as given, in any script."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        DOCUMENT = "document", _("Travel document")

    watchlist = models.ForeignKey(Watchlist, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    full_name = models.CharField(_("name"), max_length=300, blank=True)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    document_number = models.CharField(_("document number"), max_length=30, blank=True)
    issuing_state = models.CharField(_("issuing state"), max_length=2, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    reason = models.TextField(_("reason / grounds"))
    legal_ground = models.ForeignKey(
        "reference.LegalGround", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=200)
    source_reference = models.CharField(_("source reference"), max_length=200, blank=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    change_seq = models.BigIntegerField(default=0, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist", "external_id"],
                condition=~models.Q(external_id=""),
                name="watchlist_entry_unique_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["document_number"], name="watchlist_entry_doc_idx"),
            # the head office's page, last changed first, one page at a time
            models.Index(fields=["updated_at", "id"], name="watchlist_entry_changed_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.document_number

    @property
    def names(self) -> list[str]:
        return [n for n in [self.full_name, *self.aliases] if n]


class WatchlistEntryEvent(models.Model):
    """One line of an entry's history (created, changed, withdrawn). Rows are only added."""

    entry = models.ForeignKey(WatchlistEntry, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    changes = models.JSONField(default=dict)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class WatchlistSequence(models.Model):
    """A counter bumped by every watchlist write, so each process's index can catch up."""

    value = models.BigIntegerField(default=0)


class ScreeningHit(BaseModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    entry = models.ForeignKey(WatchlistEntry, on_delete=models.PROTECT, related_name="hits")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey("reference.Office", on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    entry_version = models.PositiveIntegerField()
    person_fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["person", "entry", "status"], name="hit_pair_idx"),
            models.Index(fields=["office", "status", "created_at"], name="hit_queue_idx"),
        ]


class WatchlistImport(BaseModel):
    """A file of entries uploaded by the head office, imported in the background (a file of
    100,000 entries takes longer than a web request may); its progress and, once done, its
    summary. The file's text is kept only until it is imported."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    watchlist_code = models.CharField(_("list"), max_length=50)
    file_name = models.CharField(_("file"), max_length=200)
    content = models.TextField(blank=True)
    skip_invalid = models.BooleanField(default=False)
    language = models.CharField(max_length=10)  # of the summary and the row errors
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    # [{"row": "line 3", "field": "full_name", "message": "..."}], the first MAX_SHOWN_ERRORS
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker running the import holds it until `lease_until`, and renews that with each
    # batch it commits; an import still running past it is taken up again by another
    # worker (`watchlist_imports_resume_stalled`). `attempts` counts the workers that took
    # it up: a batch is written only by the latest. `next_row` is the file's first row (from
    # 0) not yet written, committed with each batch: a resumed import starts there.
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_row = models.PositiveIntegerField(default=0)
    # the digest of the file's entries (`watchlist_rows_digest`): while an import of them
    # into a list waits or runs, the same entries sent again lead to it (one such import per
    # list and content, a database constraint); empty for imports queued before it was kept
    content_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("watchlist import")
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist_code", "content_hash"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(content_hash=""),
                name="watchlist_import_one_in_progress",
            )
        ]

    @property
    def resumed(self) -> bool:
        """Taken up again after its worker stopped, and not finished yet."""
        return self.attempts > 1 or (self.attempts == 1 and self.status == self.Status.QUEUED)
