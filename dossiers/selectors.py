"""Reads of dossier statistics for the public pages and the API."""

from __future__ import annotations

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
