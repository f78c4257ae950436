from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cchc_portal.languages import in_language
from scoring import engine
from units.models import Unit

POINTS = {"max_digits": 7, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Index(models.Model):
    """A scoring scheme: PAR INDEX (``cchc``) first; DDCI, SIPAS and others fit too."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=50)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("index")
        verbose_name_plural = _("indexes")
        ordering = ["slug"]

    def __str__(self):
        return self.short_name or self.name

    @property
    def local_name(self) -> str:
        """Its short name, or on a page in another language its English name
        (``cchc_portal.languages.in_language``)."""
        return in_language(str(self), self.name_en)


# Created by migration 0002_reference_data; the national scheme is "Quốc gia (A, B, C)".
DEFAULT_BAND_SCHEME = "Mặc định (Xuất sắc, Tốt, Khá, Trung bình, Yếu)"


class BandScheme(models.Model):
    """Named list of bands, shared by frameworks (default: Xuất sắc ≥ 90 … Yếu)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("band scheme")
        verbose_name_plural = _("band schemes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Band(models.Model):
    """One band: an index at or above ``lower_bound`` (and below the next band up) gets ``label``."""

    scheme = models.ForeignKey(BandScheme, on_delete=models.CASCADE, related_name="bands")
    label = models.CharField(_("label"), max_length=50)
    label_en = models.CharField(
        _("label in English"), max_length=50, blank=True, help_text=_("Shown on English pages and downloads.")
    )
    lower_bound = models.DecimalField(_("lower bound"), max_digits=5, decimal_places=2, validators=NON_NEGATIVE)

    class Meta:
        verbose_name = _("band")
        verbose_name_plural = _("bands")
        ordering = ["scheme", "-lower_bound"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "lower_bound"], name="band_unique_bound"),
            models.UniqueConstraint(fields=["scheme", "label"], name="band_unique_label"),
            models.CheckConstraint(
                condition=Q(lower_bound__gte=0) & Q(lower_bound__lte=100), name="band_bound_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.label} ≥ {self.lower_bound}"

    @property
    def local_label(self) -> str:
        """The label in the page's language (``cchc_portal.languages.in_language``)."""
        return in_language(self.label, self.label_en)


@dataclass(frozen=True)
class Visibility:
    """Which frameworks a reader may see: every published one, and the drafts of
    ``scopes`` (of every scope when ``every_scope``). The public sees ``PUBLIC``;
    the staff app works out a signed-in user's (``staff.access``) and hands it to
    the views as ``request.visibility``: the domain never asks who the user is."""

    scopes: frozenset[str] = frozenset()
    every_scope: bool = False


PUBLIC = Visibility()


class FrameworkQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication__isnull=False)

    def visible(self, visibility: Visibility):
        """The frameworks ``visibility`` shows (``Visibility``)."""
        if visibility.every_scope:
            return self
        if visibility.scopes:
            return self.filter(Q(publication__isnull=False) | Q(scope__in=visibility.scopes))
        return self.published()

    def same_series(self, framework):
        """Rounds of the same index, scope and block as ``framework``, any period:
        yearly rounds for a yearly one, monthly rounds for a monthly one."""
        rounds = self.filter(index_id=framework.index_id, scope=framework.scope, block=framework.block)
        return rounds.filter(month__gt=0) if framework.month else rounds.filter(month=0)

    def previous_round(self, framework):
        """The published round of the period before (the year before; for a monthly
        round the month before), which deltas compare with (DESIGN §3 rule 7)."""
        year, month = period_step(framework.year, framework.month, -1)
        return self.published().same_series(framework).filter(year=year, month=month).first()

    def following_round(self, framework):
        """The round of the period after, published or not, whose deltas compare with this one."""
        year, month = period_step(framework.year, framework.month, 1)
        return self.same_series(framework).filter(year=year, month=month).first()


def period_step(year: int, month: int, step: int) -> tuple[int, int]:
    """The (year, month) ``step`` rounds away: years for a yearly round (month 0),
    months for a monthly one (December 2024 + 1 is January 2025)."""
    if not month:
        return year + step, 0
    months = year * 12 + month - 1 + step
    return months // 12, months % 12 + 1


def period_label(year: int, month: int) -> str:
    """ "2024", or "5/2024" for a monthly round (as Vietnamese writes a month)."""
    return f"{month}/{year}" if month else str(year)


class Framework(models.Model):
    """One scoring round: index × year × scope × block, with its criteria tree,
    participants, band scheme and (once public) its publication."""

    class Block(models.TextChoices):
        PROVINCE = "province", _("Provinces")
        DISTRICT = "district", _("District-level units")
        COMMUNE = "commune", _("Communes")
        DEPARTMENT = "department", _("Departments and agencies")
        MINISTRY = "ministry", _("Ministries and central agencies")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("in review")
        PUBLISHED = "published", _("published")

    class Mode(models.TextChoices):
        COMPUTED = "computed", _("Computed from criterion scores")
        PUBLISHED = "published", _("Published results only")

    # The scope of a national framework (every other scope is a province's code).
    NATIONAL_SCOPE = "VN"

    index = models.ForeignKey(Index, verbose_name=_("index"), on_delete=models.PROTECT, related_name="frameworks")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(
        _("month"),
        default=0,
        validators=[MaxValueValidator(12)],
        help_text=_("1–12 for a monthly round (such as the 766 service index); 0 for a yearly one."),
    )
    scope = models.CharField(
        _("scope"), max_length=10, help_text=_("The publishing authority: a province code, or VN for national.")
    )
    block = models.CharField(_("block"), max_length=20, choices=Block.choices)
    block_name = models.CharField(
        _("block name"), max_length=200, blank=True, help_text=_("As published, e.g. Khối sở, ban, ngành.")
    )
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(
        _("name in English"), max_length=300, blank=True, help_text=_("Shown on English pages and downloads.")
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.COMPUTED)
    band_scheme = models.ForeignKey(
        BandScheme, verbose_name=_("band scheme"), on_delete=models.PROTECT, related_name="frameworks"
    )
    participants = models.ManyToManyField(Unit, verbose_name=_("participants"), related_name="frameworks", blank=True)
    source_note = models.TextField(
        _("source"), blank=True, help_text=_("Where the published figures come from (decision, article).")
    )
    source_note_en = models.TextField(_("source in English"), blank=True)
    in_review = models.BooleanField(
        _("in review"), default=False, editable=False, help_text=_("Submitted for review; scores are locked.")
    )
    results_version = models.PositiveIntegerField(_("results version"), default=0, editable=False)
    results_updated_at = models.DateTimeField(_("results updated at"), null=True, blank=True, editable=False)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["-year", "-month", "scope", "block"]
        constraints = [
            models.UniqueConstraint(fields=["index", "year", "month", "scope", "block"], name="framework_unique_round"),
            models.CheckConstraint(condition=Q(month__lte=12), name="framework_month_valid"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("public:ranking", kwargs={"slug": self.slug})

    @property
    def block_display(self):
        """The block as published ("Khối sở, ban, ngành") on Vietnamese pages; in
        another language the block's own name there (a published name is Vietnamese)."""
        if self.block_name and get_language() in (None, settings.LANGUAGE_CODE):
            return self.block_name
        return self.get_block_display()

    @property
    def local_name(self) -> str:
        """The name in the page's language (``cchc_portal.languages.in_language``)."""
        return in_language(self.name, self.name_en)

    @property
    def local_source_note(self) -> str:
        return in_language(self.source_note, self.source_note_en)

    @property
    def is_published(self) -> bool:
        return hasattr(self, "publication")

    @property
    def status(self) -> "Framework.Status":
        """Draft → in review → published (a correction keeps it published)."""
        if self.is_published:
            return self.Status.PUBLISHED
        return self.Status.REVIEW if self.in_review else self.Status.DRAFT

    @property
    def status_label(self) -> str:
        return self.Status(self.status).label

    @property
    def period_label(self) -> str:
        """The period assessed: "2024", or "5/2024" for a monthly round."""
        return period_label(self.year, self.month)

    @property
    def period_display(self) -> str:
        """ "Năm 2024" / "Year 2024", or "Tháng 5/2024" / "Month 5/2024"."""
        if self.month:
            return _("Month %(period)s") % {"period": self.period_label}
        return _("Year %(period)s") % {"period": self.period_label}

    @property
    def reference_date(self) -> date:
        """The day unit codes are read as of: the end of the assessed year (of the
        month, for a monthly round). Codes are reused (DESIGN §2), so "19" in a
        2024 table is the old Thái Nguyên and in a 2025 table the merged one."""
        if self.month:
            year, month = period_step(self.year, self.month, 1)
            return date(year, month, 1) - timedelta(days=1)
        return date(self.year, 12, 31)


# The units' kinds each block ranks.
BLOCK_KINDS = {
    Framework.Block.PROVINCE: (Unit.Kind.PROVINCE,),
    Framework.Block.DISTRICT: (Unit.Kind.DISTRICT,),
    Framework.Block.COMMUNE: (Unit.Kind.COMMUNE,),
    Framework.Block.DEPARTMENT: (Unit.Kind.DEPARTMENT, Unit.Kind.AGENCY),
    Framework.Block.MINISTRY: (Unit.Kind.MINISTRY, Unit.Kind.AGENCY),
}


def units_rankable(*, year: int, scope: str, block: str, on: date | None = None):
    """The units a framework of this year, scope and block may rank (the rule its
    participants and imports are checked by): units of the block's kinds in force at
    the end of the year (or on ``on``: a monthly round's last day), under the scope's
    province (directly or through a district)
    unless the scope is national."""
    units = Unit.objects.valid_on(on or date(year, 12, 31)).filter(kind__in=BLOCK_KINDS[block])
    if scope != Framework.NATIONAL_SCOPE:
        units = units.filter(Q(parent__code=scope) | Q(parent__parent__code=scope))
    return units.order_by("code")


def participant_parents(framework: Framework):
    """The units whose children may take part in ``framework``: for a province's
    framework, that province and its units (districts, departments) in force at
    the end of the year; for a national one, every province then."""
    units = Unit.objects.valid_on(framework.reference_date)
    if framework.scope == Framework.NATIONAL_SCOPE:
        return units.filter(kind=Unit.Kind.PROVINCE).order_by("code")
    return units.filter(
        Q(kind=Unit.Kind.PROVINCE, code=framework.scope)
        | Q(parent__kind=Unit.Kind.PROVINCE, parent__code=framework.scope)
    ).order_by("kind", "code")


class Criterion(models.Model):
    """A node of a framework's criteria tree. The parent follows from the code's
    dots ("1.2" is under "1"); a parent's maximum equals the sum of its children's."""

    class Kind(models.TextChoices):
        NORMAL = "normal", _("Normal")
        BONUS = "bonus", _("Bonus")
        PENALTY = "penalty", _("Penalty")

    class Component(models.TextChoices):
        APPRAISAL = "appraisal", _("Appraisal")
        SURVEY = "survey", _("Sociological survey")

    # Indexed by the (framework, code) unique constraint, which leads with it.
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria", db_index=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("name in English"), max_length=500, blank=True)
    max_points = models.DecimalField(_("maximum points"), validators=NON_NEGATIVE, **POINTS)
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NORMAL)
    component = models.CharField(_("component"), max_length=10, choices=Component.choices, default=Component.APPRAISAL)
    is_leaf = models.BooleanField(_("leaf"), default=True, editable=False)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="criterion_unique_code"),
            models.CheckConstraint(condition=Q(max_points__gte=0), name="criterion_max_non_negative"),
        ]

    def __str__(self):
        return f"{self.code}. {self.name}"

    @property
    def local_name(self) -> str:
        """The name in the page's language (``cchc_portal.languages.in_language``)."""
        return in_language(self.name, self.name_en)

    @property
    def depth(self):
        return self.code.count(".")

    @property
    def node(self) -> engine.CriterionNode:
        """The criterion as the engine reads it."""
        return engine.CriterionNode(self.code, self.max_points, self.kind)


