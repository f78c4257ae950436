import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring import db, engine
from scoring.models import Framework, Result, Score
from scoring.services import bulk
from scoring.services.common import (
    CHANGED,
    CORRECTABLE,
    HUNDRED,
    TWO_PLACES,
    ScoringInputError,
    amount_problem,
    framework_lock,
    framework_named,
    public_version_bump,
    revision_create,
)
from units.models import Unit, UnitLineage

_INDEX = gettext_lazy("index")
# Far above any block (Vietnam has some 10,600 communes) and within every
# database's integer column: a rank of 10**500 is refused, not an overflow.
RANK_MAX = 99_999


@dataclass(frozen=True)
class PublishedResultRow:
    unit_code: str
    index: Decimal
    rank: int | None = None
    fields: Mapping[str, Decimal] = field(default_factory=dict)
    unit_name: str = ""
    is_sample: bool = False
    source_row: int | None = None  # the row of the file it was read from, for previews


def _published_rows_validate(framework: Framework, rows: list[PublishedResultRow], units: Mapping[str, int]) -> list:
    if framework.mode != Framework.Mode.PUBLISHED:
        return [
            _("framework %(framework)s is computed from scores, not published results")
            % {"framework": framework_named(framework)}
        ]
    fields = dict(framework.criteria.filter(parent=None).values_list("code", "max_points"))
    errors = []
    seen = set()
    not_a_unit = _("no such unit in the round of %(period)s") % {"period": framework.period_label}
    for row in rows:
        problems = [] if row.unit_code in units else [not_a_unit]
        if row.unit_code in seen:
            problems.append(_("appears twice"))
        seen.add(row.unit_code)
        problems.append(amount_problem(_INDEX, row.index, HUNDRED))
        if row.rank is not None and (not isinstance(row.rank, int) or not 1 <= row.rank <= RANK_MAX):
            problems.append(
                _("rank %(rank)s must be a whole number from 1 to %(max)s") % {"rank": row.rank, "max": RANK_MAX}
            )
        for code, points in row.fields.items():
            if code not in fields:
                problems.append(_("no top-level criterion %(code)s") % {"code": code})
            else:
                problems.append(amount_problem(_("field %(code)s") % {"code": code}, points, fields[code]))
        where = _("unit %(unit)s") % {"unit": row.unit_code}
        errors += [f"{where}: {problem}" for problem in problems if problem is not None]
    return errors


class PublishedFigures(NamedTuple):
    """A unit's figures as a decision publishes them."""

    index: Decimal | None
    rank: int | None
    fields: dict[str, str]  # field code -> points, "93.91"
    unit_name: str
    is_sample: bool


@dataclass(frozen=True)
class PublishedChange:
    """A unit whose published figures a table adds, changes or removes: None
    before or after when the unit had or will have no result."""

    unit_id: int
    before: PublishedFigures | None
    after: PublishedFigures | None


def published_results_changes(*, framework: Framework, rows: Iterable[PublishedResultRow]) -> list[PublishedChange]:
    """What ``published_results_set`` would change, unit by unit, read-only.
    ``ScoringInputError`` lists every bad row."""
    return _published_changes(framework, list(rows))[1]


def _published_changes(framework: Framework, rows: list[PublishedResultRow]) -> tuple[dict, list[PublishedChange]]:
    """({unit code: id}, the units the checked rows add, change or remove)."""
    units = Unit.objects.codes_on((row.unit_code for row in rows), framework.reference_date)
    errors = _published_rows_validate(framework, rows, units)
    if errors:
        raise ScoringInputError(errors)
    stored = {
        unit_id: PublishedFigures(*figures)
        for unit_id, *figures in Result.objects.filter(framework=framework).values_list(
            "unit_id", "index", "published_rank", "field_points", "unit_name", "is_sample"
        )
    }
    given = {
        units[row.unit_code]: PublishedFigures(
            row.index, row.rank, _field_strings(row.fields), row.unit_name, row.is_sample
        )
        for row in rows
    }
    changes = [
        PublishedChange(unit_id, stored.get(unit_id), values)
        for unit_id, values in given.items()
        if stored.get(unit_id) != values
    ]
    changes += [PublishedChange(unit_id, stored[unit_id], None) for unit_id in stored.keys() - given]
    return units, changes


