"""Reads for the public pages. Every selector runs a constant number of queries,
whatever the number of units, and never computes ranks: it reads stored Results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.http import Http404
from django.utils.translation import get_language

from cchc_portal.languages import in_language
from cchc_portal.text import fold
from scoring import engine
from scoring.db import field_points
from scoring.models import PUBLIC, Band, Criterion, Framework, Result, Score, Visibility
from units import selectors as units_selectors
from units.models import Boundary, Unit


@dataclass(frozen=True)
class BandRange:
    """A band and the indexes it takes: from ``lower`` (inclusive) to ``upper``
    (exclusive; None for the top band)."""

    label: str  # as results store it (Vietnamese)
    lower: Decimal
    upper: Decimal | None
    label_en: str = ""

    @property
    def local_label(self) -> str:
        return in_language(self.label, self.label_en)


def band_ranges(framework: Framework) -> list[BandRange]:
    """The framework's bands, best first, each with the index range it takes. One query."""
    bands = list(Band.objects.filter(scheme_id=framework.band_scheme_id).order_by("-lower_bound"))
    upper = [None] + [band.lower_bound for band in bands[:-1]]
    return [
        BandRange(band.label, band.lower_bound, above, band.label_en) for band, above in zip(bands, upper, strict=True)
    ]


@dataclass(frozen=True)
class BandLabels:
    """Band labels in the page's language, for results of any frameworks: a
    result stores its band's (Vietnamese) label (``band_labels``)."""

    english: dict[tuple[int, str], str]  # (band scheme id, label) -> English label

    def of(self, framework: Framework, label: str) -> str:
        return in_language(label, self.english.get((framework.band_scheme_id, label), ""))


def band_labels(frameworks: Iterable[Framework]) -> BandLabels:
    """The labels of the bands of ``frameworks``' schemes in the page's language:
    one query on a page in another language than Vietnamese, none on a Vietnamese one."""
    if get_language() in (None, settings.LANGUAGE_CODE):
        return BandLabels({})
    rows = Band.objects.filter(scheme_id__in={framework.band_scheme_id for framework in frameworks})
    return BandLabels(
        {(scheme, label): english for scheme, label, english in rows.values_list("scheme_id", "label", "label_en")}
    )


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
        """The row's own figures, or the previous ones its deltas use, are sample
        data (``previous_is_sample``: annotated by ``ranking_for``)."""
        return self.result.is_sample or self.change_is_sample

    @property
    def change_is_sample(self) -> bool:
        """Only its changes are: real figures compared with invented ones of last year."""
        return not self.result.is_sample and bool(self.result.previous_is_sample)


@dataclass(frozen=True)
class Ranking:
    """A framework's ranking: its field columns, the rows asked for (all, those a
    filter keeps, or one page of them), and the whole block's summary."""

    framework: Framework
    fields: list[Criterion]
    rows: list[RankingRow]
    summary: engine.Summary
    has_previous_round: bool
    bands: list[BandRange]  # the framework's bands, best first, with their bounds
    page: Page | None = None  # the rows' page, when one was asked for

    def band_label(self, label: str) -> str:
        """A result's band (as stored) in the page's language. No query."""
        return self._band_labels.get(label) or in_language(label, "")

    @property
    def band_counts(self) -> list[tuple[str, int]]:
        """The summary's units per band, each band in the page's language."""
        return [(self.band_label(label), count) for label, count in dict(self.summary.bands).items()]

    @cached_property
    def _band_labels(self) -> dict[str, str]:
        return {band.label: band.local_label for band in self.bands}

    @property
    def shows_sample_data(self) -> bool:
        publication = getattr(self.framework, "publication", None)
        return self.has_sample_rows or bool(publication and publication.is_sample)

    @property
    def has_sample_rows(self) -> bool:
        """Some rows' figures, or the previous ones their changes use, are invented."""
        return any(row.shows_sample_data for row in self.rows)


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


def frameworks_visible(*, visibility: Visibility = PUBLIC):
    """The frameworks ``visibility`` shows (the published ones, for the public), with
    their index and publication."""
    return Framework.objects.select_related("index", "publication").visible(visibility)


@dataclass
class UnitHit:
    """A unit found by a search, with the rankings it has (newest first)."""

    unit: Unit
    rankings: list[Framework]


