from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring import engine
from scoring.models import Criterion, Framework, Revision, Score, ScoreChange
from scoring.services import bulk
from scoring.services.common import (
    CHANGED,
    CORRECTABLE,
    ScoringInputError,
    amount_problem,
    framework_lock,
    framework_named,
    revision_create,
)
from scoring.services.results import ResultsRecompute, framework_results_recompute, unit_results_update
from units.models import Unit

_POINTS = gettext_lazy("points")
_SELF_ASSESSED = gettext_lazy("self-assessed points")


@dataclass(frozen=True)
class ScoreEntry:
    unit_code: str
    criterion_code: str
    value: engine.ScoreValue  # points, engine.NOT_APPLICABLE, or None (not entered)
    self_assessed_points: Decimal | None = None
    note: str = ""


def score_problems(criterion: Criterion, value: object, self_assessed_points: object = None) -> list[str]:
    """Why this value cannot be stored on ``criterion`` (an empty list when it can):
    points must be a number in 0..maximum with at most 2 decimal places, on a leaf."""
    if not criterion.is_leaf:
        return [_("criterion %(code)s has sub-criteria; score those instead") % {"code": criterion.code}]
    problems = []
    if value is not None and value is not engine.NOT_APPLICABLE:
        problems.append(amount_problem(_POINTS, value, criterion.max_points))
    if self_assessed_points is not None:
        problems.append(amount_problem(_SELF_ASSESSED, self_assessed_points, criterion.max_points))
    return [problem for problem in problems if problem is not None]


def scores_validate(*, framework: Framework, entries: Iterable[ScoreEntry]) -> list[str]:
    """Every problem with these entries, each naming its unit and criterion: a
    unit that does not take part, an unknown or non-leaf criterion, a cell given
    twice, points that are not a number in 0..maximum with 2 decimals."""
    if framework.mode != Framework.Mode.COMPUTED:
        return [
            _("framework %(framework)s takes published results, not scores") % {"framework": framework_named(framework)}
        ]
    criteria = {criterion.code: criterion for criterion in framework.criteria.all()}
    units = set(framework.participants.values_list("code", flat=True))
    errors = []
    seen = set()
    for entry in entries:
        problems = [] if entry.unit_code in units else [_("the unit does not take part in this framework")]
        cell = (entry.unit_code, entry.criterion_code)
        if cell in seen:
            problems.append(_("given twice"))
        seen.add(cell)
        criterion = criteria.get(entry.criterion_code)
        if criterion is None:
            problems.append(_("no such criterion in this framework"))
        else:
            problems += score_problems(criterion, entry.value, entry.self_assessed_points)
        if problems:  # messages are built only for bad entries: a national file has 400,000 good ones
            where = _("unit %(unit)s, criterion %(criterion)s") % {
                "unit": entry.unit_code,
                "criterion": entry.criterion_code,
            }
            errors += [f"{where}: {problem}" for problem in problems]
    return errors


@transaction.atomic
def scores_set(
    *, framework: Framework, entries: Iterable[ScoreEntry], user=None, reason: str = "", source: str = ""
) -> int:
    """Store scores of a computed framework (insert or replace each cell) and
    recompute its results. Every bad entry is reported (``scores_validate``),
    then nothing is written. Returns the number of cells that changed."""
    entries = list(entries)
    errors = scores_validate(framework=framework, entries=entries)
    if errors:
        raise ScoringInputError(errors)
    criteria = dict(framework.criteria.values_list("code", "id"))
    units = dict(framework.participants.values_list("code", "id"))
    cells = [
        ScoreCell(
            criteria[entry.criterion_code],
            units[entry.unit_code],
            entry.value,
            entry.self_assessed_points,
            entry.note,
        )
        for entry in entries
    ]
    report = scores_import(framework=framework, cells=cells, user=user, reason=reason, source=source)
    return report.created + report.changed


class _Keep:
    """Marker: keep what is stored (a file without a note column keeps the notes)."""

    def __repr__(self):
        return "KEEP"


KEEP = _Keep()


