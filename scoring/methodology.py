"""How a ranking was built, read from its framework (reads only, like
``selectors``): the criteria tree with its maxima, components and bonus and
penalty criteria, the bands with their bounds, a worked example of the index and
of a criterion not applicable computed by the engine on this framework's own
criteria, the ties in this ranking, and how the previous year was matched.
Seven queries at most, whatever the number of units."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q

from scoring import engine
from scoring.models import Criterion, Framework, Result, Score
from scoring.selectors import BandRange, band_ranges

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class WorkedExample:
    """The index of one unit of this framework, then of the same unit with one
    criterion not applicable, both computed by the engine (DESIGN §3 rules 2–4)."""

    unit_name: str  # "" for a unit made up for the example (a framework without criterion scores)
    is_sample: bool  # the unit's figures are invented (sample data)
    total_points: Decimal
    applicable_max: Decimal
    index: Decimal | None
    criterion: Criterion  # the leaf taken as not applicable
    criterion_points: Decimal  # its points in the first computation, dropped in the second
    na_total_points: Decimal
    na_applicable_max: Decimal
    na_index: Decimal | None


@dataclass(frozen=True)
class Tie:
    """Units sharing a rank: the rank, their index, their names, and the rank that follows."""

    rank: int
    index: Decimal
    names: list[str]
    next_rank: int


@dataclass(frozen=True)
class Matching:
    """How this ranking's units found last year's results (DESIGN §3 rule 7)."""

    previous: Framework | None
    same_unit: int  # compared with their own result
    renamed: int  # compared through a rename
    without: int  # no previous result: new (merged, split) or not ranked the year before


@dataclass(frozen=True)
class Method:
    framework: Framework
    criteria: list[Criterion]  # in order
    normal_max: Decimal
    component_max: dict[str, Decimal]  # leaf maxima per component (appraisal, survey), normal leaves
    bonus: list[Criterion]
    penalty: list[Criterion]
    bands: list[BandRange]
    example: WorkedExample | None
    tie: Tie | None
    matching: Matching


def method_for(framework: Framework) -> Method:
    """The methodology of ``framework`` (already checked visible by the caller)."""
    criteria = list(framework.criteria.order_by("order", "code"))
    leaves = [criterion for criterion in criteria if criterion.is_leaf]
    normal = [criterion for criterion in leaves if criterion.kind == Criterion.Kind.NORMAL]
    component_max: dict[str, Decimal] = {}
    for criterion in normal:
        component_max[criterion.component] = component_max.get(criterion.component, ZERO) + criterion.max_points
    return Method(
        framework=framework,
        criteria=criteria,
        normal_max=sum((criterion.max_points for criterion in normal), ZERO),
        component_max=component_max,
        bonus=[criterion for criterion in leaves if criterion.kind == Criterion.Kind.BONUS],
        penalty=[criterion for criterion in leaves if criterion.kind == Criterion.Kind.PENALTY],
        bands=band_ranges(framework),
        example=worked_example(framework, criteria),
        tie=first_tie(framework),
        matching=matching(framework),
    )


def worked_example(framework: Framework, criteria: list[Criterion]) -> WorkedExample | None:
    """The first-ranked unit's index from its stored criterion scores, then with
    its largest applicable normal leaf not applicable. A framework without
    criterion scores (results published as a table) gets a unit made up for the
    example (``_made_up``). None without a normal leaf. One or two queries."""
    tree = engine.CriteriaTree(engine.CriterionNode(c.code, c.max_points, c.kind) for c in criteria)
    leaves = {criterion.code: criterion for criterion in criteria if criterion.is_leaf}
    top = (
        Result.objects.filter(framework=framework, rank__isnull=False)
        .order_by("rank", "unit__code")
        .values_list("unit_id", "unit_name", "unit__name", "is_sample")
        .first()
    )
    scores: dict[str, engine.ScoreValue] = {}
    if top is not None:
        stored = Score.objects.filter(criterion__framework=framework, unit_id=top[0]).values_list(
            "criterion__code", "points", "not_applicable"
        )
        scores = {code: engine.NOT_APPLICABLE if not_applicable else points for code, points, not_applicable in stored}
    candidates = [
        criterion
        for criterion in leaves.values()
        if criterion.kind == Criterion.Kind.NORMAL and scores.get(criterion.code) is not engine.NOT_APPLICABLE
    ]
    if not candidates:
        return None
    chosen = max(candidates, key=lambda criterion: (criterion.max_points, -criterion.order))
    unit_name = (top[1] or top[2]) if scores else ""
    if not scores:
        scores = _made_up(leaves, chosen)
    first = tree.totals(scores)
    second = tree.totals({**scores, chosen.code: engine.NOT_APPLICABLE})
    points = scores.get(chosen.code)
    return WorkedExample(
        unit_name=unit_name,
        is_sample=bool(unit_name and top[3]),
        total_points=first.total_points,
        applicable_max=first.applicable_max,
        index=first.index,
        criterion=chosen,
        criterion_points=points if isinstance(points, Decimal) else ZERO,
        na_total_points=second.total_points,
        na_applicable_max=second.applicable_max,
        na_index=second.index,
    )


def _made_up(leaves: dict[str, Criterion], chosen: Criterion) -> dict[str, Decimal]:
    """A unit made up for the example: three quarters of each normal leaf's
    maximum but half of ``chosen``'s, half of each bonus leaf's, no penalty."""
    share = {Criterion.Kind.NORMAL: Decimal("0.75"), Criterion.Kind.BONUS: Decimal("0.5"), Criterion.Kind.PENALTY: 0}
    scores = {code: engine.round_half_up(leaf.max_points * share[leaf.kind]) for code, leaf in leaves.items()}
    scores[chosen.code] = engine.round_half_up(chosen.max_points / 2)
    return scores


def first_tie(framework: Framework) -> Tie | None:
    """The best-ranked group of units sharing a rank in this ranking. One query."""
    tied = Result.objects.filter(framework=framework, tied=True, rank__isnull=False).order_by("rank", "unit__code")
    group = list(tied.filter(rank=tied.values("rank")[:1]).values_list("rank", "index", "unit_name", "unit__name"))
    if not group:
        return None
    rank, index = group[0][0], group[0][1]
    return Tie(rank, index, [published or name for _rank, _index, published, name in group], rank + len(group))


def matching(framework: Framework) -> Matching:
    """How many units were compared with last year's result, directly or through
    a rename, and how many have none. One or two queries."""
    previous = Framework.objects.previous_round(framework)
    counts = Result.objects.filter(framework=framework).aggregate(
        every=Count("pk"),
        matched=Count("previous"),
        same=Count("pk", filter=Q(previous__unit_id=F("unit_id"))),
    )
    return Matching(
        previous=previous,
        same_unit=counts["same"],
        renamed=counts["matched"] - counts["same"],
        without=counts["every"] - counts["matched"],
    )
