"""Each ranking links to its methodology, built from its framework: the index
rule, a worked example with this framework's figures, not-applicable criteria,
the bands with their bounds (also beside the ranking table), ties, last year's
matching and the criteria tree; in Vietnamese and English, only where the
ranking itself is public, at a query cost that does not grow with the units."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring import services
from tests.factories import UnitFactory, make_framework, publish, score

pytestmark = pytest.mark.django_db

ROWS = (("1", "60"), ("1.1", "35"), ("1.2", "25"), ("2", "40"), ("2.1", "40"))


def ranking(count: int, *, published: bool = True):
    """``count`` units: the first 30 + 20 + 36 = 86, the others tied at 35 + 7 + 28 = 70."""
    units = UnitFactory.create_batch(count)
    framework = make_framework(units=units, rows=ROWS, scope=str(80 + count))
    entries = [score(units[0], code, value) for code, value in (("1.1", "30"), ("1.2", "20"), ("2.1", "36"))]
    entries += [
        score(unit, code, value) for unit in units[1:] for code, value in (("1.1", "35"), ("1.2", "7"), ("2.1", "28"))
    ]
    services.scores_set(framework=framework, entries=entries)
    if published:
        publish(framework)
    return framework, units


def test_the_method_page_explains_the_ranking_with_its_own_figures(client):
    framework, units = ranking(3)
    page = client.get(reverse("public:ranking_method", args=[framework.slug])).content.decode()
    assert f"{units[0].name}, đứng đầu bảng này, có 86,00 điểm trên điểm tối đa áp dụng 100,00" in page
    # Without 2.1 (the largest criterion, 36 points here): 50 of 60 = 83,33.
    assert "chỉ số = 50,00 ÷ 60,00 × 100 = 83,33" in page
    assert "từ 80,00 đến dưới 90,00" in page and "Xuất sắc" in page
    assert f"{units[1].name}, {units[2].name} đồng hạng 2 với chỉ số 70,00; đơn vị tiếp theo xếp hạng 4" in page
    assert "Số liệu theo Quyết định số 1/QĐ-UBND ngày 29/3/2023" in page
    table = client.get(reverse("public:ranking", args=[framework.slug])).content.decode()
    assert reverse("public:ranking_method", args=[framework.slug]) in table
    assert "Tốt 80,00–&lt;90,00" in table  # the band legend beside the table

    english = client.get(reverse("public:ranking_method", args=[framework.slug]).replace("/rankings/", "/en/rankings/"))
    assert "index = 50.00 ÷ 60.00 × 100 = 83.33" in english.content.decode()


def test_a_draft_has_no_public_method_page(client):
    framework, _units = ranking(2, published=False)
    assert client.get(reverse("public:ranking_method", args=[framework.slug])).status_code == 404


def test_the_method_page_costs_the_same_queries_for_3_and_60_units(client):
    costs = []
    for count in (3, 60):
        framework, _units = ranking(count)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("public:ranking_method", args=[framework.slug])).status_code == 200
        costs.append(len(queries))
    assert costs[0] == costs[1]
