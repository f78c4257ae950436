"""Reads for the public pages. Every selector runs a constant number of queries,
whatever the number of units, and never computes ranks: it reads stored Results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import Http404

from scoring import engine
from scoring.models import Band, Criterion, Framework, Result
from units.models import Unit


@dataclass(frozen=True)
class FieldCell:
    code: str
    points: Decimal | None
    delta: Decimal | None


@dataclass(frozen=True)
class RankingRow:
    result: Result
    fields: list[FieldCell]

    @property
    def shows_sample_data(self) -> bool:
        """The row's own figures, or the previous ones its deltas use, are sample data."""
        previous = self.result.previous
        return self.result.is_sample or (previous is not None and previous.is_sample)


@dataclass(frozen=True)
class Ranking:
    framework: Framework
    fields: list[Criterion]
    rows: list[RankingRow]
    summary: engine.Summary
    has_previous_round: bool

    @property
    def shows_sample_data(self) -> bool:
        publication = getattr(self.framework, "publication", None)
        return any(row.shows_sample_data for row in self.rows) or bool(publication and publication.is_sample)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def field_cells(result: Result, fields: Iterable[Criterion]) -> list[FieldCell]:
    """A result's points and change on each field (top-level criterion) in the
    order given: None where it has no subtotal (a published-mode table without
    that column) or no previous figure to compare with. No query."""
    return [
        FieldCell(
            code=field.code,
            points=_decimal(result.field_points.get(field.code)),
            delta=_decimal(result.field_deltas.get(field.code)),
        )
        for field in fields
    ]


def frameworks_visible(*, user=None):
    """Frameworks a user may see: published ones, and drafts too for staff who may view frameworks."""
    frameworks = Framework.objects.select_related("index", "publication")
    if user is not None and user.is_staff and user.has_perm("scoring.view_framework"):
        return frameworks
    return frameworks.published()


def framework_list(*, user=None) -> list[Framework]:
    """The frameworks a user may see (``frameworks_visible``), newest first, then
    by scope, block and index, with their index and publication. One query."""
    return list(frameworks_visible(user=user).order_by("-year", "scope", "block", "index__slug"))


def framework_list_latest(*, user=None) -> tuple[list[Framework], list[Framework]]:
    """(latest framework per index, scope and block; all visible frameworks), newest first.
    One query."""
    frameworks = framework_list(user=user)
    latest, seen = [], set()
    for framework in frameworks:
        key = (framework.index_id, framework.scope, framework.block)
        if key not in seen:
            seen.add(key)
            latest.append(framework)
    return latest, frameworks


def framework_get(*, slug: str, user=None) -> Framework:
    """The framework with this slug, with its index and publication, if the user
    may see it (``frameworks_visible``). Raises Http404 for an unknown slug or,
    for anyone but staff, an unpublished framework: the two look the same, so a
    draft's slug gives nothing away. One query."""
    try:
        return frameworks_visible(user=user).get(slug=slug)
    except Framework.DoesNotExist:
        raise Http404("No such published framework.") from None


def ranking_get(*, slug: str, user=None) -> Ranking:
    """A framework's ranking (``ranking_for``), found by slug (``framework_get``:
    Http404 for an unknown slug or a framework the user may not see). Five
    queries."""
    return ranking_for(framework=framework_get(slug=slug, user=user))


def ranking_for(*, framework: Framework) -> Ranking:
    """A framework's ranking in rank order (unranked units last, then by unit
    code), with its field columns (the top-level criteria in order), summary and
    whether a previous round exists to compare with. Reads stored Results only,
    whoever asks: callers decide who may see the framework. Four queries
    (``Ranking.shows_sample_data`` reads ``framework.publication``: select it)."""
    fields = list(framework.criteria.filter(parent=None).order_by("order", "code"))
    results = (
        Result.objects.filter(framework=framework)
        .select_related("unit", "previous")
        .order_by(F("rank").asc(nulls_last=True), "unit__code")
    )
    rows = [RankingRow(result=result, fields=field_cells(result, fields)) for result in results]
    has_previous_round = Framework.objects.previous_round(framework) is not None
    band_labels = list(Band.objects.filter(scheme_id=framework.band_scheme_id).values_list("label", flat=True))
    summary = engine.summarise(
        (
            (row.result.index, row.result.delta_rank, row.result.previous_id is not None, row.result.band)
            for row in rows
        ),
        band_labels,
    )
    return Ranking(framework, fields, rows, summary, has_previous_round)


def unit_results(*, unit, user=None) -> list[Result]:
    """A unit's results in the frameworks the user may see, newest first, each
    with its framework (index, publication), its previous result and ``ranked``
    (how many units its framework ranked). One query."""
    ranked = (
        Result.objects.filter(framework=OuterRef("framework"), rank__isnull=False)
        .order_by()
        .values("framework")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        Result.objects.filter(unit=unit, framework__in=frameworks_visible(user=user))
        .select_related("framework__index", "framework__publication", "previous")
        .annotate(ranked=Subquery(ranked))
        .order_by("-framework__year", "framework__index__slug", "framework__block")
    )


def framework_fields(*, framework_ids: Iterable[int]) -> dict[int, list[Criterion]]:
    """{framework id: its fields (top-level criteria) in order} for several
    frameworks at once; a framework without criteria is absent. One query (none
    for no frameworks)."""
    fields = defaultdict(list)
    for criterion in Criterion.objects.filter(framework_id__in=list(framework_ids), parent=None).order_by(
        "framework_id", "order", "code"
    ):
        fields[criterion.framework_id].append(criterion)
    return dict(fields)


NATIONAL_SCOPE = "VN"
_BLOCK_KINDS = {
    Framework.Block.PROVINCE: (Unit.Kind.PROVINCE,),
    Framework.Block.DISTRICT: (Unit.Kind.DISTRICT,),
    Framework.Block.COMMUNE: (Unit.Kind.COMMUNE,),
    Framework.Block.DEPARTMENT: (Unit.Kind.DEPARTMENT, Unit.Kind.AGENCY),
    Framework.Block.MINISTRY: (Unit.Kind.MINISTRY, Unit.Kind.AGENCY),
}


def units_rankable(*, year: int, scope: str, block: str):
    """The units a framework of this year, scope and block may rank: units of
    the block's kinds in force at the end of the year, under the scope's
    province (directly or through a district) unless the scope is national."""
    units = Unit.objects.valid_on(date(year, 12, 31)).filter(kind__in=_BLOCK_KINDS[block])
    if scope != NATIONAL_SCOPE:
        units = units.filter(Q(parent__code=scope) | Q(parent__parent__code=scope))
    return units.order_by("code")
