from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cchc_portal.text import fold, slugify_vi


class UnitQuerySet(models.QuerySet):
    def search(self, query: str):
        """Units whose name or short name has every word of ``query``, regardless of
        case and diacritics ("dong phu" finds "Huyện Đồng Phú"), or whose code
        starts with it ("695")."""
        query = (query or "").strip()
        words = fold(query).split()
        if not words:
            return self.none()
        by_name = Q()
        for word in words:  # whole words: "phu" finds "Phú", not "Phường"
            by_name &= Q(search_name__contains=f" {word} ")
        return self.filter(by_name | Q(code__startswith=query))

    def valid_on(self, day: date):
        """Units in force on ``day``: an empty ``valid_from`` or ``valid_to`` is open-ended."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def codes_on(self, codes: Iterable[str], day: date) -> dict[str, int]:
        """{code: id} of the units in force on ``day`` with these codes: a GSO code is
        unique at any one time but may be reused later (DESIGN §2)."""
        return dict(self.valid_on(day).filter(code__in=list(codes)).values_list("code", "id"))


class Unit(models.Model):
    """An administrative or organisational unit: province, district, commune,
    department, ministry or other agency (DESIGN §2)."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")
        DEPARTMENT = "department", _("Department")
        MINISTRY = "ministry", _("Ministry or central agency")
        AGENCY = "agency", _("Other agency")

    code = models.CharField(
        _("code"),
        max_length=20,
        db_index=True,
        help_text=_("The official code. Unique at any one time; a code may be reused after a reorganisation."),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, db_index=True)
    search_name = models.CharField(
        _("search key"),
        max_length=400,
        db_index=True,
        editable=False,
        help_text=_("Name and short name without diacritics, for search."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    type_label = models.CharField(
        _("type label"), max_length=50, blank=True, help_text=_("For example Thị xã, Thành phố, Phường.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code", F("valid_from").asc(nulls_first=True)]
        constraints = [
            # A code names one unit at a time (the service checks that periods do not
            # overlap); these two catch the commonest overlaps in the database too.
            models.UniqueConstraint(fields=["code", "valid_from"], name="unit_code_valid_from_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_from__isnull=True), name="unit_code_unique_without_start"
            ),
            models.UniqueConstraint(fields=["code"], condition=Q(valid_to__isnull=True), name="unit_code_unique_open"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="unit_valid_to_after_valid_from",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="unit_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        """The profile page; a unit no longer in force is named by its code and a day
        it was in force, because its code may have passed to a successor."""
        url = reverse("public:unit_profile", args=[self.code])
        if self.valid_to is not None:
            url += "?" + urlencode({"on": self.valid_to.isoformat()})
        return url

    def overlaps(self, other: "Unit") -> bool:
        """Both in force on some day (empty dates are open-ended)."""
        self_first = other.valid_to is None or self.valid_from is None or self.valid_from <= other.valid_to
        other_first = self.valid_to is None or other.valid_from is None or other.valid_from <= self.valid_to
        return self_first and other_first

    def clean(self):
        super().clean()
        for other in Unit.objects.filter(code=self.code).exclude(pk=self.pk):
            if self.overlaps(other):
                raise ValidationError(
                    _("%(other)s holds code %(code)s during part of this period; a code names one unit at a time.")
                    % {"other": other.name, "code": self.code}
                )

    def covers(self, day: date | None) -> bool:
        """In force on ``day``; ``None`` stands for "since records began"."""
        starts_in_time = self.valid_from is None or (day is not None and self.valid_from <= day)
        return starts_in_time and (self.valid_to is None or day is None or day <= self.valid_to)

    def fill_derived_fields(self):
        """Set the slug and search key from the names; call before saving a new or renamed unit."""
        if not self.short_name:
            self.short_name = self.name
        self.slug = slugify_vi(self.short_name)
        # Padded with spaces, so that a search can ask for whole words (" phu ").
        self.search_name = f" {fold(f'{self.name} {self.short_name}')} "


class UnitLineage(models.Model):
    """Predecessor -> successor link: a rename that changed the code, a merge or a split."""

    class Kind(models.TextChoices):
        RENAME = "rename", _("Rename")
        MERGE = "merge", _("Merge")
        SPLIT = "split", _("Split")

    predecessor = models.ForeignKey(
        Unit, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        Unit, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="predecessor_links"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)

    class Meta:
        verbose_name = _("lineage link")
        verbose_name_plural = _("lineage links")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unit_lineage_unique_pair"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="unit_lineage_not_self"),
        ]

    def __str__(self):
        return f"{self.predecessor.code} → {self.successor.code} ({self.get_kind_display()})"

    @property
    def label(self) -> str:
        """The kind as a reader sees it: a "rename" that kept the name (a unit
        re-established unchanged in a reorganisation) reads "continued"."""
        if self.kind == self.Kind.RENAME and self.predecessor.name == self.successor.name:
            return _("Continued")
        return self.get_kind_display()


class Boundary(models.Model):
    """A unit's outline for the public maps: a GeoJSON Polygon or MultiPolygon in
    longitude and latitude (WGS 84), its coordinates rounded to 5 places, its
    rings closed and simplified for a drawn map (``outlines.simplified``), with
    its bounding box and where it came from (``services.boundaries_import``)."""

    unit = models.OneToOneField(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="boundary")
    geometry = models.JSONField(_("geometry"))
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()
    source = models.CharField(_("source"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self):
        return str(self.unit)

    def polygons(self) -> list:
        """The outline as a list of polygons, each a list of rings of (lon, lat) points."""
        if self.geometry["type"] == "Polygon":
            return [self.geometry["coordinates"]]
        return self.geometry["coordinates"]
