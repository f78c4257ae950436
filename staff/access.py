"""Who may do what, where: the one place staff permissions are decided. Every
staff view, form, download and API answer asks ``access_for(user)``; menus only
follow what it says.

A framework's *scope* is its publishing authority (a province's code, or ``VN``).
A role reaches the frameworks of one scope: a province editor's or reviewer's
province (no unit: ``VN``), a district editor's province. An administrator
reaches every framework. What a role may do there depends on the framework's
state (``Framework.status``):

- view, drafts too: every role;
- edit scores: province editors, district editors (only their communes' cells) and
  administrators, in a draft; in a published ranking (a correction, with a reason)
  province editors and administrators; nobody while in review;
- edit the framework (criteria, bands, participants), submit for review: province
  editors and administrators, in a draft;
- send back or publish: reviewers and administrators, in review;
- withdraw a publication: administrators.

A unit respondent reaches none of that: only its own unit's assessment, where it
self-assesses while the phase is open (``may_self_assess``); the staff of the
framework's scope read it (``may_read_assessment``). An appraiser is assigned per
framework, optionally per field or unit (``AppraiserAssignment``): it appraises
those cells (``appraised_fields``); a province editor of the scope appraises all.
"""

from enum import Enum
from functools import cached_property

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from scoring.models import Framework, Visibility
from staff.models import AppraiserAssignment, StaffRole
from units.models import Unit

Role = StaffRole.Role
NATIONAL = Framework.NATIONAL_SCOPE


class Action(Enum):
    VIEW = "view"
    EDIT_SCORES = "edit_scores"
    EDIT_FRAMEWORK = "edit_framework"
    TRANSLATE = "translate"  # the framework's English names
    SUBMIT = "submit"
    REVIEW = "review"  # send back to draft, or publish
    WITHDRAW = "withdraw"


_ROLES = {
    Action.VIEW: {Role.PROVINCE_EDITOR, Role.DISTRICT_EDITOR, Role.REVIEWER},
    Action.EDIT_SCORES: {Role.PROVINCE_EDITOR, Role.DISTRICT_EDITOR},
    Action.EDIT_FRAMEWORK: {Role.PROVINCE_EDITOR},
    Action.TRANSLATE: {Role.PROVINCE_EDITOR},
    Action.SUBMIT: {Role.PROVINCE_EDITOR},
    Action.REVIEW: {Role.REVIEWER},
    Action.WITHDRAW: set(),
}
_STATES = {
    Action.VIEW: set(Framework.Status),
    Action.EDIT_SCORES: {Framework.Status.DRAFT, Framework.Status.PUBLISHED},
    Action.EDIT_FRAMEWORK: {Framework.Status.DRAFT},
    Action.TRANSLATE: set(Framework.Status),  # English names change no figure
    Action.SUBMIT: {Framework.Status.DRAFT},
    Action.REVIEW: {Framework.Status.REVIEW},
    Action.WITHDRAW: {Framework.Status.PUBLISHED},
}


