"""The "Giải quyết thủ tục hành chính" panel of a unit's page: the latest figures,
every period with its rates computed and as published, the predecessors'
history across the 2025 merger marked as theirs, a chart of the rates, the
method stated, at a query cost that does not grow with the periods."""

import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers import periods
from dossiers.models import DossierStatistics
from units.models import Unit

pytestmark = pytest.mark.django_db


def record(unit, period: periods.Period, **counts) -> DossierStatistics:
    return DossierStatistics.objects.create(
        unit=unit,
        period=period.label,
        kind=period.kind,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        **counts,
    )


def test_the_panel_shows_the_latest_figures_computed_and_as_published(client, provinces):
    old, _bac_kan, _new = provinces
    record(
        old,
        periods.year(2019),
        received=417_983,
        resolved_on_time=417_974,
        resolved_late=9,
        published_rates={"late_rate": "0.0021", "on_time_rate": "99.997"},
    )
    page = client.get(f"/units/{old.code}/?on=2019-12-31").content.decode()
    assert "Giải quyết thủ tục hành chính" in page and "Số liệu mới nhất: 2019" in page
    # 417.974 of 417.983 on time: 99,9978 %, with four places since two would show 100,00 %.
    assert "99,9978%" in page and "công bố: 99,997%" in page
    assert "0,0022%" in page and "(0,0021%)" in page  # 9 late: not 0,00 %
    assert "417.983" in page
    assert "Cách tính các tỷ lệ" in page  # the method, on the page


def test_a_merged_unit_shows_its_predecessors_history_marked_as_theirs(client, provinces):
    old, bac_kan, new = provinces
    record(old, periods.year(2017), received=746_305, published_rates={"on_time_rate": "98.6"})
    record(bac_kan, periods.year(2024), received=120_000, resolved_on_time=119_000, resolved_late=1_000)
    record(new, periods.quarter(2025, 4), received=90_000, resolved_on_time=89_100, resolved_late=900)
    page = client.get(f"/units/{new.code}/").content.decode()
    assert page.count('class="predecessor"') == 2
    assert "của Tỉnh Thái Nguyên, trước khi sắp xếp" in page and "của Tỉnh Bắc Kạn, trước khi sắp xếp" in page
    assert "Số liệu mới nhất: Quý 4/2025" in page
    # The table's period order: 2017, 2024, then Q4 2025.
    table = page[page.index('<table class="dossiers">') :]
    assert table.index("746.305") < table.index("120.000") < table.index("90.000")
    # Two periods with an on-time rate (99,17 % and 99,00 %): a chart.
    assert 'id="dossiers-chart"' in page


def test_a_unit_without_statistics_has_no_panel(client, provinces):
    _old, bac_kan, _new = provinces
    page = client.get(f"/units/{bac_kan.code}/").content.decode()
    assert "Giải quyết thủ tục hành chính" not in page


def test_the_panel_costs_the_same_queries_for_2_and_24_periods(client, provinces):
    old, bac_kan, _new = provinces
    costs = []
    for unit, months in ((old, 2), (bac_kan, 24)):
        for number in range(months):
            record(unit, periods.month(2023 + number // 12, number % 12 + 1), received=100, resolved_on_time=99)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/units/{unit.code}/?on=2024-12-31").status_code == 200
        costs.append(len(queries))
    assert costs[0] == costs[1]


def test_the_panel_puts_the_units_indices_beside_its_dossiers(client, db):
    """Thanh Bình (seeds 001): its 2020 dossiers beside its DDCI, the latest round
    of each index and block only (2019, not 2018), band and change included."""
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    record(Unit.objects.get(code="874"), periods.year(2020), received=113_468, resolved_on_time=70_395, resolved_late=0)
    page = client.get("/units/874/").content.decode()
    panel = page[page.index('id="dossiers-heading"') :]
    indices = panel[panel.index('<ul class="indices">') : panel.index("</ul>", panel.index('<ul class="indices">'))]
    assert indices.count("<li>") == 1
    assert "/rankings/ddci-2019-87-district/" in indices and "66,85" in indices and "(Khá tốt)" in indices
    assert "+3,50" in indices and "sample-mark" in indices  # the score invented, the rise real
