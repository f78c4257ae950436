"""Appraisal, explanation and finalisation (DESIGN §9, steps 3 to 5): the
appraiser accepts or adjusts each self score, with a comment for an adjustment,
and returns the unit's appraisal; the unit explains the adjusted criteria before
the explanation deadline; the appraiser fixes the final scores, which become the
framework's ``Score`` cells (with the self score beside each) through
``scoring.services.scores_import``: results, ranks, audit as for any score.
Every step on every criterion is an ``AssessmentEvent`` with before and after."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import AssessmentEvent, CellAssessment, Phase, UnitAssessment
from assessments.services import _event, _round_locked
from scoring import engine
from scoring.forms import NOTE_MAX_LENGTH
from scoring.services import ScoreCell, scores_import
from scoring.services.common import TWO_PLACES, ScoringInputError, amount_problem

Kind = AssessmentEvent.Kind
Status = UnitAssessment.Status
_APPRAISED = gettext_lazy("appraised points")


@dataclass(frozen=True)
class AppraisalEntry:
    """A leaf criterion as the appraiser scores it: points or ``engine.NOT_APPLICABLE``,
    and a comment (needed when it differs from the self score)."""

    criterion_code: str
    value: engine.ScoreValue
    comment: str = ""


def _text(value: engine.ScoreValue) -> str | None:
    if value is None:
        return None
    return "KAD" if value is engine.NOT_APPLICABLE else str(value.quantize(TWO_PLACES))


def appraised_value(cell: CellAssessment) -> engine.ScoreValue:
    if cell.appraised_at is None:
        return None
    return engine.NOT_APPLICABLE if cell.appraised_not_applicable else cell.appraised_points


def adjusted(cell: CellAssessment) -> bool:
    """Whether the appraisal differs from the unit's self score."""
    return cell.appraised_at is not None and _text(appraised_value(cell)) != _text(cell.self_value)


def _locked(unit: UnitAssessment, phases: set, statuses: set, deadline: str, now: datetime | None):
    """The round and the unit, locked, when the step is allowed: the round in one
    of ``phases``, the unit in one of ``statuses``, the ``deadline`` field (or
    the unit's reopening) not passed. Else every reason why not."""
    round_ = _round_locked(unit.round)
    unit = UnitAssessment.objects.select_for_update().select_related("unit").get(pk=unit.pk)
    unit.round = round_
    now = now or timezone.now()
    problems = []
    if round_.phase not in phases:
        problems.append(_("the round is in its %(phase)s phase") % {"phase": round_.get_phase_display()})
    elif unit.status not in statuses:
        problems.append(
            _("%(unit)s is %(status)s: not at this step")
            % {"unit": unit.unit.name, "status": unit.get_status_display()}
        )
    elif now > getattr(round_, deadline) and not (unit.reopened_until and now <= unit.reopened_until):
        problems.append(_("the deadline of this step has passed"))
    if problems:
        raise ScoringInputError(problems)
    return round_, unit


def _cells(round_, unit: UnitAssessment) -> dict[str, CellAssessment]:
    """The unit's cells by leaf code, one per leaf (an empty one where the unit gave nothing)."""
    stored = {cell.criterion_id: cell for cell in CellAssessment.objects.filter(round=round_, unit=unit.unit)}
    return {
        criterion.code: stored.get(criterion.pk) or CellAssessment(round=round_, criterion=criterion, unit=unit.unit)
        for criterion in round_.framework.criteria.filter(is_leaf=True).order_by("order", "code")
    }


