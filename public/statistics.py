"""The "Giải quyết thủ tục hành chính" panel of a unit's page: its dossier
statistics and its predecessors' (marked), the latest period's figures, the
rates as a page shows them beside the rates a source published, and a chart
of the on-time and online rates over the periods, with its table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from dossiers.models import RATES, DossierStatistics
from dossiers.rates import page_rates
from public import charts
from units.models import Unit


@dataclass(frozen=True)
class ShownRate:
    computed: Decimal | None  # as a page shows it (``dossiers.rates.page_rates``)
    published: str | None  # as the source published it, in percent with a dot


@dataclass(frozen=True)
class StatisticsRow:
    record: DossierStatistics
    predecessor: Unit | None  # the unit it belongs to, when not the page's
    rates: dict[str, ShownRate]

    @property
    def on_time(self) -> ShownRate:
        return self.rates["on_time_rate"]

    @property
    def late(self) -> ShownRate:
        return self.rates["late_rate"]

    @property
    def online(self) -> ShownRate:
        return self.rates["online_rate"]


@dataclass(frozen=True)
class StatisticsPanel:
    rows: list[StatisticsRow]  # period order
    latest: list[StatisticsRow]  # the latest period's, each level
    chart: dict | None
    has_sample: bool


def statistics_panel(unit: Unit, records: Sequence[DossierStatistics]) -> StatisticsPanel | None:
    """The panel of ``unit`` from its records and its predecessors' (``dossiers.selectors.statistics_history``);
    None without any."""
    if not records:
        return None
    rows = [
        StatisticsRow(
            record,
            None if record.unit_id == unit.pk else record.unit,
            {
                name: ShownRate(rate, record.published_rates.get(name))
                for name, rate in page_rates(record.counts).items()
                if name in RATES
            },
        )
        for record in records
    ]
    last = rows[-1].record
    latest = [row for row in rows if (row.record.starts_on, row.record.ends_on) == (last.starts_on, last.ends_on)]
    return StatisticsPanel(rows, latest, charts.rates_over_time(rows), any(record.is_sample for record in records))
