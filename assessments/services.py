"""Every write of the assessment cycle (DESIGN §9), each in one transaction, each
recorded as an ``AssessmentEvent`` (who, when, before and after). Problems are
raised together as ``ScoringInputError``: nothing is written.

This first part: opening a round with its deadlines, changing them, closing a
phase, reopening a unit's work with a reason, the unit's self-assessment and its
submission. Evidence files: ``assessments.evidence``."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import (
    DEADLINE_FIELDS,
    PHASES,
    AssessmentEvent,
    AssessmentRound,
    CellAssessment,
    Evidence,
    Phase,
    UnitAssessment,
)
from scoring import engine
from scoring.forms import NOTE_MAX_LENGTH
from scoring.models import Framework
from scoring.services.common import (
    TWO_PLACES,
    ScoringInputError,
    amount_problem,
    framework_named,
    public_version_bump,
)

Kind = AssessmentEvent.Kind
Status = UnitAssessment.Status
_SELF_POINTS = gettext_lazy("self-assessed points")


@dataclass(frozen=True)
class Deadlines:
    """The end of each phase, in order."""

    self_assessment: datetime
    appraisal: datetime
    explanation: datetime
    finalisation: datetime

    def as_fields(self) -> dict[str, datetime]:
        return dict(zip(DEADLINE_FIELDS.values(), self._values(), strict=True))

    def _values(self) -> list[datetime]:
        return [self.self_assessment, self.appraisal, self.explanation, self.finalisation]

    def problems(self) -> list[str]:
        values = self._values()
        if any(timezone.is_naive(value) for value in values):
            return [_("every deadline needs a time zone")]
        if values != sorted(values):
            return [
                _("the deadlines must follow the phases' order: self-assessment, appraisal, explanation, finalisation")
            ]
        return []


def _event(round_, kind, *, user, unit=None, criterion=None, before=None, after=None, note=""):
    return AssessmentEvent(
        round=round_, kind=kind, user=user, unit=unit, criterion=criterion, before=before, after=after, note=note
    )


def _stamp(value: datetime) -> str:
    return value.isoformat()


@transaction.atomic
def round_open(*, framework: Framework, deadlines: Deadlines, user=None) -> AssessmentRound:
    """Open a draft, computed framework to its participants for self-assessment,
    with a deadline per phase; each participant gets its ``UnitAssessment``."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    problems = deadlines.problems()
    if framework.status != Framework.Status.DRAFT or framework.mode != Framework.Mode.COMPUTED:
        problems.append(
            _("framework %(framework)s is not a draft computed from scores: it cannot be opened for assessment")
            % {"framework": framework_named(framework)}
        )
    if AssessmentRound.objects.filter(framework=framework).exists():
        problems.append(
            _("framework %(framework)s is already open for assessment") % {"framework": framework_named(framework)}
        )
    participants = list(framework.participants.values_list("pk", flat=True))
    if not participants:
        problems.append(_("framework %(framework)s has no participants") % {"framework": framework_named(framework)})
    if problems:
        raise ScoringInputError(problems)
    round_ = AssessmentRound.objects.create(framework=framework, opened_by=user, **deadlines.as_fields())
    UnitAssessment.objects.bulk_create([UnitAssessment(round=round_, unit_id=unit_id) for unit_id in participants])
    after = {field: _stamp(value) for field, value in deadlines.as_fields().items()}
    _event(round_, Kind.OPENED, user=user, after=after).save()
    return round_


def _round_locked(round_: AssessmentRound) -> AssessmentRound:
    """The round, locked until the transaction ends: its steps take turns."""
    return AssessmentRound.objects.select_for_update().select_related("framework").get(pk=round_.pk)


@transaction.atomic
def round_deadlines_set(*, round: AssessmentRound, deadlines: Deadlines, user=None) -> AssessmentRound:
    """Move the round's deadlines (extend a phase, or shorten one still ahead)."""
    round_ = _round_locked(round)
    problems = deadlines.problems()
    if round_.phase == Phase.CLOSED:
        problems.append(_("the round is closed"))
    if problems:
        raise ScoringInputError(problems)
    before = {field: _stamp(getattr(round_, field)) for field in DEADLINE_FIELDS.values()}
    for field, value in deadlines.as_fields().items():
        setattr(round_, field, value)
    after = {field: _stamp(getattr(round_, field)) for field in DEADLINE_FIELDS.values()}
    if after != before:
        round_.save(update_fields=list(DEADLINE_FIELDS.values()))
        _event(round_, Kind.DEADLINES, user=user, before=before, after=after).save()
    return round_