def _field_strings(fields: Mapping[str, Decimal]) -> dict[str, str]:
    return {code: str(points.quantize(TWO_PLACES)) for code, points in fields.items()}


@transaction.atomic
def published_results_set(
    *,
    framework: Framework,
    rows: Iterable[PublishedResultRow],
    user=None,
    reason: str = "",
    source: str = "",
    dry_run: bool = False,
) -> int:
    """Replace a published-mode framework's results with the decision's table
    (index, optional rank and field subtotals per unit): its units become the
    participants, units no longer listed lose their result, and ranks, bands and
    deltas are recomputed. A published rank that disagrees with the computed one
    is kept and flagged (``Result.rank_disagrees``). Returns how many units
    changed; the same table again changes nothing. Changing a published
    framework needs a ``reason``; each change is recorded as a ``Revision``."""
    rows = list(rows)
    framework = framework_lock(framework, allowed=CORRECTABLE, action=CHANGED)
    units, changes = _published_changes(framework, rows)
    changed = len(changes)
    if dry_run or not changed:
        return changed
    revision_create(framework, user=user, reason=reason, source=source, changed=changed)
    Result.objects.filter(framework=framework).exclude(unit_id__in=units.values()).delete()
    Result.objects.bulk_create(
        [
            Result(
                framework=framework,
                unit_id=units[row.unit_code],
                unit_name=row.unit_name,
                index=row.index,
                published_rank=row.rank,
                field_points=_field_strings(row.fields),
                is_sample=row.is_sample,
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["framework", "unit"],
        update_fields=["unit_name", "index", "published_rank", "field_points", "is_sample"],
        batch_size=2000,
    )
    framework.participants.set(units.values())
    framework_results_recompute(framework=framework)
    return changed


# Every score cell of a framework, as {unit id: {criterion code: value}}.
UnitScores = Mapping[int, Mapping[str, engine.ScoreValue]]


class _Figures(NamedTuple):
    """A unit's totals and index, before ranking."""

    field_points: dict[str, Decimal]  # field code -> points
    total_points: Decimal | None
    applicable_max: Decimal | None
    index: Decimal | None


def _decimals(points: Mapping[str, str]) -> dict[str, Decimal]:
    return {code: Decimal(value) for code, value in points.items()}


# What a recompute writes (and a grid save's partial recompute must write alike); a
# new result also gets the columns it leaves alone.
RECOMPUTED = (
    "field_points",
    "field_deltas",
    "total_points",
    "applicable_max",
    "index",
    "rank",
    "tied",
    "band",
    "previous_id",
    "delta_index",
    "delta_rank",
)
_LEFT_ALONE = {"unit_name": "", "published_rank": None, "is_sample": False}


class ResultsRecompute:
    """``framework_results_recompute`` in three steps: creating one reads what
    the database holds, ``rows(scores)`` computes without it (unless it must
    read the score cells, not given), ``write()`` stores. An import that holds
    every score cell computes while it writes the cells."""

    def __init__(self, framework: Framework):
        self.framework = framework
        self.bands = list(framework.band_scheme.bands.values_list("label", "lower_bound"))
        if framework.mode == Framework.Mode.COMPUTED:
            Result.objects.filter(framework=framework).exclude(unit__in=framework.participants.all()).delete()
            self.tree = engine.CriteriaTree(
                engine.CriterionNode(code, max_points, kind)
                for code, max_points, kind in framework.criteria.values_list("code", "max_points", "kind")
            )
            self.participants = list(framework.participants.values_list("id", flat=True))
        else:  # published mode: the decision's stored figures
            stored = Result.objects.filter(framework=framework).values_list(
                "unit_id", "field_points", "total_points", "applicable_max", "index"
            )
            self.published = {unit_id: _Figures(_decimals(fields), *figures) for unit_id, fields, *figures in stored}

        previous_round = Framework.objects.previous_round(framework)
        self.previous: dict[int, tuple] = {}  # unit id -> (result id, index, rank, field points)
        self.links: dict[int, list[tuple[int, str]]] = defaultdict(list)
        if previous_round is not None:
            stored = Result.objects.filter(framework=previous_round).values_list(
                "unit_id", "id", "index", "rank", "field_points"
            )
            self.previous = {unit_id: before for unit_id, *before in stored}
            lineage = UnitLineage.objects.filter(successor__in=framework.participants.all())
            for predecessor_id, successor_id, kind in lineage.values_list("predecessor_id", "successor_id", "kind"):
                self.links[successor_id].append((predecessor_id, kind))

    def _stored_scores(self) -> UnitScores:
        values: dict[int, dict[str, engine.ScoreValue]] = defaultdict(dict)
        cells = Score.objects.filter(criterion__framework=self.framework).values_list(
            "unit_id", "criterion__code", "points", "not_applicable"
        )
        for unit_id, code, points, not_applicable in cells.iterator(chunk_size=20_000):
            values[unit_id][code] = engine.NOT_APPLICABLE if not_applicable else points
        return values

    def _figures(self, scores: UnitScores | None) -> dict[int, _Figures]:
        if self.framework.mode != Framework.Mode.COMPUTED:
            return self.published
        if scores is None:
            scores = self._stored_scores()
        figures = {}
        for unit_id in self.participants:
            totals = self.tree.totals(scores.get(unit_id, {}))
            figures[unit_id] = _Figures(totals.field_points, totals.total_points, totals.applicable_max, totals.index)
        return figures

    def rows(self, scores: UnitScores | None = None) -> list[tuple]:
        """Each unit's result as stored: totals, index, rank with ties, band, the
        previous result and the deltas. Computed mode: from ``scores``, every
        score cell of the framework, read when not given."""
        figures = self._figures(scores)
        ranks = engine.competition_ranks({unit_id: unit.index for unit_id, unit in figures.items()})
        rows = []
        for unit_id, unit in figures.items():
            rank, tied = ranks[unit_id]
            before_id, before_index, before_rank, before_fields = self.previous.get(
                engine.previous_unit_for(unit_id, self.links[unit_id], self.previous), (None, None, None, None)
            )
            deltas = engine.field_deltas(unit.field_points, None if before_fields is None else _decimals(before_fields))
            rows.append(
                (
                    self.framework.pk,
                    unit_id,
                    json.dumps({code: str(value) for code, value in unit.field_points.items()}),
                    json.dumps({code: None if value is None else str(value) for code, value in deltas.items()}),
                    unit.total_points,
                    unit.applicable_max,
                    unit.index,
                    rank,
                    tied,
                    engine.band_for(unit.index, self.bands),
                    before_id,
                    engine.delta(unit.index, before_index),
                    engine.rank_delta(rank, before_rank),
                    *_LEFT_ALONE.values(),
                )
            )
        return rows

    def write(self, rows: list[tuple]) -> int:
        """Store the rows, then recompute the following year's round when its
        deltas point here (``following_round_comparing``). Moves the public pages'
        data version only when the framework is published. Returns the number
        of results."""
        bulk.rows_upsert(
            Result,
            ("framework_id", "unit_id", *RECOMPUTED, *_LEFT_ALONE),
            rows,
            conflict=("framework_id", "unit_id"),
            update=RECOMPUTED,
        )
        Framework.objects.filter(pk=self.framework.pk).update(
            results_version=F("results_version") + 1, results_updated_at=timezone.now()
        )
        published = public_version_bump(framework=self.framework, published=self.framework.is_published)
        following = following_round_comparing(self.framework, published=published)
        if following is not None:
            framework_results_recompute(framework=following)
        return len(rows)


def following_round_comparing(framework: Framework, *, published: bool) -> Framework | None:
    """The following year's round when its deltas compare with ``framework``'s
    results, which is when ``framework`` is published (``published``: it is,
    or was until the write at hand), else None. A draft feeds no round (deltas
    compare with the previous *published* round), so its writes leave the next
    round, maybe a published one, alone; unless that round still compares with
    it after a withdrawal made without ``framework_unpublish`` (one query, only
    when there is a following round)."""
    following = Framework.objects.following_round(framework)
    if following is None:
        return None
    if published or Result.objects.filter(framework=following, previous__framework=framework).exists():
        return following
    return None


@transaction.atomic
def framework_results_recompute(*, framework: Framework) -> int:
    """Recompute and store every Result of ``framework`` in bulk: totals and index
    (computed mode: from scores; published mode: the stored published index and
    fields), ranks with ties, bands, the previous result (same unit or its single
    predecessor by rename, in the previous year's published round) and the
    deltas. Then the following year's framework when its deltas point here. The
    public pages' data version moves only for a published framework. A
    constant number of queries whatever the number of units. Returns the number
    of results. A caller that holds every score cell of the framework (an
    import that just compared them all) uses ``ResultsRecompute`` and gives
    them, sparing the read of 400,000 cells."""
    recompute = ResultsRecompute(framework)
    return recompute.write(recompute.rows())


@transaction.atomic
def unit_results_update(*, framework: Framework, scores: UnitScores) -> None:
    """After the score cells of a few units of a computed framework changed (a
    grid save): recompute only what that can move, with the same result as
    ``framework_results_recompute``. Those units' totals, index, band and deltas
    from their own cells (``scores``: each one's every cell, as stored now);
    then the ranks and ties of the block, and each rank's change, set-based in
    the database (``db.ranks_refresh``), writing only the rows that move; then
    the deltas of the following year's round where they compare with a row
    that moved. Falls back to the full recompute for a unit without a stored
    result (a participant never computed)."""
    criteria = list(framework.criteria.values_list("code", "max_points", "kind"))
    tree = engine.CriteriaTree(engine.CriterionNode(*criterion) for criterion in criteria)
    stored = {
        unit_id: (result_id, earlier_index, earlier_fields)
        for unit_id, result_id, earlier_index, earlier_fields in Result.objects.filter(
            framework=framework, unit_id__in=scores.keys()
        ).values_list("unit_id", "id", "previous__index", "previous__field_points")
    }
    if len(stored) < len(scores):
        framework_results_recompute(framework=framework)
        return
    bands = list(framework.band_scheme.bands.values_list("label", "lower_bound"))
    changed = []
    for unit_id, cells in scores.items():
        result_id, earlier_index, earlier_fields = stored[unit_id]
        totals = tree.totals(cells)
        deltas = engine.field_deltas(totals.field_points, None if earlier_fields is None else _decimals(earlier_fields))
        changed.append(
            Result(
                pk=result_id,
                field_points={code: str(value) for code, value in totals.field_points.items()},
                field_deltas={code: None if value is None else str(value) for code, value in deltas.items()},
                total_points=totals.total_points,
                applicable_max=totals.applicable_max,
                index=totals.index,
                band=engine.band_for(totals.index, bands),
                delta_index=engine.delta(totals.index, earlier_index),
                rank=None,  # ranked below with the block, or left unranked without an index
                tied=False,
                delta_rank=None,
            )
        )
    Result.objects.bulk_update(changed, [*_UNIT_FIGURES, "rank", "tied", "delta_rank"])
    moved = db.ranks_refresh(framework.pk)
    Framework.objects.filter(pk=framework.pk).update(
        results_version=F("results_version") + 1, results_updated_at=timezone.now()
    )
    published = public_version_bump(framework=framework, published=framework.is_published)
    following = following_round_comparing(framework, published=published)
    if following is not None:
        _following_deltas_update(following, framework, [result.pk for result in changed], moved)


# What a unit's own cells decide (``unit_results_update``).
_UNIT_FIGURES = ("field_points", "field_deltas", "total_points", "applicable_max", "index", "band", "delta_index")


def _following_deltas_update(following: Framework, framework: Framework, changed: list[int], moved: list[int]):
    """The following round's deltas where they compare with ``framework``'s
    results whose figures changed (``changed``) or whose rank moved
    (``moved``): index and field changes in Python, rank changes in the
    database."""
    successors = Result.objects.filter(framework=following, previous_id__in=changed).values_list(
        "id", "index", "field_points", "previous__index", "previous__field_points"
    )
    updated = [
        Result(
            pk=result_id,
            delta_index=engine.delta(index, earlier_index),
            field_deltas={
                code: None if value is None else str(value)
                for code, value in engine.field_deltas(_decimals(fields), _decimals(earlier_fields)).items()
            },
        )
        for result_id, index, fields, earlier_index, earlier_fields in successors
    ]
    Result.objects.bulk_update(updated, ["delta_index", "field_deltas"])
    if moved:
        db.rank_deltas_refresh(following.pk, framework.pk)
    Framework.objects.filter(pk=following.pk).update(
        results_version=F("results_version") + 1, results_updated_at=timezone.now()
    )
    public_version_bump(framework=following)
