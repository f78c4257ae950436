"""Reads of dossier statistics for the public pages and the API."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Case, IntegerField, Value, When

from dossiers.models import DossierStatistics
from units.models import Unit

_LEVEL_ORDER = Case(
    *(When(level=level, then=Value(position)) for position, level in enumerate(DossierStatistics.Level.values)),
    output_field=IntegerField(),
)


def unit_statistics(unit: Unit) -> list[DossierStatistics]:
    """The unit's statistics in period order (a longer period before the shorter
    ones it holds: 2019, 2019-Q1, 2019-01), each period's levels in the order
    all, own, below. One query."""
    return list(
        DossierStatistics.objects.filter(unit=unit)
        .alias(level_order=_LEVEL_ORDER)
        .order_by("starts_on", "-ends_on", "level_order")
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