# How many matching units a search reads to order them (the rest only make "more").
SEARCH_CANDIDATES = 1000


def unit_search(query: str, *, visibility: Visibility = PUBLIC) -> tuple[list[UnitHit], bool]:
    """(up to ``units.selectors.SEARCH_LIMIT`` units matching ``query``, whether
    there are more). The unit with exactly that code first; then units with
    results in a ranking ``visibility`` shows; then those that keep the
    diacritics the user typed ("Phổ Yên": Phổ Yên before Thành phố Yên Bái);
    then the words as a phrase before the words apart; units in force before
    former ones, higher levels before lower, by name. Each with its rankings.
    Two queries."""
    query = units_selectors.search_query(query)
    ranked = Result.objects.filter(unit=OuterRef("pk"), framework__in=frameworks_visible(visibility=visibility))
    by_code = Case(When(exact=0, then=Value(0)), default=Value(1), output_field=IntegerField())
    candidates = list(  # cut in the order below but for the diacritics, which SQL cannot weigh
        units_selectors.unit_search_candidates(query)
        .annotate(has_results=Exists(ranked))
        .order_by(by_code, "-has_results", "exact", "former", "level", "search_name", "code")[: SEARCH_CANDIDATES + 1]
    )

    def order(unit: Unit) -> tuple:
        return (
            unit.exact != 0,
            not unit.has_results,
            units_selectors.accents_missed(unit, query),
            unit.exact,
            unit.former,
            unit.level,
            unit.search_name,
            unit.code,
        )

    units = sorted(candidates[:SEARCH_CANDIDATES], key=order)[: units_selectors.SEARCH_LIMIT + 1]
    more = len(units) > units_selectors.SEARCH_LIMIT or len(candidates) > SEARCH_CANDIDATES
    units = units[: units_selectors.SEARCH_LIMIT]
    rankings: dict[int, list[Framework]] = {unit.pk: [] for unit in units}
    with_results = [unit.pk for unit in units if unit.has_results]
    if with_results:
        shown = frameworks_visible(visibility=visibility).filter(results__unit_id__in=with_results)
        for framework in shown.annotate(unit_id=F("results__unit_id")).order_by("-year", "-month", "block", "slug"):
            rankings[framework.unit_id].append(framework)
    return [UnitHit(unit, rankings[unit.pk]) for unit in units], more


def framework_list(*, visibility: Visibility = PUBLIC) -> list[Framework]:
    """The frameworks ``visibility`` shows (``frameworks_visible``), newest first, then
    by scope, block and index, with their index and publication. One query."""
    return list(frameworks_visible(visibility=visibility).order_by("-year", "-month", "scope", "block", "index__slug"))


def framework_list_latest(*, visibility: Visibility = PUBLIC) -> tuple[list[Framework], list[Framework]]:
    """(latest framework per series: index, scope, block, yearly or monthly; all visible frameworks), newest first.
    One query."""
    frameworks = framework_list(visibility=visibility)
    latest, seen = [], set()
    for framework in frameworks:
        key = (framework.index_id, framework.scope, framework.block, framework.month > 0)
        if key not in seen:
            seen.add(key)
            latest.append(framework)
    return latest, frameworks


def framework_get(*, slug: str, visibility: Visibility = PUBLIC) -> Framework:
    """The framework with this slug, with its index and publication, if
    ``visibility`` shows it. Raises Http404 for an unknown slug or a framework it
    does not show (for the public, an unpublished one): the two look the same, so a
    draft's slug gives nothing away. One query."""
    try:
        return frameworks_visible(visibility=visibility).get(slug=slug)
    except Framework.DoesNotExist:
        raise Http404("No such published framework.") from None


def ranking_get(*, slug: str, visibility: Visibility = PUBLIC) -> Ranking:
    """A framework's ranking (``ranking_for``), found by slug (``framework_get``:
    Http404 for an unknown slug or a framework ``visibility`` does not show). Six
    queries."""
    return ranking_for(framework=framework_get(slug=slug, visibility=visibility))