class ScoreCell(NamedTuple):
    """One checked cell to write, by ids (``score_problems`` found nothing wrong),
    as the file readers hand it to ``scores_import``. 400,000 of them (a national
    file) cost some 0.05 s more to build than plain tuples would (0.75 s against
    0.70 s to read ``make bench-import``'s wide file, wall clock, best of five)
    and 0.01 to 0.04 s more to stage: a record is worth that where it crosses
    modules. The writes below unpack them by position, inside this module."""

    criterion_id: int
    unit_id: int
    value: engine.ScoreValue
    self_assessed_points: Decimal | _Keep | None = KEEP
    note: str | _Keep = KEEP


class StagedCell(NamedTuple):
    """A cell a write changes: its new values, whether it is created, and its old
    values (those of a cell never stored when created). The write stages them as
    plain tuples in this order and inserts them by position (``_CELL`` is the first
    six; ``_CHANGE`` the old four, then the first six): 400,000 for a national
    file, which as ``StagedCell`` take three times as long to stage (0.37 s against
    0.11 s for ``make bench-import``'s wide file, wall clock, best of seven). The
    plain tuples never leave this module: other modules read the cells by name
    through ``ScoreImportReport.cells_of``."""

    criterion_id: int
    unit_id: int
    points: Decimal | None
    not_applicable: bool
    self_assessed_points: Decimal | None
    note: str
    created: bool
    old_points: Decimal | None
    old_not_applicable: bool
    old_self_assessed_points: Decimal | None
    old_note: str


