"""Reads of the assessment cycle: a round's dashboard, per unit, in a constant
number of queries whatever the number of units; the criteria a unit's public
page shows."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from assessments.models import AssessmentRound, CellAssessment, Evidence, Phase, UnitAssessment
from scoring import engine
from scoring.models import Criterion, Result, Score


@dataclass
class UnitProgress:
    """One participant's way through the round, as the dashboard shows it."""

    assessment: UnitAssessment
    leaves: int
    self_scored: int = 0
    appraised: int = 0
    explained: int = 0
    evidence: int = 0
    gap: Decimal = Decimal(0)  # self minus appraised points, over the appraised cells
    deadline: datetime | None = None

    @property
    def days_left(self) -> int | None:
        """Whole days to the deadline of the round's current phase (negative: past)."""
        if self.deadline is None:
            return None
        return (timezone.localtime(self.deadline).date() - timezone.localdate()).days


def round_overview(round_: AssessmentRound) -> list[UnitProgress]:
    """Every participant's progress in ``round_``, by unit code: four queries."""
    leaves = round_.framework.criteria.filter(is_leaf=True).count()
    appraised = Q(appraised_at__isnull=False)
    cells = {
        row["unit_id"]: row
        for row in CellAssessment.objects.filter(round=round_)
        .values("unit_id")
        .annotate(
            self_scored=Count("pk", filter=Q(self_points__isnull=False) | Q(self_not_applicable=True)),
            appraised=Count("pk", filter=appraised),
            explained=Count("pk", filter=Q(explained_at__isnull=False)),
            self_sum=Sum("self_points", filter=appraised),
            appraised_sum=Sum("appraised_points", filter=appraised),
        )
    }
    files = dict(
        Evidence.objects.filter(round=round_, removed_at=None)
        .values("unit_id")
        .annotate(count=Count("pk"))
        .values_list("unit_id", "count")
    )
    phase_deadline = round_.deadline(round_.phase) if round_.phase != Phase.CLOSED else None
    overview = []
    for assessment in round_.units.select_related("unit").order_by("unit__code"):
        row = cells.get(assessment.unit_id, {})
        overview.append(
            UnitProgress(
                assessment,
                leaves,
                self_scored=row.get("self_scored", 0),
                appraised=row.get("appraised", 0),
                explained=row.get("explained", 0),
                evidence=files.get(assessment.unit_id, 0),
                gap=(row.get("self_sum") or Decimal(0)) - (row.get("appraised_sum") or Decimal(0)),
                deadline=assessment.reopened_until or phase_deadline,
            )
        )
    return overview


@dataclass
class PublicCriterion:
    """A criterion's final figure as a unit's public page shows it."""

    code: str
    name: str  # in the page's language
    max_points: Decimal
    points: Decimal | None
    not_applicable: bool
    comment: str
    files: list[Evidence]  # the evidence the province shows


def public_criteria(unit_id: int, framework_ids: list[int]) -> dict[int, list[PublicCriterion]]:
    """For the published frameworks among ``framework_ids`` whose round shows its
    criteria publicly: each leaf criterion's final score of the unit, its maximum
    and the appraisal comment, by framework. Three queries."""
    shown = list(
        AssessmentRound.objects.filter(
            framework_id__in=framework_ids, criteria_public=True, framework__publication__isnull=False
        ).values_list("framework_id", flat=True)
    )
    if not shown:
        return {}
    scores = {
        criterion_id: (points, not_applicable)
        for criterion_id, points, not_applicable in Score.objects.filter(
            unit_id=unit_id, criterion__framework_id__in=shown
        ).values_list("criterion_id", "points", "not_applicable")
    }
    comments = dict(
        CellAssessment.objects.filter(unit_id=unit_id, round__framework_id__in=shown).values_list(
            "criterion_id", "appraisal_comment"
        )
    )
    files: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.filter(
        unit_id=unit_id, round__framework_id__in=shown, is_public=True, removed_at=None
    ).order_by("criterion_id", "uploaded_at", "pk"):
        files.setdefault(item.criterion_id, []).append(item)
    tables: dict[int, list[PublicCriterion]] = {framework_id: [] for framework_id in shown}
    leaves = Criterion.objects.filter(framework_id__in=shown, is_leaf=True).order_by("framework_id", "order", "code")
    for criterion in leaves:
        points, not_applicable = scores.get(criterion.pk, (None, False))
        tables[criterion.framework_id].append(
            PublicCriterion(
                criterion.code,
                criterion.local_name,
                criterion.max_points,
                points,
                not_applicable,
                comments.get(criterion.pk, ""),
                files.get(criterion.pk, []),
            )
        )
    return tables


def public_evidence(evidence_id: int) -> Evidence | None:
    """A file anyone may download: shown by the province, not removed, of a
    published framework whose round shows its criteria."""
    return (
        Evidence.objects.filter(
            pk=evidence_id,
            is_public=True,
            removed_at=None,
            round__criteria_public=True,
            round__framework__publication__isnull=False,
        )
        .select_related("unit")
        .first()
    )


@dataclass
class PreviewRow:
    """A unit ranked on its self scores beside its ranking on the stored scores."""

    unit_name: str
    self_index: Decimal | None
    self_rank: int | None
    index: Decimal | None
    rank: int | None


def ranking_preview(round_: AssessmentRound) -> list[PreviewRow]:
    """The round's units ranked on their self scores, as the engine ranks the
    final ones (DESIGN §3), beside the results stored from the final scores:
    the index and rank each would have if every self score were accepted.
    Five queries; ordered by the self-score rank."""
    framework = round_.framework
    tree = engine.CriteriaTree(criterion.node for criterion in framework.criteria.all())
    codes = dict(framework.criteria.values_list("pk", "code"))
    values: dict[int, dict[str, engine.ScoreValue]] = {}
    cells = CellAssessment.objects.filter(round=round_).values_list(
        "unit_id", "criterion_id", "self_points", "self_not_applicable"
    )
    for unit_id, criterion_id, points, not_applicable in cells:
        values.setdefault(unit_id, {})[codes[criterion_id]] = engine.NOT_APPLICABLE if not_applicable else points
    units = list(round_.units.select_related("unit").order_by("unit__code"))
    self_indexes = {item.unit_id: tree.totals(values.get(item.unit_id, {})).index for item in units}
    self_ranks = engine.competition_ranks(self_indexes)
    results = Result.objects.filter(framework=framework).values_list("unit_id", "index", "rank")
    stored = {unit_id: (index, rank) for unit_id, index, rank in results}
    rows = [
        PreviewRow(
            item.unit.name,
            self_indexes[item.unit_id],
            self_ranks[item.unit_id][0],
            *stored.get(item.unit_id, (None, None)),
        )
        for item in units
    ]
    return sorted(rows, key=lambda row: (row.self_rank is None, row.self_rank or 0, row.unit_name))