@transaction.atomic
def round_phase_close(*, round: AssessmentRound, user=None) -> AssessmentRound:
    """Close the current phase and open the next; the units' reopenings end with it."""
    round_ = _round_locked(round)
    if round_.phase == Phase.CLOSED:
        raise ScoringInputError([_("the round is closed")])
    before = round_.phase
    round_.phase = PHASES[PHASES.index(before) + 1]
    round_.save(update_fields=["phase"])
    round_.units.exclude(reopened_until=None).update(reopened_until=None, reopen_reason="")
    _event(round_, Kind.PHASE_CLOSED, user=user, before={"phase": before}, after={"phase": round_.phase}).save()
    return round_


def unit_is_open(unit: UnitAssessment, phase: str, now: datetime | None = None) -> bool:
    """Whether the unit's work of ``phase`` may go on: the round is in that phase
    and its deadline has not passed, or the unit's own deadline after a
    reopening has not. A unit reopened while still self-assessing may finish
    its self-assessment whatever phase the round has reached (until it closes)."""
    round_, now = unit.round, now or timezone.now()
    reopened = unit.reopened_until is not None and now <= unit.reopened_until and round_.phase != Phase.CLOSED
    if phase == Phase.SELF_ASSESSMENT and unit.status == Status.SELF_ASSESSING and reopened:
        return True
    return round_.phase == phase and (now <= round_.deadline(phase) or reopened)


@transaction.atomic
def unit_reopen(*, unit: UnitAssessment, until: datetime, reason: str, user=None) -> UnitAssessment:
    """Give one unit until ``until`` for the round's current phase, with the
    reason recorded; a unit that submitted its self-assessment may change it again."""
    round_ = _round_locked(unit.round)
    unit = UnitAssessment.objects.select_for_update().get(pk=unit.pk)
    problems = []
    if not reason.strip():
        problems.append(_("say why the unit's work is reopened"))
    elif len(reason) > NOTE_MAX_LENGTH:
        problems.append(_("the reason has more than %(limit)s characters") % {"limit": NOTE_MAX_LENGTH})
    if round_.phase == Phase.CLOSED:
        problems.append(_("the round is closed"))
    if timezone.is_naive(until) or until <= timezone.now():
        problems.append(_("the new deadline must be in the future"))
    if problems:
        raise ScoringInputError(problems)
    before = {"status": unit.status, "reopened_until": unit.reopened_until and _stamp(unit.reopened_until)}
    unit.reopened_until, unit.reopen_reason = until, reason.strip()
    if round_.phase == Phase.SELF_ASSESSMENT and unit.status == Status.SUBMITTED:  # to change its submission
        unit.status, unit.submitted_at = Status.SELF_ASSESSING, None
    unit.save()
    after = {"status": unit.status, "reopened_until": _stamp(until), "phase": round_.phase}
    _event(round_, Kind.REOPENED, user=user, unit=unit.unit, before=before, after=after, note=unit.reopen_reason).save()
    return unit


@dataclass(frozen=True)
class SelfEntry:
    """A leaf criterion as the unit scores it: points, ``engine.NOT_APPLICABLE``
    (with ``reason``) or None (not yet); ``explanation``: how it came to them."""

    criterion_code: str
    value: engine.ScoreValue
    reason: str = ""
    explanation: str = ""


def _self_state(cell: CellAssessment | None) -> dict:
    if cell is None:
        return {"points": None, "not_applicable": False, "reason": "", "explanation": ""}
    return {
        "points": None if cell.self_points is None else str(cell.self_points.quantize(TWO_PLACES)),
        "not_applicable": cell.self_not_applicable,
        "reason": cell.self_reason,
        "explanation": cell.self_explanation,
    }


def _locked_open(unit: UnitAssessment, now: datetime | None) -> tuple[AssessmentRound, UnitAssessment]:
    """The round and the unit, locked, when the unit may still self-assess; else every reason why not."""
    round_ = _round_locked(unit.round)
    unit = UnitAssessment.objects.select_for_update().select_related("unit").get(pk=unit.pk)
    unit.round = round_
    problems = []
    if not unit_is_open(unit, Phase.SELF_ASSESSMENT, now):
        deadline = round_.deadline(Phase.SELF_ASSESSMENT)
        problems.append(
            _("self-assessment is closed for %(unit)s (deadline %(deadline)s)")
            % {"unit": unit.unit.name, "deadline": date_format(timezone.localtime(deadline), "SHORT_DATETIME_FORMAT")}
        )
    elif unit.status != Status.SELF_ASSESSING:
        problems.append(
            _("%(unit)s has submitted its self-assessment: it can be read, not changed") % {"unit": unit.unit.name}
        )
    if problems:
        raise ScoringInputError(problems)
    return round_, unit


