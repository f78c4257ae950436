"""Dossier statistics (DESIGN §10): how a unit handled citizens' dossiers of
administrative procedures (hồ sơ thủ tục hành chính) in a period, as counts;
the rates are computed from them (``dossiers.rates``), never stored, and a
rate a source published is kept beside them as published."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from dossiers import periods, rates
from units.models import Unit

# The counts, in the order of DESIGN §7 (their API members), then those the
# sources add: carried over from the period before, received online without a
# split into partly and fully online (before 2022: levels 3 and 4 together), the
# dossiers of procedures offered online (an online rate's base when a source
# gives it), and the procedures offered online at each level.
COUNTS = (
    "received",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending",
    "pending_overdue",
    "online_partial",
    "online_full",
    "paid_online",
    "postal",
    "interlinked",
    "apology_letters",
    "carried_over",
    "online",
    "online_eligible",
    "procedures",
    "procedures_online_partial",
    "procedures_online_full",
)
RATES = ("on_time_rate", "late_rate", "online_rate")


def _count(verbose_name, help_text=""):
    return models.PositiveBigIntegerField(verbose_name, null=True, blank=True, help_text=help_text)


class DossierStatistics(models.Model):
    """One unit's dossiers in one period at one level: its own one-stop desk
    (a district's), the units under it together (its communes), or all levels
    (both). A count not reported is null, never 0."""

    class Level(models.TextChoices):
        ALL = "all", _("all levels")
        OWN = "own", _("its own desk")
        BELOW = "below", _("the units under it")

    class Kind(models.TextChoices):
        YEAR = periods.YEAR, _("year")
        QUARTER = periods.QUARTER, _("quarter")
        MONTH = periods.MONTH, _("month")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="dossier_statistics")
    period = models.CharField(_("period"), max_length=7, help_text=_("2019, 2019-Q4 or 2019-12"))
    kind = models.CharField(_("kind of period"), max_length=7, choices=Kind.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    level = models.CharField(_("level"), max_length=5, choices=Level.choices, default=Level.ALL)
    received = _count(_("received"), _("New and carried over."))
    resolved_early = _count(_("resolved early"))
    resolved_on_time = _count(_("resolved on time"))
    resolved_late = _count(_("resolved late"))
    pending = _count(_("pending"), _("Being handled at the end of the period, within or past the deadline."))
    pending_overdue = _count(_("pending past the deadline"))
    online_partial = _count(_("received partly online"), _("Level 3 before 2022."))
    online_full = _count(_("received fully online"), _("Level 4 before 2022."))
    paid_online = _count(_("paid online"))
    postal = _count(_("through the public postal service"))
    interlinked = _count(_("through the interlinked one-stop"))
    apology_letters = _count(_("apology letters"), _("Sent for late dossiers."))
    carried_over = _count(_("carried over"), _("From the period before; part of those received."))
    online = _count(_("received online"), _("When the source does not say how many partly and how many fully."))
    online_eligible = _count(
        _("dossiers of procedures offered online"), _("The base of the online rate, when the source gives it.")
    )
    procedures = _count(_("procedures"))
    procedures_online_partial = _count(_("procedures offered partly online"), _("Level 3 before 2022."))
    procedures_online_full = _count(_("procedures offered fully online"), _("Level 4 before 2022."))
    published_rates = models.JSONField(
        _("rates as published"),
        default=dict,
        blank=True,
        help_text=_('As the source gives them: {"late_rate": "0.0021"}.'),
    )
    source = models.CharField(_("source"), max_length=500, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("dossier statistics")
        verbose_name_plural = _("dossier statistics")
        ordering = ["unit", "starts_on", "-ends_on", "level"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "level"], name="dossier_statistics_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="dossier_period_ordered"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.period}"

    @property
    def period_shown(self) -> str:
        return periods.Period(self.starts_on, self.ends_on, self.kind).shown

    @property
    def counts(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in COUNTS}

    @property
    def resolved_in_time(self) -> int | None:
        """Resolved early or on time: the on-time rate's part."""
        return rates.ratios(self.counts)["on_time_rate"][0]

    @property
    def online_received(self) -> int | None:
        """Received online: partly and fully together, or the source's single count."""
        return rates.received_online(self.counts)


class StatisticsImport(models.Model):
    """One import of statistics (a file, the admin, the staff workspace): who,
    when, from what, and every record it changed with its counts before."""

    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    created = models.PositiveIntegerField(_("records created"), default=0)
    changed = models.PositiveIntegerField(_("records changed"), default=0)
    before = models.JSONField(_("before"), default=dict, help_text=_("Each changed record's figures before."))

    class Meta:
        verbose_name = _("statistics import")
        verbose_name_plural = _("statistics imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.source or self.pk} · {self.created_at:%Y-%m-%d}"