class Score(models.Model):
    """Points of one unit on one leaf criterion, or not applicable (không áp dụng)."""

    # Indexed by the (criterion, unit) unique constraint; one index less to keep up on bulk writes.
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="scores", db_index=False
    )
    # Not indexed either: every read of scores goes by framework (its criteria), and
    # the index cost a national import a tenth of its write. Deleting a unit (rare:
    # units get an end date instead) scans the table for its scores.
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="scores", db_index=False
    )
    points = models.DecimalField(_("points"), null=True, blank=True, validators=NON_NEGATIVE, **POINTS)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    self_assessed_points = models.DecimalField(
        _("self-assessed points"), null=True, blank=True, validators=NON_NEGATIVE, **POINTS
    )
    note = models.TextField(_("note"), blank=True)
    # The database's clock for the bulk writes, which leave the column out: parsing
    # 400,000 timestamps costs PostgreSQL a quarter of a national import's COPY.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())
    # The audit trail of a cell: the revision that created it, then a ScoreChange
    # per later change. Creation has no row of its own: a national import creates
    # 400,000 cells, and their old value is "nothing".
    created_in = models.ForeignKey(
        "Revision",
        verbose_name=_("created in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        # The revision is made in the same transaction; a deferred foreign-key check
        # per created cell would cost PostgreSQL 400,000 trigger calls at commit.
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "unit"], name="score_unique_cell"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_points_non_negative"),
            models.CheckConstraint(condition=Q(self_assessed_points__gte=0), name="score_self_assessed_non_negative"),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(points__isnull=True), name="score_not_applicable_has_no_points"
            ),
        ]

    def __str__(self):
        value = _("not applicable") if self.not_applicable else self.points
        return f"{self.unit.code} · {self.criterion.code}: {value}"