class Access:
    """One user's roles, read once (one query) and asked many times."""

    def __init__(self, user):
        self.user = user
        if user is None or not user.is_authenticated or not user.is_active:
            self.roles = []
        else:
            self.roles = list(StaffRole.objects.filter(user=user).select_related("unit__parent"))
        self.is_administrator = bool(user is not None and user.is_active and user.is_superuser) or any(
            role.role == Role.ADMINISTRATOR for role in self.roles
        )

    @property
    def is_staff(self) -> bool:
        """Whether the user has any role, or appraises in some round: the workspace is theirs."""
        return self.is_administrator or bool(self.roles) or self._appraises

    @cached_property
    def _appraises(self) -> bool:
        """Whether the user is assigned to appraise in some framework (one query, when asked)."""
        active = self.user is not None and self.user.is_authenticated and self.user.is_active
        return active and AppraiserAssignment.objects.filter(user=self.user).exists()

    def scopes(self, action: Action) -> set[str]:
        """The framework scopes where some role of the user may do ``action``."""
        scopes = set()
        for role in self.roles:
            if role.role not in _ROLES[action]:
                continue
            if role.role == Role.DISTRICT_EDITOR:
                scopes.add(_province_code(role))
            else:
                scopes.add(role.unit.code if role.unit_id else NATIONAL)
        return scopes

    def statistics_units(self) -> QuerySet | None:
        """The units whose dossier statistics the user may import: None for every
        unit (an administrator, a national editor); else those of the provinces
        the user edits (the province, its districts and departments, their
        communes), whichever unit held the province's code; none for the others."""
        scopes = self.scopes(Action.EDIT_FRAMEWORK)
        if self.is_administrator or NATIONAL in scopes:
            return None
        province = Unit.Kind.PROVINCE
        return Unit.objects.filter(
            Q(kind=province, code__in=scopes)
            | Q(parent__kind=province, parent__code__in=scopes)
            | Q(parent__parent__kind=province, parent__parent__code__in=scopes)
        )

    def visibility(self) -> Visibility:
        """The frameworks the user may see, as the public pages and the API take it."""
        return Visibility(frozenset(self.scopes(Action.VIEW)), every_scope=self.is_administrator)

    def frameworks(self, action: Action = Action.VIEW) -> QuerySet:
        """The frameworks where the user's roles reach for ``action``, whatever their state."""
        frameworks = Framework.objects.all()
        return frameworks if self.is_administrator else frameworks.filter(scope__in=self.scopes(action))

    def may(self, action: Action, framework: Framework) -> bool:
        """Whether the user may do ``action`` on this framework, in its present state."""
        if framework.status not in _STATES[action]:
            return False
        if action == Action.EDIT_SCORES and framework.mode != Framework.Mode.COMPUTED:
            return False
        if self.is_administrator:
            return True
        if action == Action.EDIT_SCORES and framework.status == Framework.Status.PUBLISHED:
            return framework.scope in self._province_editor_scopes()  # a correction: the department's own
        return framework.scope in self.scopes(action)

    def unit_filter(self, framework: Framework) -> Q | None:
        """Which participants' scores the user may edit in ``framework`` (which it
        may edit, ``may``): None for all of them, else a filter on units."""
        if self.is_administrator or framework.scope in self._province_editor_scopes():
            return None
        districts = [
            role.unit_id
            for role in self.roles
            if role.role == Role.DISTRICT_EDITOR and _province_code(role) == framework.scope
        ]
        return Q(parent_id__in=districts)

    def listed_filter(self, framework: Framework) -> Q | None:
        """Which participants the framework's page and criterion grids list for the
        user (which may see ``framework``): None for all of them, as an
        administrator, a reviewer or a province editor of its scope reads every
        grid; a district editor's communes otherwise (``unit_filter``)."""
        reads_all = self._scopes_of(Role.PROVINCE_EDITOR) | self._scopes_of(Role.REVIEWER)
        if self.is_administrator or framework.scope in reads_all:
            return None
        return self.unit_filter(framework)

    def editable_units(self, framework: Framework) -> set[int] | None:
        """The ids of the participants whose scores the user may edit in ``framework``
        (which it may edit, ``may``): None for all of them. One query, none for all."""
        unit_filter = self.unit_filter(framework)
        if unit_filter is None:
            return None
        return set(framework.participants.filter(unit_filter).values_list("pk", flat=True))

    def may_edit_unit(self, framework: Framework, unit: Unit) -> bool:
        unit_filter = self.unit_filter(framework)
        return unit_filter is None or Unit.objects.filter(unit_filter, pk=unit.pk).exists()

    def respondent_units(self) -> set[int]:
        """The ids of the units the user answers for (unit respondent roles)."""
        return {role.unit_id for role in self.roles if role.role == Role.UNIT_RESPONDENT}

    def may_self_assess(self, unit: Unit) -> bool:
        """Whether the user is ``unit``'s own person (the phase may still be closed)."""
        return unit.pk in self.respondent_units()

    def may_show_evidence(self, framework: Framework) -> bool:
        """Whether the user decides which evidence files of ``framework`` are
        public: its province's editors (in any state) or an administrator."""
        return self.is_administrator or framework.scope in self._province_editor_scopes()

    def may_read_assessment(self, framework: Framework, unit: Unit) -> bool:
        """Whether the user may read ``unit``'s assessment in ``framework``: its own
        person, its appraisers, or the staff who read that unit's grid there."""
        if self.may_self_assess(unit) or self.is_administrator or self.appraised_fields(framework, unit) != set():
            return True
        if framework.scope not in self.scopes(Action.VIEW):
            return False
        listed = self.listed_filter(framework)
        return listed is None or Unit.objects.filter(listed, pk=unit.pk).exists()

    def appraised_fields(self, framework: Framework, unit: Unit) -> set[str] | None:
        """The top-level criteria (codes) of ``unit`` the user appraises in
        ``framework``: None for every field (an administrator, a province editor
        of its scope, an appraiser of every field), an empty set for none. One query."""
        if self.is_administrator or framework.scope in self._province_editor_scopes():
            return None
        if self.user is None or not self.user.is_authenticated:
            return set()
        assignments = AppraiserAssignment.objects.filter(user=self.user, framework=framework)
        fields = set()
        for field_code in assignments.filter(Q(unit=None) | Q(unit=unit)).values_list("field__code", flat=True):
            if field_code is None:
                return None
            fields.add(field_code)
        return fields

    def _province_editor_scopes(self) -> set[str]:
        return self._scopes_of(Role.PROVINCE_EDITOR)

    def _scopes_of(self, kind: str) -> set[str]:
        """The scopes of the user's roles of this kind (a province's code, or VN)."""
        return {role.unit.code if role.unit_id else NATIONAL for role in self.roles if role.role == kind}


def _province_code(role: StaffRole) -> str:
    """A district editor's province: the scope of the frameworks its communes are in."""
    return role.unit.parent.code if role.unit.parent_id else ""


def access_for(user) -> Access:
    """The user's ``Access``, kept on the user object for the request."""
    if user is None:
        return Access(None)
    access = getattr(user, "_staff_access", None)
    if access is None:
        access = user._staff_access = Access(user)
    return access


def creatable_scopes(access: Access) -> dict[str, str]:
    """The scopes where the user may create a framework, with their labels
    ("70 · Tỉnh Bình Phước"): where a role of theirs edits frameworks; for an
    administrator, every province's code and VN."""
    provinces = Unit.objects.filter(kind=Unit.Kind.PROVINCE)
    if access.is_administrator:
        held = {NATIONAL, *provinces.values_list("code", flat=True)}
    else:
        held = access.scopes(Action.EDIT_FRAMEWORK)
    # A code is reused after a reorganisation: the latest unit to hold it names it.
    names = dict(provinces.filter(code__in=held).order_by("code", "valid_from").values_list("code", "name"))
    names[NATIONAL] = _("national")
    return {
        code: f"{code} · {names[code]}" if code in names else code
        for code in sorted(held, key=lambda code: (code != NATIONAL, code))
    }


def may_create_frameworks(access: Access) -> bool:
    return access.is_administrator or bool(access.scopes(Action.EDIT_FRAMEWORK))