@dataclass
class ScoreImportReport:
    """What a write did (or, in a dry run, would do)."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0
    revision: Revision | None = None
    # The cells that differ, as plain tuples in ``StagedCell``'s order (see there why);
    # read outside this module only through ``units_changed`` and ``cells_of``.
    staged: list[tuple] = field(default_factory=list, repr=False)

    def units_changed(self) -> set[int]:
        """The ids of the units with a cell that differs."""
        return set(map(itemgetter(1), self.staged))

    def cells_of(self, unit_ids: Collection[int]) -> list[StagedCell]:
        """The cells that differ of these units (a few: a preview's)."""
        return [StagedCell._make(cell) for cell in self.staged if cell[1] in unit_ids]


# Fewer units than this: read their stored cells by id; more: the whole framework's,
# which then also serve the recompute.
_FEW_UNITS = 500


def _stored_cells(framework: Framework, unit_ids: set[int]) -> tuple[dict[tuple[int, int], tuple], bool]:
    """({(criterion id, unit id): (points, not applicable, self-assessed, note)},
    whether that is every cell of the framework)."""
    stored = Score.objects.filter(criterion__framework=framework)
    whole = len(unit_ids) >= _FEW_UNITS
    if not whole:
        stored = stored.filter(unit_id__in=unit_ids)
    rows = stored.values_list(
        "criterion_id", "unit_id", "points", "not_applicable", "self_assessed_points", "note"
    ).iterator(chunk_size=20_000)
    return {(row[0], row[1]): row[2:] for row in rows}, whole


def _staged_cells(stored: dict, cells: list[ScoreCell]) -> tuple[list[tuple], int]:
    """(the cells that differ from what is stored, as plain ``StagedCell`` tuples;
    the number unchanged)."""
    if not stored:  # a first import: every cell is new, nothing to compare
        na = engine.NOT_APPLICABLE
        staged = [
            (
                *cell[:2],
                None if cell[2] is na else cell[2],
                cell[2] is na,
                None if cell[3] is KEEP else cell[3],
                "" if cell[4] is KEEP else cell[4],
                *_NEW,
            )
            for cell in cells
        ]
        return staged, 0
    staged, unchanged = [], 0
    for criterion_id, unit_id, value, self_assessed, note in cells:
        before = stored.get((criterion_id, unit_id))
        old_points, old_na, old_self, old_note = before or _NEW[1:]
        after = (
            value if isinstance(value, Decimal) else None,
            value is engine.NOT_APPLICABLE,
            old_self if self_assessed is KEEP else self_assessed,
            old_note if note is KEEP else note,
        )
        if before is not None and after == before:
            unchanged += 1
            continue
        staged.append((criterion_id, unit_id, *after, before is None, old_points, old_na, old_self, old_note))
    return staged, unchanged


# The end of a new cell's stage row: created, and the "old" values of a cell never stored.
_NEW = (True, None, False, None, "")


def _unit_scores(codes: dict[int, str], stored: dict, staged: list[tuple]) -> dict[int, dict[str, engine.ScoreValue]]:
    """The cells as the results want them once the staged ones are written: {unit id:
    {criterion code: value}}."""
    scores: dict[int, dict[str, engine.ScoreValue]] = defaultdict(dict)
    na = engine.NOT_APPLICABLE
    for (criterion_id, unit_id), before in stored.items():
        scores[unit_id][codes[criterion_id]] = na if before[1] else before[0]
    for row in staged:  # by position, not by name or unpacking: twice as fast over 400,000 rows
        scores[row[1]][codes[row[0]]] = na if row[3] else row[2]
    return scores


@bulk.collector_paused()
@transaction.atomic
def scores_import(
    *,
    framework: Framework,
    cells: Iterable[ScoreCell],
    user=None,
    reason: str = "",
    source: str = "",
    dry_run: bool = False,
) -> ScoreImportReport:
    """Write checked score cells of a computed framework; only cells that differ
    from what is stored are written, so writing the same cells twice changes
    nothing. One ``Revision`` records who, why and from what; it is each new
    cell's ``created_in``, and each changed cell gets a ``ScoreChange`` with its
    old and new value. Changing a published framework needs a ``reason`` and
    keeps the published figures. Results are recomputed when anything changed.
    Cells must be unique and valid (the importers and ``scores_validate`` check
    them, naming rows)."""
    # Imports into one framework take turns: each compares with what is stored.
    framework = framework_lock(framework, allowed=CORRECTABLE, action=CHANGED)
    return _cells_write(framework, list(cells), user=user, reason=reason, source=source, dry_run=dry_run)


def _cells_write(
    framework: Framework, cells: list[ScoreCell], *, user, reason: str, source: str, dry_run: bool = False
) -> ScoreImportReport:
    """``scores_import``'s work, on a framework its caller has locked."""
    stored, whole = _stored_cells(framework, {cell[1] for cell in cells})
    staged, unchanged = _staged_cells(stored, cells)
    created = sum(1 for row in staged if row[6])  # StagedCell.created
    report = ScoreImportReport(created=created, changed=len(staged) - created, unchanged=unchanged, staged=staged)
    if dry_run or not staged:
        return report
    report.revision = revision_create(
        framework, user=user, reason=reason, source=source, created=report.created, changed=report.changed
    )
    staged.sort()  # by (criterion, unit): the unique index's order, so the inserts append to it
    if not whole:  # a few units: the results move only where their cells can move them
        _score_cells_write(staged, report.revision.pk)
        changed, codes = report.units_changed(), dict(framework.criteria.values_list("id", "code"))
        scores = _unit_scores(codes, {cell: value for cell, value in stored.items() if cell[1] in changed}, staged)
        unit_results_update(framework=framework, scores=scores)
        return report
    # Every cell is in hand: the results are computed while the cells are written.
    recompute, codes = ResultsRecompute(framework), dict(framework.criteria.values_list("id", "code"))
    with bulk.writing_alongside(lambda: _score_cells_write(staged, report.revision.pk)):
        rows = recompute.rows(_unit_scores(codes, stored, staged))
    recompute.write(rows)
    return report


@transaction.atomic
def scores_delete(*, scores: QuerySet, user=None, reason: str = "", source: str = "") -> int:
    """Delete score cells and recompute the frameworks they belonged to; returns
    the number of cells deleted. Audited as every other write: one ``Revision``
    per framework, by ``user``, and a ``ScoreChange`` per cell from its value to
    not entered. Deleting cells of a published framework needs a ``reason``;
    without one, nothing is deleted."""
    # Writes into one framework take turns, each in a state that allows it: lock, then read the cells.
    frameworks = [
        framework_lock(framework, allowed=CORRECTABLE, action=CHANGED)
        for framework in Framework.objects.filter(pk__in=scores.values("criterion__framework_id")).order_by("pk")
    ]
    cells = defaultdict(list)  # framework id -> its deleted cells, in ``_CELL`` order
    for framework_id, *cell in scores.values_list("criterion__framework_id", *_CELL).order_by(*_CELL[:2]):
        cells[framework_id].append(cell)
    for framework in frameworks:
        old_cells = cells[framework.pk]
        revision = revision_create(framework, user=user, reason=reason, source=source, changed=len(old_cells))
        bulk.rows_insert(
            ScoreChange,
            _CHANGE,
            [(revision.pk, *old[2:], *old[:2], None, False, None, "") for old in old_cells],
        )
    deleted, _by_model = scores.delete()
    for framework in frameworks:
        framework_results_recompute(framework=framework)
    return deleted


_CELL = ("criterion_id", "unit_id", "points", "not_applicable", "self_assessed_points", "note")
_CHANGE = (
    "revision_id",
    "old_points",
    "old_not_applicable",
    "old_self_assessed_points",
    "old_note",
    "criterion_id",
    "unit_id",
    "new_points",
    "new_not_applicable",
    "new_self_assessed_points",
    "new_note",
)


def _score_cells_write(staged: list[tuple], revision_id: int) -> None:
    """Store the staged cells and record each change in the audit trail: the new
    cells with a plain insert (their absence was read in this transaction), the
    changed ones with an upsert, then a ``ScoreChange`` per changed cell. The
    database sets ``updated_at`` (its default)."""
    changed = [row for row in staged if not row[6]]  # StagedCell.created
    bulk.rows_insert(Score, (*_CELL, "created_in_id"), [(*row[:6], revision_id) for row in staged if row[6]])
    bulk.rows_upsert(
        Score,
        _CELL,
        [row[:6] for row in changed],
        conflict=_CELL[:2],
        update=(*_CELL[2:], "updated_at"),
    )
    bulk.rows_insert(ScoreChange, _CHANGE, [(revision_id, *row[7:], *row[:6]) for row in changed])  # old, then new


class ScoreEdit(NamedTuple):
    """A cell typed in a grid: the value the person started from, and the new one."""

    criterion_id: int
    unit_id: int
    expected: engine.ScoreValue
    value: engine.ScoreValue


class ScoreConflict(ScoringInputError):
    """Someone else changed cells since the grid was opened; nothing was written.
    ``cells`` maps each (criterion id, unit id) to the value stored now."""

    def __init__(self, messages: list[str], cells: dict[tuple[int, int], engine.ScoreValue]):
        super().__init__(messages)
        self.cells = cells


def _value(points, not_applicable) -> engine.ScoreValue:
    return engine.NOT_APPLICABLE if not_applicable else points


@transaction.atomic
def scores_edit(
    *, framework: Framework, edits: Iterable[ScoreEdit], user=None, reason: str = "", source: str = ""
) -> ScoreImportReport:
    """Write cells typed in a grid, unless someone else changed any of them since
    the grid was read: then ``ScoreConflict`` names each one with the value stored
    now, and nothing is written (never a silent overwrite). The framework is
    locked while the cells are compared and written. Values must be checked
    (``score_problems``)."""
    edits = list(edits)
    framework = framework_lock(framework, allowed=CORRECTABLE, action=CHANGED)
    stored = {
        (criterion_id, unit_id): _value(points, na)
        for criterion_id, unit_id, points, na in Score.objects.filter(
            criterion__framework=framework, unit_id__in={edit.unit_id for edit in edits}
        ).values_list("criterion_id", "unit_id", "points", "not_applicable")
    }
    conflicts = {
        (edit.criterion_id, edit.unit_id): stored.get((edit.criterion_id, edit.unit_id))
        for edit in edits
        if stored.get((edit.criterion_id, edit.unit_id)) != edit.expected
        and stored.get((edit.criterion_id, edit.unit_id)) != edit.value
    }
    if conflicts:
        codes = dict(framework.criteria.values_list("id", "code"))
        units = dict(Unit.objects.filter(pk__in={unit for _c, unit in conflicts}).values_list("id", "code"))
        raise ScoreConflict(
            [
                _("unit %(unit)s, criterion %(criterion)s: changed by someone else since you opened the page")
                % {"unit": units[unit_id], "criterion": codes[criterion_id]}
                for criterion_id, unit_id in sorted(conflicts)
            ],
            conflicts,
        )
    cells = [ScoreCell(edit.criterion_id, edit.unit_id, edit.value) for edit in edits]
    return _cells_write(framework, cells, user=user, reason=reason, source=source)
