"""Reads of dossier statistics for the public pages and the API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Case, F, IntegerField, Q, Value, When

from dossiers import periods, rates
from dossiers.models import DossierStatistics
from units.models import Unit

_LEVEL_ORDER = Case(
    *(When(level=level, then=Value(position)) for position, level in enumerate(DossierStatistics.Level.values)),
    output_field=IntegerField(),
)


def statistics_history(unit: Unit, predecessors: Sequence[Unit] = ()) -> list[DossierStatistics]:
    """The statistics of ``unit`` and of the units it was formed from
    (``predecessors``: renamed, merged or split into it; their records are
    theirs, the page marks them), in period order, each period's levels in the
    order all, own, below, the unit's own before its predecessors'. One query."""
    units = [unit.pk, *(predecessor.pk for predecessor in predecessors)]
    return sorted(
        DossierStatistics.objects.filter(unit_id__in=units)
        .select_related("unit")
        .alias(level_order=_LEVEL_ORDER)
        .order_by("starts_on", "-ends_on", "level_order", "unit__code"),
        key=lambda record: (record.starts_on, -record.ends_on.toordinal(), record.unit_id != unit.pk),
    )


# --- a province's units side by side, one period ---------------------------------

# The kinds of unit a province's table may list, in the order its choices are offered.
TABLE_KINDS = (Unit.Kind.DISTRICT, Unit.Kind.COMMUNE, Unit.Kind.DEPARTMENT, Unit.Kind.AGENCY)
TABLE_SORTS = ("on_time", "online", "late", "received", "unit")
_LEVEL_PREFERENCE = (DossierStatistics.Level.ALL, DossierStatistics.Level.OWN, DossierStatistics.Level.BELOW)


@dataclass(frozen=True)
class TableRow:
    record: DossierStatistics
    on_time: Fraction | None  # exact, for ranking; pages show ``rates.page_rates``
    online: Fraction | None
    late: Fraction | None
    on_time_rank: int | None  # competition ranks: 1, 2, 2, 4; none without a rate
    online_rank: int | None


@dataclass(frozen=True)
class ProvinceTable:
    province: Unit
    period: str  # its label ("2019-Q4")
    periods: list[tuple[str, str]]  # (label, as shown) of every period with figures, newest first
    kinds: list[str]  # the kinds of unit with figures in the period
    kind: str
    rows: list[TableRow]


def _exact(part: int | None, whole: int | None) -> Fraction | None:
    return None if part is None or not whole else Fraction(part, whole)


def _competition_ranks(values: Sequence[Fraction | None]) -> list[int | None]:
    """Rank 1 for the highest value, equal values sharing a rank and the next
    rank skipping as many (1, 2, 2, 4); no rank without a value."""
    ordered = sorted((value for value in values if value is not None), reverse=True)
    first = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return [None if value is None else first[value] for value in values]


def province_table(code: str, *, period: str | None = None, kind: str | None = None, sort: str = "-on_time"):
    """The units of the province holding ``code`` (its districts and departments,
    and their communes), of one ``kind``, with their figures in ``period`` (the
    latest with figures by default), ranked by on-time and by online rate
    (exactly, ties shared), in the order ``sort`` asks (``_sorted``). A unit reporting several levels
    is shown at its widest (all levels, else its own desk). None when no unit of
    that code's provinces has figures. Three queries."""
    under = Q(unit__parent__code=code, unit__parent__kind=Unit.Kind.PROVINCE) | Q(
        unit__parent__parent__code=code, unit__parent__parent__kind=Unit.Kind.PROVINCE
    )
    found = (
        DossierStatistics.objects.filter(under)
        .values_list("period", "kind", "starts_on", "ends_on")
        .distinct()
        .order_by("-starts_on", "ends_on")
    )
    available = [periods.Period(starts_on, ends_on, period_kind) for _label, period_kind, starts_on, ends_on in found]
    if not available:
        return None
    chosen = next((item for item in available if item.label == period), available[0])
    province = Unit.objects.filter(code=code, kind=Unit.Kind.PROVINCE).valid_on(chosen.ends_on).first()
    if province is None:
        return None
    records = list(
        DossierStatistics.objects.filter(period=chosen.label)
        .filter(Q(unit__parent=province) | Q(unit__parent__parent=province))
        .select_related("unit")
    )
    widest: dict[int, DossierStatistics] = {}
    for record in sorted(records, key=lambda record: _LEVEL_PREFERENCE.index(record.level)):
        widest.setdefault(record.unit_id, record)
    kinds = [item for item in TABLE_KINDS if any(record.unit.kind == item for record in widest.values())]
    kind = kind if kind in kinds else (kinds[0] if kinds else TABLE_KINDS[0])
    shown = [record for record in widest.values() if record.unit.kind == kind]
    ratios = [rates.ratios(record.counts) for record in shown]
    on_time = [_exact(*ratio["on_time_rate"]) for ratio in ratios]
    online = [_exact(*ratio["online_rate"]) for ratio in ratios]
    late = [_exact(*ratio["late_rate"]) for ratio in ratios]
    rows = [
        TableRow(record, *figures)
        for record, *figures in zip(
            shown, on_time, online, late, _competition_ranks(on_time), _competition_ranks(online), strict=True
        )
    ]
    shown_periods = [(item.label, item.shown) for item in available]
    return ProvinceTable(
        province, chosen.label, shown_periods, [str(item) for item in kinds], kind, _sorted(rows, sort)
    )


def _sorted(rows: list[TableRow], sort: str) -> list[TableRow]:
    """``rows`` by ``sort`` ("on_time", "-on_time" for highest first, …; anything
    else: on-time rate, highest first), rows without the figure last whichever
    the direction, equal figures by unit name."""
    field, descending = sort.lstrip("-"), sort.startswith("-")
    if field not in TABLE_SORTS:
        field, descending = "on_time", True
    if field == "unit":
        value = lambda row: row.record.unit.search_name  # noqa: E731
    elif field == "received":
        value = lambda row: row.record.received  # noqa: E731
    else:
        value = lambda row: getattr(row, field)  # noqa: E731
    by_name = sorted(rows, key=lambda row: row.record.unit.search_name)
    present = [row for row in by_name if value(row) is not None]
    return sorted(present, key=value, reverse=descending) + [row for row in by_name if value(row) is None]


def provinces_with_statistics() -> list[Unit]:
    """The provinces whose units (districts, departments, their communes) have
    dossier statistics, by name; of a code held by two provinces (before and
    after 2025), the latest. One query."""
    under = Q(children__dossier_statistics__isnull=False) | Q(children__children__dossier_statistics__isnull=False)
    codes = Unit.objects.filter(under, kind=Unit.Kind.PROVINCE).values("code")
    provinces = Unit.objects.filter(kind=Unit.Kind.PROVINCE, code__in=codes)
    latest = {unit.code: unit for unit in provinces.order_by(F("valid_from").asc(nulls_first=True))}
    return sorted(latest.values(), key=lambda unit: (unit.search_name, unit.code))
