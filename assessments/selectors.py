"""Reads of the assessment cycle: a round's dashboard, per unit, in a constant
number of queries whatever the number of units."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from assessments.models import AssessmentRound, CellAssessment, Evidence, Phase, UnitAssessment


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