@transaction.atomic
def self_scores_set(*, unit: UnitAssessment, entries: list[SelfEntry], user=None, now: datetime | None = None) -> int:
    """Store the unit's self-assessment of some leaf criteria while it is open:
    points in 0..maximum with 2 places, or not applicable with a reason, and an
    explanation. Every problem names its criterion; then nothing is written.
    Returns how many criteria changed, each one an event with before and after."""
    round_, unit = _locked_open(unit, now)
    criteria = {criterion.code: criterion for criterion in round_.framework.criteria.filter(is_leaf=True)}
    stored = {cell.criterion_id: cell for cell in CellAssessment.objects.filter(round=round_, unit=unit.unit)}
    problems, seen = [], set()
    for entry in entries:
        criterion = criteria.get(entry.criterion_code)
        where = _("criterion %(code)s") % {"code": entry.criterion_code}
        found = []
        if criterion is None:
            found.append(_("no such leaf criterion in this framework"))
        elif entry.criterion_code in seen:
            found.append(_("given twice"))
        elif isinstance(entry.value, Decimal) or entry.value not in (None, engine.NOT_APPLICABLE):
            found.append(amount_problem(_SELF_POINTS, entry.value, criterion.max_points))
        seen.add(entry.criterion_code)
        if entry.value is engine.NOT_APPLICABLE and not entry.reason.strip():
            found.append(_("not applicable: say why"))
        for text in (entry.reason, entry.explanation):
            if len(text) > NOTE_MAX_LENGTH:
                found.append(
                    _("at most %(limit)s characters: this text has %(count)s")
                    % {"limit": NOTE_MAX_LENGTH, "count": len(text)}
                )
        problems += [f"{where}: {problem}" for problem in found if problem]
    if problems:
        raise ScoringInputError(problems)
    events, changed = [], []
    for entry in entries:
        criterion = criteria[entry.criterion_code]
        cell = stored.get(criterion.pk) or CellAssessment(round=round_, criterion=criterion, unit=unit.unit)
        before = _self_state(stored.get(criterion.pk))
        na = entry.value is engine.NOT_APPLICABLE
        cell.self_points = None if na else entry.value
        cell.self_not_applicable = na
        cell.self_reason = entry.reason.strip() if na else ""
        cell.self_explanation = entry.explanation.strip()
        after = _self_state(cell)
        if after != before:
            changed.append(cell)
            events.append(
                _event(
                    round_, Kind.SELF_SCORED, user=user, unit=unit.unit, criterion=criterion, before=before, after=after
                )
            )
    for cell in changed:
        cell.save()
    AssessmentEvent.objects.bulk_create(events)
    return len(changed)


@transaction.atomic
def unit_submit(*, unit: UnitAssessment, user=None, now: datetime | None = None) -> UnitAssessment:
    """Send the unit's self-assessment for appraisal: every leaf criterion scored
    or marked not applicable, each one without evidence explained (DESIGN §9). After it the
    unit reads its cells, and changes them only when reopened."""
    round_, unit = _locked_open(unit, now)
    cells = {cell.criterion_id: cell for cell in CellAssessment.objects.filter(round=round_, unit=unit.unit)}
    with_evidence = set(
        Evidence.objects.filter(round=round_, unit=unit.unit, removed_at=None).values_list("criterion_id", flat=True)
    )
    problems = []
    for criterion in round_.framework.criteria.filter(is_leaf=True).order_by("order", "code"):
        cell = cells.get(criterion.pk)
        where = _("criterion %(code)s") % {"code": criterion.code}
        if cell is None or cell.self_value is None:
            problems.append(f"{where}: " + _("not self-assessed"))
        elif not cell.self_explanation and not cell.self_not_applicable and criterion.pk not in with_evidence:
            problems.append(f"{where}: " + _("attach evidence, or explain how the unit scored it"))
    if problems:
        raise ScoringInputError(problems)
    unit.status, unit.submitted_at = Status.SUBMITTED, timezone.now()
    unit.reopened_until, unit.reopen_reason = None, ""
    unit.save()
    _event(round_, Kind.SUBMITTED, user=user, unit=unit.unit, after={"cells": len(cells)}).save()
    return unit


@transaction.atomic
def round_criteria_public_set(*, round: AssessmentRound, public: bool, user=None) -> AssessmentRound:
    """Whether the units' public pages show each criterion's final score, its
    maximum and the appraisal comment once the framework is published."""
    round_ = _round_locked(round)
    if round_.criteria_public != public:
        before = {"criteria_public": round_.criteria_public}
        round_.criteria_public = public
        round_.save(update_fields=["criteria_public"])
        _event(round_, Kind.SETTINGS, user=user, before=before, after={"criteria_public": public}).save()
        public_version_bump(framework=round_.framework)  # a published framework's unit pages change
    return round_
