"""Dossier statistics on the public pages: the "Giải quyết thủ tục hành chính"
panel of a unit's page (its statistics and its predecessors', marked, the
latest period's figures, the rates as a page shows them beside the rates a
source published, and a chart of the on-time and online rates over the periods,
with its table), and a province's table's downloads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers import rates
from dossiers.models import RATES, DossierStatistics
from dossiers.rates import page_rates
from dossiers.selectors import ProvinceTable
from public import charts
from public.tables import Table
from scoring.models import Result
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
    indices: list[Result] = field(default_factory=list)  # the unit's latest result in each index series


def latest_per_series(results: Sequence[Result]) -> list[Result]:
    """Of ``results`` (newest first), the first of each index and block, yearly
    and monthly apart: what the unit's rankings say now, one line each. No query."""
    seen, latest = set(), []
    for result in results:
        framework = result.framework
        key = (framework.index_id, framework.block, framework.month > 0)
        if key not in seen:
            seen.add(key)
            latest.append(result)
    return latest


def statistics_panel(
    unit: Unit, records: Sequence[DossierStatistics], results: Sequence[Result] = ()
) -> StatisticsPanel | None:
    """The panel of ``unit`` from its records and its predecessors' (``dossiers.selectors.statistics_history``),
    with the latest of its ``results`` (newest first) in each index beside them; None without records."""
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
    has_sample = any(record.is_sample for record in records)
    return StatisticsPanel(rows, latest, charts.rates_over_time(rows), has_sample, latest_per_series(results))


def province_table_rows(table: ProvinceTable) -> Table:
    """A province's table as its downloads write it (headers, typed rows): ranks,
    unit, level, counts, rates to 4 places and as published, source."""
    headers = [_("On-time rank"), _("Code"), _("Unit"), _("Level"), _("Received"), _("Early"), _("On time")]
    headers += [_("Late"), _("Pending"), _("Online"), _("On-time rate (%)"), _("Late rate (%)")]
    headers += [_("Online rank"), _("Online rate (%)"), _("Rates as published (%)"), _("Source")]
    rows = []
    for row in table.rows:
        record = row.record
        computed = rates.rates(record.counts)
        published = "; ".join(f"{_RATE_NAMES[name]}: {value}" for name, value in record.published_rates.items())
        rows.append(
            [
                row.on_time_rank,
                record.unit.code,
                record.unit.name,
                record.get_level_display(),
                record.received,
                record.resolved_early,
                record.resolved_on_time,
                record.resolved_late,
                record.pending,
                record.online_received,
                computed["on_time_rate"],
                computed["late_rate"],
                row.online_rank,
                computed["online_rate"],
                published or None,
                record.source or None,
            ]
        )
    return headers, rows


_RATE_NAMES = {
    "on_time_rate": gettext_lazy("on time"),
    "late_rate": gettext_lazy("late"),
    "online_rate": gettext_lazy("online"),
}
