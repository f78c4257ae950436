from datetime import date
from decimal import Decimal

import pytest

from scoring import services
from tests.factories import make_framework, publish
from units.models import Unit
from units.services import UnitRow, units_upsert

REFORM = date(2025, 7, 1)


@pytest.fixture
def thai_nguyen(db):
    units_upsert(
        rows=[
            UnitRow(code="19", name="Tỉnh Thái Nguyên", short_name="Thái Nguyên", kind="province"),
            UnitRow(code="06", name="Tỉnh Bắc Kạn", short_name="Bắc Kạn", kind="province"),
            UnitRow(code="172", name="Thành phố Phổ Yên", short_name="Phổ Yên", kind="district", parent_code="19"),
        ]
    )
    units_upsert(
        rows=[
            UnitRow(
                code="19", name="Tỉnh Thái Nguyên", kind="province", valid_from=REFORM, predecessor_codes=("19", "06")
            )
        ]
    )


@pytest.mark.parametrize("query", ["pho yen", "Phổ Yên", "172"])
def test_search_page_finds_units_without_diacritics_or_by_code(client, thai_nguyen, query):
    response = client.get("/units/", {"q": query})
    assert response.status_code == 200
    assert "Thành phố Phổ Yên" in response.content.decode()


def test_search_page_puts_units_in_force_first_and_limits_the_query(client, thai_nguyen):
    page = client.get("/units/", {"q": "thai nguyen"}).content.decode()
    assert page.index('href="/units/19/"') < page.index('href="/units/19/?on=2025-06-30"')
    assert client.get("/units/", {"q": "x" * 5000}).status_code == 200


def test_profile_of_a_merged_unit_lists_its_predecessors_and_says_it_is_new(client, thai_nguyen):
    page = client.get("/units/19/").content.decode()
    assert "từ 1/7/2025" in page
    assert "Tỉnh Bắc Kạn" in page and "Hợp nhất" in page
    assert "không được so sánh" in page
    old = client.get("/units/19/", {"on": "2025-06-30"}).content.decode()
    assert "Thành phố Phổ Yên" in old  # its district
    assert "Đơn vị này không còn tồn tại" in old


def test_profile_lists_the_units_published_results(client, thai_nguyen, django_capture_on_commit_callbacks):
    pho_yen = Unit.objects.get(code="172")
    framework = make_framework(year=2017, units=[pho_yen], scope="19")
    services.scores_set(framework=framework, entries=[services.ScoreEntry("172", "1", Decimal("90.83"))])
    page = client.get("/units/172/").content.decode()
    assert "90,83" not in page  # a draft is not shown
    with django_capture_on_commit_callbacks(execute=True):  # publishing bumps the cached pages' version
        publish(framework)
    page = client.get("/units/172/").content.decode()
    assert "90,83" in page and "1/1" in page


@pytest.mark.parametrize("url", ["/units/99/", "/units/19/?on=2020-13-45", "/units/06/?on=2025-07-01"])
def test_unknown_units_and_bad_days_are_404(client, thai_nguyen, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("children", [1, 30])
def test_profile_runs_a_constant_number_of_queries(client, thai_nguyen, children, django_assert_num_queries):
    units_upsert(
        rows=[UnitRow(code=f"{n:05d}", name=f"Xã {n}", kind="commune", parent_code="172") for n in range(children)]
    )
    # data version, unit, lineage, namesakes, children, results (+ session/user lookups: none for anonymous)
    with django_assert_num_queries(6):
        assert client.get("/units/172/").status_code == 200