def _checked(cells: dict[str, CellAssessment], entries: list[AppraisalEntry]) -> list[str]:
    problems, seen = [], set()
    for entry in entries:
        cell = cells.get(entry.criterion_code)
        found = []
        if cell is None:
            found.append(_("no such leaf criterion in this framework"))
        elif entry.criterion_code in seen:
            found.append(_("given twice"))
        elif entry.value is None:
            found.append(_("not appraised"))
        elif entry.value is not engine.NOT_APPLICABLE:
            found.append(amount_problem(_APPRAISED, entry.value, cell.criterion.max_points))
        seen.add(entry.criterion_code)
        valid = not any(found) and cell is not None and entry.value is not None
        if valid and _text(entry.value) != _text(cell.self_value) and not entry.comment.strip():
            found.append(_("adjusted: say why in a comment"))
        if len(entry.comment) > NOTE_MAX_LENGTH:
            found.append(_("the comment has more than %(limit)s characters") % {"limit": NOTE_MAX_LENGTH})
        where = _("criterion %(code)s") % {"code": entry.criterion_code}
        problems += [f"{where}: {problem}" for problem in found if problem]
    return problems


def _appraise(round_, unit, cells, entries, user) -> int:
    """Write checked appraisals; one event per changed cell."""
    now, events, changed = timezone.now(), [], []
    for entry in entries:
        cell = cells[entry.criterion_code]
        before = {"points": _text(appraised_value(cell)), "comment": cell.appraisal_comment}
        cell.appraised_not_applicable = entry.value is engine.NOT_APPLICABLE
        cell.appraised_points = None if cell.appraised_not_applicable else entry.value
        cell.appraisal_comment = entry.comment.strip()
        cell.appraised_at = cell.appraised_at or now
        after = {"points": _text(entry.value), "comment": cell.appraisal_comment}
        if after != before:
            changed.append(cell)
            events.append(
                _event(
                    round_,
                    Kind.APPRAISED,
                    user=user,
                    unit=unit.unit,
                    criterion=cell.criterion,
                    before=before,
                    after=after,
                )
            )
    for cell in changed:
        cell.save()
    AssessmentEvent.objects.bulk_create(events)
    return len(changed)


# When appraisals may change: the unit's status and the deadline, by the round's phase.
_APPRAISING = {
    Phase.APPRAISAL: ({Status.SUBMITTED}, "appraisal_deadline"),
    Phase.FINALISATION: ({Status.RETURNED, Status.EXPLAINED}, "final_deadline"),
}


@transaction.atomic
def appraisals_set(*, unit: UnitAssessment, entries: list[AppraisalEntry], user=None, now=None) -> int:
    """Accept or adjust self scores: of a submitted unit in the appraisal phase,
    or in the finalisation phase of a unit whose appraisal came back (what its
    explanation changes, before the final scores are fixed). Returns how many
    criteria changed."""
    phase = unit.round.phase if unit.round.phase in _APPRAISING else Phase.APPRAISAL
    statuses, deadline = _APPRAISING[phase]
    round_, unit = _locked(unit, {phase}, statuses, deadline, now)
    cells = _cells(round_, unit)
    if problems := _checked(cells, entries):
        raise ScoringInputError(problems)
    return _appraise(round_, unit, cells, entries, user)


@transaction.atomic
def appraisal_return(*, unit: UnitAssessment, user=None, now=None) -> UnitAssessment:
    """Send the unit its appraisal once every leaf is appraised: its explanation
    window opens (until the explanation deadline)."""
    round_, unit = _locked(unit, {Phase.APPRAISAL}, {Status.SUBMITTED}, "appraisal_deadline", now)
    cells = _cells(round_, unit)
    missing = [code for code, cell in cells.items() if cell.appraised_at is None]
    if missing:
        raise ScoringInputError(
            [_("criterion %(code)s") % {"code": code} + ": " + _("not appraised") for code in missing]
        )
    unit.status, unit.reopened_until, unit.reopen_reason = Status.RETURNED, None, ""
    unit.save()
    count = sum(1 for cell in cells.values() if adjusted(cell))
    _event(round_, Kind.RETURNED, user=user, unit=unit.unit, after={"adjusted": count}).save()
    return unit


EXPLANATION_PHASES = frozenset({Phase.APPRAISAL, Phase.EXPLANATION})


