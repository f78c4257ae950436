"""A province's table of dossier statistics (/statistics/<code>/ and its API):
its units in one period ranked by on-time and by online rate, computed exactly
with ties shared, sortable, downloadable, at a cost that does not grow with the
units or the periods."""

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers import periods
from dossiers.models import DossierStatistics
from units.models import Unit
from units.services import UnitRow, units_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def districts():
    units_upsert(
        rows=[
            UnitRow(code="70", name="Tỉnh Bình Phước", kind="province"),
            *(
                UnitRow(code=code, name=name, kind="district", parent_code="70")
                for code, name in (
                    ("689", "Thị xã Phước Long"),
                    ("690", "Thành phố Đồng Xoài"),
                    ("691", "Huyện Bù Đăng"),
                )
            ),
            UnitRow(code="692", name="Huyện Lộc Ninh", kind="district", parent_code="70"),
            UnitRow(code="25000", name="Xã Lộc Hòa", kind="commune", parent_code="692"),
        ]
    )
    return {unit.code: unit for unit in Unit.objects.all()}


def record(unit, period, **counts):
    return DossierStatistics.objects.create(
        unit=unit, period=period.label, kind=period.kind, starts_on=period.starts_on, ends_on=period.ends_on, **counts
    )


@pytest.fixture
def figures(districts):
    """2019: Phước Long 90 of 100 on time (90 %), Đồng Xoài 45 of 50 (90 %: tied),
    Bù Đăng 80 of 100 (80 %), Lộc Ninh nothing resolved (no rate); online 30 of 100,
    10 of 50, 40 of 100. 2018 and a commune's 2019 figures besides."""
    year = periods.year(2019)
    record(districts["689"], year, received=100, resolved_on_time=90, resolved_late=10, online=30)
    record(districts["690"], year, received=50, resolved_early=5, resolved_on_time=40, resolved_late=5, online=10)
    record(districts["691"], year, received=100, resolved_on_time=80, resolved_late=20, online=40)
    record(districts["692"], year, received=0)
    record(districts["25000"], year, received=10, resolved_on_time=10, resolved_late=0)
    record(districts["689"], periods.year(2018), received=7, resolved_on_time=7, resolved_late=0)
    return districts


def api(client, query=""):
    response = client.get("/api/statistics/70/" + query)
    assert response.status_code == 200
    return response.json()


def test_units_are_ranked_by_exact_rates_with_ties_shared(client, figures):
    document = api(client)
    assert (document["province"], document["period"], document["kind"]) == (
        {"code": "70", "name": "Tỉnh Bình Phước"},
        "2019",
        "district",
    )
    assert document["periods"] == ["2019", "2018"]
    ranked = [(unit["unit"]["code"], unit["on_time_rank"], unit["online_rank"]) for unit in document["units"]]
    # On time: 90 % and 90 % share rank 1, 80 % is 3rd; online: 40 %, 30 %, 20 %; no rate: no rank, last.
    # Equal rates in unit name order: Đồng Xoài before Phước Long.
    assert ranked == [("690", 1, 3), ("689", 1, 2), ("691", 3, 1), ("692", None, None)]
    assert document["units"][0]["on_time_rate"] == "90.0000" and document["units"][0]["online_rate"] == "20.0000"


def test_the_table_sorts_by_any_rate_either_way_with_the_figureless_last(client, figures):
    order = lambda query: [unit["unit"]["code"] for unit in api(client, query)["units"]]  # noqa: E731
    assert order("?sort=-online") == ["691", "689", "690", "692"]
    assert order("?sort=online") == ["690", "689", "691", "692"]
    assert order("?sort=late") == ["690", "689", "691", "692"]  # 10 %, 10 %, 20 %
    assert order("?sort=unit") == ["691", "692", "690", "689"]  # Bù Đăng, Lộc Ninh, Đồng Xoài, Phước Long
    assert order("?sort=nonsense") == order("")


def test_another_period_and_the_communes(client, figures):
    assert [unit["unit"]["code"] for unit in api(client, "?period=2018")["units"]] == ["689"]
    communes = api(client, "?kind=commune")
    assert communes["kind"] == "commune" and [unit["unit"]["code"] for unit in communes["units"]] == ["25000"]


def test_the_page_shows_the_ranks_and_rates_and_downloads_the_same(client, figures):
    page = client.get("/statistics/70/").content.decode()
    assert "Giải quyết thủ tục hành chính" in page and "Thành phố Đồng Xoài" in page
    assert "90,00%" in page and "Cách tính các tỷ lệ" in page
    assert 'href="?period=2018&amp;kind=district&amp;sort=-on_time"' in page
    content = client.get("/statistics/70/?format=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][:3] == ["Hạng đúng hạn", "Mã", "Đơn vị"]
    assert [row[:3] for row in rows[1:]] == [
        ["1", "690", "Thành phố Đồng Xoài"],
        ["1", "689", "Thị xã Phước Long"],
        ["3", "691", "Huyện Bù Đăng"],
        ["", "692", "Huyện Lộc Ninh"],
    ]
    index = client.get("/statistics/").content.decode()
    assert 'href="/statistics/70/"' in index


def test_a_province_without_statistics_is_a_404(client, districts):
    assert client.get("/statistics/70/").status_code == 404
    assert client.get("/api/statistics/70/").status_code == 404
    assert client.get("/statistics/99/").status_code == 404


def test_the_page_costs_the_same_queries_for_4_and_40_units(client, figures, districts):
    costs = []
    for extra in (0, 36):
        units_upsert(
            rows=[
                UnitRow(code=f"{800 + n}", name=f"Huyện {n}", kind="district", parent_code="70") for n in range(extra)
            ]
        )
        for unit in Unit.objects.filter(code__startswith="8"):
            if not unit.dossier_statistics.exists():
                record(unit, periods.year(2019), received=10, resolved_on_time=9, resolved_late=1)
        cache.clear()  # the figures were written directly, without moving the pages' data version
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/statistics/70/").status_code == 200
        costs.append(len(queries))
    assert costs[0] == costs[1] == 4  # the data version, the periods, the province, the figures
