"""The assessment cycle of a framework (DESIGN §9): the round and its phases with
their deadlines, each participant's progress, each leaf criterion's self score,
appraisal and explanation, the evidence files, and every step's history. The
final appraised value of a criterion is ``scoring.models.Score.points``: what is
here is how it came to be."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from scoring.models import NON_NEGATIVE, POINTS, Criterion, Framework
from units.models import Unit


class Phase(models.TextChoices):
    """The round's phases, in order."""

    SELF_ASSESSMENT = "self", _("self-assessment")
    APPRAISAL = "appraisal", _("appraisal")
    EXPLANATION = "explanation", _("explanation")
    FINALISATION = "final", _("finalisation")
    CLOSED = "closed", _("closed")


PHASES = list(Phase)
# The phases with a deadline, and the field holding it.
DEADLINE_FIELDS = {
    Phase.SELF_ASSESSMENT: "self_deadline",
    Phase.APPRAISAL: "appraisal_deadline",
    Phase.EXPLANATION: "explanation_deadline",
    Phase.FINALISATION: "final_deadline",
}


def _user(verbose_name) -> models.ForeignKey:
    """Who did a step; kept when the user is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class AssessmentRound(models.Model):
    """A draft framework opened to its participants for self-assessment, then
    appraisal, explanation and finalisation, each with its deadline."""

    framework = models.OneToOneField(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="assessment_round"
    )
    phase = models.CharField(_("phase"), max_length=12, choices=Phase, default=Phase.SELF_ASSESSMENT)
    self_deadline = models.DateTimeField(_("self-assessment deadline"))
    appraisal_deadline = models.DateTimeField(_("appraisal deadline"))
    explanation_deadline = models.DateTimeField(_("explanation deadline"))
    final_deadline = models.DateTimeField(_("finalisation deadline"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opened_by = _user(_("opened by"))
    criteria_public = models.BooleanField(
        _("criteria on the public pages"),
        default=False,
        help_text=_(
            "Once the framework is published, each unit's public page shows every criterion's final score, "
            "its maximum and the appraisal comment."
        ),
    )

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(self_deadline__lte=F("appraisal_deadline"))
                & Q(appraisal_deadline__lte=F("explanation_deadline"))
                & Q(explanation_deadline__lte=F("final_deadline")),
                name="round_deadlines_in_order",
            )
        ]

    def __str__(self):
        return f"{self.framework.slug} · {self.get_phase_display()}"

    def deadline(self, phase: str):
        """The deadline of ``phase`` (None for a closed round)."""
        field = DEADLINE_FIELDS.get(phase)
        return getattr(self, field) if field else None


class UnitAssessment(models.Model):
    """One participant's way through the round."""

    class Status(models.TextChoices):
        SELF_ASSESSING = "self", _("self-assessing")
        SUBMITTED = "submitted", _("submitted for appraisal")
        RETURNED = "returned", _("returned for explanation")
        EXPLAINED = "explained", _("explained")
        FINAL = "final", _("final")

    round = models.ForeignKey(
        AssessmentRound, verbose_name=_("assessment round"), on_delete=models.CASCADE, related_name="units"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SELF_ASSESSING)
    # A reopening: the unit's own deadline for the round's current phase, and why.
    reopened_until = models.DateTimeField(_("reopened until"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("unit's assessment")
        verbose_name_plural = _("units' assessments")
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="unitassessment_unique_unit")]

    def __str__(self):
        return f"{self.round.framework.slug} · {self.unit.code} · {self.get_status_display()}"


class CellAssessment(models.Model):
    """A leaf criterion of one unit through the cycle: the unit's self score (or
    not applicable, with a reason) and how it came to it; the appraiser's score
    and comment; the unit's explanation. The final score is the ``Score``."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="cells")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    self_points = models.DecimalField(
        _("self-assessed points"), null=True, blank=True, validators=NON_NEGATIVE, **POINTS
    )
    self_not_applicable = models.BooleanField(_("not applicable (self-assessed)"), default=False)
    self_reason = models.TextField(_("why not applicable"), blank=True)
    self_explanation = models.TextField(_("how the unit scored it"), blank=True)
    appraised_points = models.DecimalField(_("appraised points"), null=True, blank=True, **POINTS)
    appraised_not_applicable = models.BooleanField(_("not applicable (appraised)"), default=False)
    appraisal_comment = models.TextField(_("appraisal comment"), blank=True)
    appraised_at = models.DateTimeField(_("appraised at"), null=True, blank=True)
    explanation = models.TextField(_("the unit's explanation"), blank=True)
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("criterion's assessment")
        verbose_name_plural = _("criteria's assessments")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "unit"], name="cellassessment_unique_cell"),
            models.CheckConstraint(condition=Q(self_points__gte=0), name="cellassessment_self_non_negative"),
            models.CheckConstraint(condition=Q(appraised_points__gte=0), name="cellassessment_appraised_non_negative"),
            models.CheckConstraint(
                condition=Q(self_not_applicable=False) | Q(self_points__isnull=True),
                name="cellassessment_self_points_or_not_applicable",
            ),
        ]

    def __str__(self):
        return f"{self.unit.code} · {self.criterion.code}"

    @property
    def self_value(self):
        """The self score as the engine reads it: points, not applicable, or None."""
        from scoring.engine import NOT_APPLICABLE

        return NOT_APPLICABLE if self.self_not_applicable else self.self_points


class AssessmentEvent(models.Model):
    """A step of the round, on a unit or one of its criteria: who, when, and the
    values before and after (the history the issue asks for, DESIGN §9)."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("round opened")
        DEADLINES = "deadlines", _("deadlines changed")
        SETTINGS = "settings", _("settings changed")
        PHASE_CLOSED = "phase_closed", _("phase closed")
        REOPENED = "reopened", _("reopened for the unit")
        SELF_SCORED = "self_scored", _("self-assessed")
        SUBMITTED = "submitted", _("submitted for appraisal")
        EVIDENCE_ADDED = "evidence_added", _("evidence added")
        EVIDENCE_REMOVED = "evidence_removed", _("evidence removed")
        EVIDENCE_PUBLIC = "evidence_public", _("evidence shown or hidden publicly")
        APPRAISED = "appraised", _("appraised")
        RETURNED = "returned", _("appraisal returned to the unit")
        EXPLAINED = "explained", _("explained by the unit")
        UNIT_EXPLAINED = "unit_explained", _("explanations finished")
        FINALISED = "finalised", _("final scores fixed")

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="events")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("step"), max_length=20, choices=Kind)
    user = _user(_("made by"))
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("assessment step")
        verbose_name_plural = _("assessment steps")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["round", "unit"], name="assessmentevent_round_unit")]

    def __str__(self):
        return f"{self.round.framework.slug} · {self.get_kind_display()}"


def evidence_name(evidence: "Evidence", filename: str) -> str:
    """A random name in the storage: the name the unit gave is kept in the row and
    only ever sent back as a download's name, never used as a path."""
    return f"evidence/{evidence.round_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file a unit gives as evidence (tài liệu kiểm chứng) for one criterion:
    stored under a random name through Django's storage API, read only through
    a view that checks the reader. Removing one keeps the file and the row."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to=evidence_name, max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = _user(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = _user(_("removed by"))
    is_public = models.BooleanField(_("public"), default=False)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["round", "unit"], name="evidence_round_unit")]

    def __str__(self):
        return self.name