class ResultQuerySet(models.QuerySet):
    def published(self):
        return self.filter(framework__publication__isnull=False)


class Result(models.Model):
    """A unit's stored result in a framework, recomputed by
    ``scoring.services.framework_results_recompute`` whenever scores change."""

    # Indexed by the (framework, unit) unique constraint, which leads with it.
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="results", db_index=False)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="results")
    unit_name = models.CharField(
        _("name as published"), max_length=200, blank=True, help_text=_("The unit's name in that year's decision.")
    )
    # Top-level criterion code -> points, and -> change since the previous result;
    # Decimals kept as strings ("13.96") so nothing passes through float.
    field_points = models.JSONField(_("field subtotals"), default=dict, blank=True)
    field_deltas = models.JSONField(_("field changes"), default=dict, blank=True)
    total_points = models.DecimalField(_("total points"), null=True, blank=True, max_digits=8, decimal_places=2)
    applicable_max = models.DecimalField(_("applicable maximum"), null=True, blank=True, max_digits=8, decimal_places=2)
    index = models.DecimalField(_("index"), null=True, blank=True, max_digits=5, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    tied = models.BooleanField(_("tied"), default=False)
    band = models.CharField(_("band"), max_length=50, blank=True)
    published_rank = models.PositiveIntegerField(
        _("published rank"), null=True, blank=True, help_text=_("Published mode: the rank the decision states.")
    )
    previous = models.ForeignKey(
        "self", verbose_name=_("previous result"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delta_index = models.DecimalField(_("change of index"), null=True, blank=True, max_digits=6, decimal_places=2)
    delta_rank = models.IntegerField(_("change of rank"), null=True, blank=True)
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Invented figures for the demonstration, not published ones.")
    )

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(fields=["framework", "unit"], name="result_unique_unit"),
            models.CheckConstraint(condition=Q(index__gte=0) & Q(index__lte=100), name="result_index_in_range"),
        ]
        # A ranking page reads its hundred rows in rank order from here, not by sorting the
        # block (PostgreSQL's ascending index puts nulls last, as the pages order them).
        indexes = [models.Index(fields=["framework", "rank"], name="result_rank_order")]

    def __str__(self):
        return f"{self.framework.slug} · {self.unit.code}: {self.index}"

    @property
    def display_name(self):
        return self.unit_name or self.unit.name

    @property
    def change_is_sample(self) -> bool:
        """Real figures whose changes compare with last year's invented ones.
        Reads ``previous``: select it."""
        return not self.is_sample and self.previous_id is not None and self.previous.is_sample

    @property
    def rank_disagrees(self):
        return self.published_rank is not None and self.rank is not None and self.published_rank != self.rank


class Publication(models.Model):
    """The decision that made a framework's results public; without one a framework is a draft."""

    framework = models.OneToOneField(Framework, on_delete=models.CASCADE, related_name="publication")
    decision_number = models.CharField(_("decision number"), max_length=100)
    decision_date = models.DateField(_("decision date"))
    signer = models.CharField(_("signing body"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    corrected_at = models.DateTimeField(
        _("last corrected at"), null=True, blank=True, editable=False, help_text=_("The last correction's time.")
    )
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("The decision number and date are invented for the demonstration.")
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self):
        return f"{self.decision_number} ({self.decision_date})"


def _made_by() -> models.ForeignKey:
    """Who made a revision or a workflow step; kept when the user is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class FrameworkEvent(models.Model):
    """A step of a framework's workflow: who sent it for review, sent it back,
    published or withdrew it, and when (the figures' changes are ``Revision``)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("submitted for review")
        TRANSLATED = "translated", _("English names changed")
        RETURNED = "returned", _("sent back to draft")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("publication withdrawn")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    user = _made_by()
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.framework.slug} · {self.get_action_display()}"


class Revision(models.Model):
    """One write that changed a framework's figures: who, when, why and from what
    (an import file, the admin). Its ``changes`` hold every cell's old and new
    value. A correction of a published framework needs a reason and keeps the
    published figures it replaced in ``results_before``."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="revisions")
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    user = _made_by()
    reason = models.TextField(_("reason"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True, help_text=_("The imported file, or the form."))
    cells_created = models.PositiveIntegerField(_("cells created"), default=0)
    cells_changed = models.PositiveIntegerField(_("cells changed"), default=0)
    results_before = models.JSONField(
        _("published figures before"),
        null=True,
        blank=True,
        help_text=_("A correction of a published framework: each unit's index and rank as published."),
    )

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.framework.slug} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_correction(self):
        return self.results_before is not None


class ScoreChange(models.Model):
    """One change of a stored score cell in one revision: old and new value. The
    revision that created the cell is ``Score.created_in``."""

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="changes")
    # Indexed by the (criterion, unit) index below, which leads with it.
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    old_points = models.DecimalField(_("old points"), null=True, blank=True, **POINTS)
    new_points = models.DecimalField(_("new points"), null=True, blank=True, **POINTS)
    old_not_applicable = models.BooleanField(_("was not applicable"), default=False)
    new_not_applicable = models.BooleanField(_("not applicable"), default=False)
    old_self_assessed_points = models.DecimalField(_("old self-assessed points"), null=True, blank=True, **POINTS)
    new_self_assessed_points = models.DecimalField(_("new self-assessed points"), null=True, blank=True, **POINTS)
    old_note = models.TextField(_("old note"), blank=True)
    new_note = models.TextField(_("new note"), blank=True)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        indexes = [models.Index(fields=["criterion", "unit"], name="scorechange_cell")]

    def __str__(self):
        return f"{self.unit_id} · {self.criterion_id}: {self.old_points} → {self.new_points}"


class ImportJob(models.Model):
    """A file uploaded in the admin and imported in the background: checked first
    (a preview, or every problem), then written once a person confirms. The
    file is kept in the database until it is imported, so any worker can read it."""

    class Kind(models.TextChoices):
        SCORES = "scores", _("scores")
        RESULTS = "results", _("published results")

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting to be checked")
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("checked: waiting for confirmation")
        INVALID = "invalid", _("has problems: nothing written")
        CONFIRMED = "confirmed", _("confirmed: waiting to be imported")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed: nothing written")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    file_name = models.CharField(_("file"), max_length=255)
    data = models.BinaryField(editable=False)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(max_length=10, default="vi", editable=False)
    # A staff editor's upload in the workspace: the ids of the units it may write (null:
    # every participant, as an administrator's), and what its revision records as its source.
    units = models.JSONField(null=True, editable=False)
    origin = models.CharField(max_length=300, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.WAITING)
    rows_done = models.PositiveIntegerField(default=0, editable=False)
    rows_total = models.PositiveIntegerField(default=0, editable=False)
    preview = models.JSONField(null=True, editable=False)
    revision = models.ForeignKey(
        Revision, verbose_name=_("revision"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} → {self.framework.slug}"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.WAITING, self.Status.CHECKING, self.Status.CONFIRMED, self.Status.IMPORTING}

    @property
    def percent(self) -> int:
        return 100 * self.rows_done // self.rows_total if self.rows_total else 0