def ranking_for(
    *,
    framework: Framework,
    ranking_filter: RankingFilter | None = None,
    page_number: str | int | None = None,
    page_size: int = 0,
    with_previous: bool = False,
) -> Ranking:
    """A framework's ranking, in rank order (unranked units last, then by unit
    code) or as ``ranking_filter`` sorts and filters it, with its field columns
    (the top-level criteria in order), the summary of the whole block and
    whether a previous round exists to compare with. With ``page_number``, only
    that page of ``RANKING_PAGE_SIZE`` rows is read (plus a query counting the
    rows a parent or search filter keeps), so a page of a national block costs
    what a small block's does: ``page_size`` rows (``RANKING_PAGE_SIZE`` by
    default), with their previous result when ``with_previous``. Reads stored Results only, whoever asks: callers
    decide who may see the framework. Five or six queries
    (``Ranking.shows_sample_data`` reads ``framework.publication``: select it)."""
    fields = list(framework.criteria.filter(parent=None).order_by("order", "code"))
    results = Result.objects.filter(framework=framework).annotate(previous_is_sample=F("previous__is_sample"))
    results = (ranking_filter or RankingFilter()).apply(results.select_related("unit"), fields)
    has_previous_round = Framework.objects.previous_round(framework) is not None
    bands = band_ranges(framework)
    if page_number is None:  # every row: the API's and downloads' previous figures too
        rows = [RankingRow(result, field_cells(result, fields)) for result in results.select_related("previous")]
        # Every result in hand: the summary needs no query of its own.
        summary = framework_summary(framework, None if ranking_filter else [row.result for row in rows], bands)
        return Ranking(framework, fields, rows, summary, has_previous_round, bands)
    # A page shows no previous figure, only the changes; a page of the API's does (``with_previous``).
    summary = framework_summary(framework, bands=bands)
    paginator = Paginator(
        results.select_related("previous") if with_previous else results, page_size or RANKING_PAGE_SIZE
    )
    if not ranking_filter or ranking_filter.keeps_every_row:
        paginator.count = summary.count  # the summary counted every result: no COUNT query
    page = paginator.get_page(page_number)
    rows = [RankingRow(result, field_cells(result, fields)) for result in page.object_list]
    return Ranking(framework, fields, rows, summary, has_previous_round, bands, page)


def framework_has_sample_rows(framework: Framework) -> bool:
    """Some results' figures, or the previous ones their changes use, are
    invented (``Ranking.has_sample_rows`` over every row). One query."""
    invented = Q(is_sample=True) | Q(previous__is_sample=True)
    return Result.objects.filter(invented, framework=framework).exists()


def ranking_outlines(framework: Framework, limit: int) -> list[tuple[Result, Boundary]]:
    """The block's units that have an outline, each (result, outline), for its
    map: none when more than ``limit`` have one (a map of thousands is not
    drawn). Two queries; one without outlines or with too many."""
    outlined = Result.objects.filter(framework=framework, unit__boundary__isnull=False)
    ids = list(outlined.values_list("pk", flat=True)[: limit + 1])  # counted before any geometry is read
    if not ids or len(ids) > limit:
        return []
    results = Result.objects.filter(pk__in=ids).select_related("unit__boundary").order_by("unit_id")
    return [(result, result.unit.boundary) for result in results]


def ranking_movers(framework: Framework, count: int = 3) -> tuple[list[Result], list[Result]]:
    """The ``count`` units that moved up most since last year's ranking, and the
    ``count`` that moved down most (by places, then by the change of index).
    Two queries; none without a previous round (``has_previous_round``)."""
    moved = Result.objects.filter(framework=framework).select_related("unit")
    up = list(moved.filter(delta_rank__gt=0).order_by("-delta_rank", "-delta_index", "rank", "unit__code")[:count])
    down = list(moved.filter(delta_rank__lt=0).order_by("delta_rank", "delta_index", "-rank", "unit__code")[:count])
    return up, down


def framework_summary(
    framework: Framework, results: Iterable[Result] | None = None, bands: list[BandRange] | None = None
) -> engine.Summary:
    """``engine.summarise`` over every result of the framework: ``results`` when
    given (all of them), else read as plain values; its ``bands`` when given
    (``band_ranges``), else read. One or two queries."""
    band_labels = [band.label for band in (band_ranges(framework) if bands is None else bands)]
    if results is None:
        rows = Result.objects.filter(framework=framework).values_list("index", "delta_rank", "previous_id", "band")
    else:
        rows = ((result.index, result.delta_rank, result.previous_id, result.band) for result in results)
    return engine.summarise(
        ((index, moved, previous_id is not None, band) for index, moved, previous_id, band in rows), band_labels
    )