def explanation_open(unit: UnitAssessment, now: datetime | None = None) -> bool:
    """Whether the unit may still explain: its appraisal returned, the round in
    appraisal or explanation, the explanation deadline (or its reopening) not passed."""
    round_, now = unit.round, now or timezone.now()
    if unit.status != Status.RETURNED or round_.phase not in EXPLANATION_PHASES:
        return False
    return now <= round_.explanation_deadline or (unit.reopened_until is not None and now <= unit.reopened_until)


@transaction.atomic
def explanations_set(*, unit: UnitAssessment, texts: dict[str, str], user=None, now=None) -> int:
    """The unit's answers to its adjusted criteria ({criterion code: text}), until
    the explanation deadline. Returns how many changed."""
    round_, unit = _locked(unit, EXPLANATION_PHASES, {Status.RETURNED}, "explanation_deadline", now)
    cells, problems = _cells(round_, unit), []
    for code, text in texts.items():
        cell = cells.get(code)
        where = _("criterion %(code)s") % {"code": code}
        if cell is None or not adjusted(cell):
            problems.append(f"{where}: " + _("not adjusted by the appraisal: nothing to explain"))
        elif len(text) > NOTE_MAX_LENGTH:
            problems.append(
                f"{where}: " + _("the text has more than %(limit)s characters") % {"limit": NOTE_MAX_LENGTH}
            )
    if problems:
        raise ScoringInputError(problems)
    events, stamp = [], timezone.now()
    for code, text in texts.items():
        cell = cells[code]
        if text.strip() == cell.explanation:
            continue
        before, cell.explanation, cell.explained_at = cell.explanation, text.strip(), stamp
        cell.save()
        events.append(
            _event(
                round_,
                Kind.EXPLAINED,
                user=user,
                unit=unit.unit,
                criterion=cell.criterion,
                before={"explanation": before},
                after={"explanation": cell.explanation},
            )
        )
    AssessmentEvent.objects.bulk_create(events)
    return len(events)


@transaction.atomic
def unit_explained(*, unit: UnitAssessment, user=None, now=None) -> UnitAssessment:
    """The unit has said all it will: its criteria wait for the final scores."""
    round_, unit = _locked(unit, EXPLANATION_PHASES, {Status.RETURNED}, "explanation_deadline", now)
    unit.status, unit.reopened_until, unit.reopen_reason = Status.EXPLAINED, None, ""
    unit.save()
    _event(round_, Kind.UNIT_EXPLAINED, user=user, unit=unit.unit).save()
    return unit


@transaction.atomic
def finalise(*, unit: UnitAssessment, entries: list[AppraisalEntry] = (), user=None, now=None) -> UnitAssessment:
    """Fix the unit's final scores in the finalisation phase: the appraised
    values, changed by ``entries`` where the explanation convinced the
    appraiser. They become the framework's scores, the self score beside each,
    through ``scores_import`` (results, ranks and audit as for any write)."""
    statuses, deadline = _APPRAISING[Phase.FINALISATION]
    round_, unit = _locked(unit, {Phase.FINALISATION}, statuses, deadline, now)
    cells = _cells(round_, unit)
    if problems := _checked(cells, list(entries)):
        raise ScoringInputError(problems)
    _appraise(round_, unit, cells, list(entries), user)
    final = [
        ScoreCell(cell.criterion.pk, unit.unit.pk, appraised_value(cell), cell.self_points)
        for cell in cells.values()
        if cell.appraised_at is not None
    ]
    scores_import(framework=round_.framework, cells=final, user=user, source=_("assessment round: final scores"))
    unit.status = Status.FINAL
    unit.save()
    after = {code: _text(appraised_value(cell)) for code, cell in cells.items()}
    _event(round_, Kind.FINALISED, user=user, unit=unit.unit, after=after).save()
    return unit


def cell_gap(cell: CellAssessment) -> Decimal | None:
    """Self minus appraised points, when the cell has both (not applicable counts 0)."""
    if cell.appraised_at is None or cell.self_value is None:
        return None
    return (cell.self_points or Decimal(0)) - (cell.appraised_points or Decimal(0))
