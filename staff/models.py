from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from scoring.models import Criterion, Framework
from units.models import Unit

_ROLE_UNITS = {
    "province_editor": _("a province, or no unit for the national frameworks"),
    "reviewer": _("a province, or no unit for the national frameworks"),
    "district_editor": _("a district"),
    "administrator": _("no unit"),
    "unit_respondent": _("the unit it answers for"),
}


class StaffRole(models.Model):
    """What a user may do, and where (DESIGN §1). A user may hold several roles.

    - province editor: the frameworks its province publishes (scope = the
      province's code; no unit = the national frameworks, scope ``VN``);
    - district editor: the scores of its district's communes, in its province's
      frameworks;
    - reviewer: sends a framework back or publishes it, in the same scopes as a
      province editor;
    - administrator: everything, the admin site included (imports, users, roles);
    - unit respondent (cán bộ đầu mối): one unit's own person in an assessment
      round: self-assesses that unit's criteria, and sees nothing else.
    """

    class Role(models.TextChoices):
        PROVINCE_EDITOR = "province_editor", _("province editor")
        DISTRICT_EDITOR = "district_editor", _("district editor")
        REVIEWER = "reviewer", _("reviewer")
        ADMINISTRATOR = "administrator", _("administrator")
        UNIT_RESPONDENT = "unit_respondent", _("unit respondent")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "A province for a province editor or reviewer (empty: the national frameworks), "
            "a district for a district editor, the unit a unit respondent answers for, "
            "empty for an administrator."
        ),
    )

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="staffrole_unique"),
            models.CheckConstraint(
                condition=~Q(role="district_editor") | Q(unit__isnull=False), name="staffrole_district_has_unit"
            ),
            models.CheckConstraint(
                condition=~Q(role="administrator") | Q(unit__isnull=True), name="staffrole_administrator_no_unit"
            ),
            models.CheckConstraint(
                condition=~Q(role="unit_respondent") | Q(unit__isnull=False), name="staffrole_respondent_has_unit"
            ),
        ]

    def __str__(self):
        where = f" · {self.unit}" if self.unit_id else ""
        return f"{self.user} · {self.get_role_display()}{where}"

    def clean(self):
        wanted = {
            self.Role.PROVINCE_EDITOR: {None, Unit.Kind.PROVINCE},
            self.Role.REVIEWER: {None, Unit.Kind.PROVINCE},
            self.Role.DISTRICT_EDITOR: {Unit.Kind.DISTRICT},
            self.Role.ADMINISTRATOR: {None},
        }.get(self.role, set())
        kind = self.unit.kind if self.unit_id else None
        if self.role == self.Role.UNIT_RESPONDENT:
            wanted = set(Unit.Kind)  # any unit that takes part: a department, a commune, a district
        if kind not in wanted:
            raise ValidationError({"unit": _("This role needs %(what)s.") % {"what": _ROLE_UNITS[self.role]}})


class AppraiserAssignment(models.Model):
    """Who appraises in a framework's assessment round (thẩm định): every unit and
    field, or only one field (a top-level criterion: the council member for
    "Cải cách thủ tục hành chính") and/or only one unit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="appraiser_assignments",
    )
    framework = models.ForeignKey(Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey(
        Criterion,
        verbose_name=_("field"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("A top-level criterion of the framework; empty: every field."),
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: every participant."),
    )

    class Meta:
        verbose_name = _("appraiser")
        verbose_name_plural = _("appraisers")
        constraints = [
            models.UniqueConstraint(fields=["user", "framework", "field", "unit"], name="appraiser_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.framework.slug}"

    def clean(self):
        if self.field_id and (self.field.framework_id != self.framework_id or self.field.parent_id is not None):
            raise ValidationError({"field": _("Choose a top-level criterion of this framework.")})


class Notification(models.Model):
    """A message the portal sent a user (and shows in the workspace): each ``key``
    (what it is about, e.g. a deadline's reminder) reaches a user once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]

    def __str__(self):
        return f"{self.user} · {self.subject}"