# A ranking page shows this many units; a larger block is paged.
RANKING_PAGE_SIZE = 100
# The ranking's sort keys besides one per field ("field-1"); "-key" reverses.
RANKING_SORTS = ("rank", "unit", "index", "delta_index", "delta_rank")
FIELD_SORT_PREFIX = "field-"


@dataclass(frozen=True)
class RankingFilter:
    """How to read a ranking: a sort (a key of ``RANKING_SORTS`` or a field's
    ``field-<code>``), a parent unit (a commune's district, a district's province),
    a search in unit names or codes. The public pages build it from a visitor's
    query string (``public.filters.RankingQuery``)."""

    sort: str = "rank"
    descending: bool = False
    parent: str = ""
    query: str = ""

    @property
    def keeps_every_row(self) -> bool:
        return not (self.parent or self.query)

    def apply(self, results: QuerySet, fields: Sequence[Criterion]) -> QuerySet:
        """``results`` (of one framework) with only the rows this filter keeps, in
        its order; rows without the sorted figure go last either way, ties in
        rank order."""
        if self.parent:
            results = results.filter(unit__parent__code=self.parent)
        if self.query:
            results = results.filter(
                Q(unit__code=self.query)
                | Q(unit__search_name__contains=fold(self.query))
                | Q(unit_name__icontains=self.query)
            )
        in_rank_order = (F("rank").asc(nulls_last=True), "unit__code")
        code = self.sort.removeprefix(FIELD_SORT_PREFIX)
        if self.sort.startswith(FIELD_SORT_PREFIX) and code not in {field.code for field in fields}:
            return results.order_by(*in_rank_order)  # a field of no column: rank order
        if self.sort == "rank" and not self.descending:
            return results.order_by(*in_rank_order)
        if self.sort.startswith(FIELD_SORT_PREFIX):
            value = field_points(code)
        else:
            value = F({"unit": "unit__search_name"}.get(self.sort, self.sort))
        value = value.desc(nulls_last=True) if self.descending else value.asc(nulls_last=True)
        return results.order_by(value, *in_rank_order)


def ranking_parents(framework: Framework) -> list[Unit]:
    """The parent units of the ranked units (a ranking's "filter by" choices), by name. One query."""
    parent_ids = Result.objects.filter(framework=framework).values("unit__parent_id")
    return list(Unit.objects.filter(pk__in=parent_ids).order_by("search_name", "code"))


def unit_results(*, unit, visibility: Visibility = PUBLIC) -> list[Result]:
    """A unit's results in the frameworks ``visibility`` shows, newest first, each
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
        Result.objects.filter(unit=unit, framework__in=frameworks_visible(visibility=visibility))
        .select_related("framework__index", "framework__publication", "previous")
        .annotate(ranked=Subquery(ranked))
        .order_by("-framework__year", "-framework__month", "framework__index__slug", "framework__block")
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


@dataclass(frozen=True)
class FieldComparison:
    field: Criterion
    points: Decimal | None
    block_mean: Decimal | None


@dataclass(frozen=True)
class Breakdown:
    """A result's field subtotals against each field's maximum and the mean of
    the units ranked in the same framework."""

    result: Result
    index_mean: Decimal | None
    fields: list[FieldComparison]


def _mean(total, count: int) -> Decimal | None:
    """The exact mean of values with two decimals, rounded half-up. ``total`` comes
    from the database's SUM: a Decimal, or on SQLite a float whose error is far
    below a cent, so rounding it to cents first gives the exact sum back."""
    if not count or total is None:
        return None
    cents = Decimal(repr(total) if isinstance(total, float) else total).quantize(engine.ZERO)
    return engine.round_half_up(Fraction(cents) / count)


def framework_means(framework: Framework, codes: Sequence[str]) -> tuple[Decimal | None, dict[str, Decimal | None]]:
    """(mean index, {field code: mean points}) over the framework's units with an index. One query."""
    sums = {"index_sum": Sum("index"), "index_count": Count("index")}
    for position, code in enumerate(codes):
        points = field_points(code)
        sums[f"sum_{position}"], sums[f"count_{position}"] = Sum(points), Count(points)
    row = Result.objects.filter(framework=framework, index__isnull=False).aggregate(**sums)
    return _mean(row["index_sum"], row["index_count"]), {
        code: _mean(row[f"sum_{position}"], row[f"count_{position}"]) for position, code in enumerate(codes)
    }


def unit_breakdown(results: Sequence[Result]) -> Breakdown | None:
    """The newest of ``results`` (newest first, as ``unit_results`` gives them)
    that has field subtotals, against maxima and block means. Two queries."""
    result = next((result for result in results if result.field_points), None)
    if result is None:
        return None
    fields = list(result.framework.criteria.filter(parent=None).order_by("order", "code"))
    index_mean, means = framework_means(result.framework, [field.code for field in fields])
    return Breakdown(
        result=result,
        index_mean=index_mean,
        fields=[
            FieldComparison(field, _decimal(result.field_points.get(field.code)), means[field.code]) for field in fields
        ],
    )


@dataclass(frozen=True)
class Comparison:
    """Two to four units side by side: each unit's results (newest first), and
    the frameworks any of them was ranked in (newest first), with each unit's
    result in each (None where it took no part)."""

    units: list[Unit]
    results: dict[int, list[Result]]  # unit id -> results
    missing: list[str]  # codes that name no unit

    @property
    def frameworks(self) -> list[tuple[Framework, list[Result | None]]]:
        by_framework: dict[int, tuple[Framework, dict[int, Result]]] = {}
        for unit_id, results in self.results.items():
            for result in results:
                by_framework.setdefault(result.framework_id, (result.framework, {}))[1][unit_id] = result
        ordered = sorted(
            by_framework.values(), key=lambda item: (-item[0].year, -item[0].month, item[0].index_id, item[0].block)
        )
        return [(framework, [cells.get(unit.pk) for unit in self.units]) for framework, cells in ordered]


def units_compared(codes: Sequence[str], *, visibility: Visibility = PUBLIC) -> Comparison:
    """The units holding ``codes`` now (else the last to hold each), in the given
    order, with their results in the frameworks ``visibility`` shows. One query for
    the units and one per unit (at most four)."""
    holders = Unit.objects.filter(code__in=codes).order_by("code", F("valid_to").desc(nulls_first=True))
    by_code: dict[str, Unit] = {}
    for unit in holders:
        by_code.setdefault(unit.code, unit)
    units = [by_code[code] for code in codes if code in by_code]
    return Comparison(
        units=units,
        results={unit.pk: unit_results(unit=unit, visibility=visibility) for unit in units},
        missing=[code for code in codes if code not in by_code],
    )


@dataclass(frozen=True)
class Completeness:
    """The cells of a computed framework not entered yet: no points and not marked
    not applicable. Counted as 0 against the full maximum by the arithmetic, so
    sending for review and publishing name them first."""

    cells: int  # every cell: participants × leaf criteria
    by_unit: dict[int, int]  # unit id -> its cells not entered (a complete unit is absent)
    by_criterion: dict[int, int]  # criterion id -> its cells not entered (likewise)

    @property
    def missing(self) -> int:
        return sum(self.by_unit.values())


def framework_completeness(framework: Framework) -> Completeness:
    """Which cells of ``framework``'s participants × leaf criteria are not entered.
    Four queries, whatever the number of units."""
    leaves = list(framework.criteria.filter(is_leaf=True).values_list("pk", flat=True))
    units = list(framework.participants.values_list("pk", flat=True))
    entered = Score.objects.filter(criterion_id__in=leaves, unit_id__in=units).filter(
        Q(points__isnull=False) | Q(not_applicable=True)
    )
    per_unit = dict(entered.order_by().values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
    per_leaf = dict(entered.order_by().values("criterion_id").annotate(n=Count("pk")).values_list("criterion_id", "n"))
    by_unit = {unit: len(leaves) - per_unit.get(unit, 0) for unit in units}
    by_criterion = {leaf: len(units) - per_leaf.get(leaf, 0) for leaf in leaves}
    return Completeness(
        cells=len(leaves) * len(units),
        by_unit={unit: count for unit, count in by_unit.items() if count},
        by_criterion={leaf: count for leaf, count in by_criterion.items() if count},
    )
