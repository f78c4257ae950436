import re
import unicodedata
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
    # data version, unit, lineage, namesakes, children, results, outlines for the map,
    # dossier statistics (+ session/user lookups: none for anonymous)
    with django_assert_num_queries(8):
        assert client.get("/units/172/").status_code == 200


def test_search_puts_units_with_rankings_first_and_says_which(
    client, db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    rows = [UnitRow(code="70", name="Tỉnh Bình Phước", short_name="Bình Phước", kind="province")]
    rows += [UnitRow(code="695", name="Huyện Đồng Phú", short_name="Đồng Phú", kind="district", parent_code="70")]
    # Districts whose names sort before it, and a commune of it, none with results.
    rows += [
        UnitRow(code=f"69{n}", name=f"Huyện {prefix} Đồng Phú", kind="district", parent_code="70")
        for n, prefix in enumerate(("An", "Bắc", "Cẩm"))
    ]
    rows += [UnitRow(code="09999", name="Xã Đồng Phú", kind="commune", parent_code="695")]
    units_upsert(rows=rows)
    framework = make_framework(year=2022, units=[Unit.objects.get(code="695")], scope="70")
    services.scores_set(framework=framework, entries=[services.ScoreEntry("695", "1", Decimal("93.91"))])

    def order(page: str) -> list[str]:
        return re.findall(r'<th scope="row"><a href="/units/([^/]+)/">', page)

    # A draft's results do not count for the public: by level, then name.
    assert order(client.get("/units/", {"q": "dong phu"}).content.decode()) == ["690", "691", "692", "695", "09999"]
    with django_capture_on_commit_callbacks(execute=True):  # publishing bumps the cached pages' version
        publish(framework)
    with django_assert_num_queries(3):  # the data version, the units, their rankings
        page = client.get("/units/", {"q": "dong phu"}).content.decode()
    assert order(page) == ["695", "690", "691", "692", "09999"]
    rows_html = page[page.index("<tbody>") :]
    district_row = rows_html[: rows_html.index("</tr>")]
    assert f'href="{framework.get_absolute_url()}"' in district_row and "2022" in district_row
    assert "Tỉnh Bình Phước" in district_row
    commune_row = rows_html[rows_html.index('href="/units/09999/"') :]
    commune_row = commune_row[: commune_row.index("</tr>")]
    assert "chưa có" in commune_row and "Huyện Đồng Phú, Tỉnh Bình Phước" in commune_row  # its district, province


@pytest.mark.parametrize(
    ("query", "first"),
    [("Phổ Yên", "172"), ("pho yen", "173"), (unicodedata.normalize("NFD", "Phổ Yên"), "172")],  # as a Mac sends it
)
def test_search_ranks_the_diacritics_the_user_typed_above_matches_without_them(client, db, query, first):
    units_upsert(
        rows=[
            UnitRow(code="172", name="Thị xã Phổ Yên", short_name="Phổ Yên", kind="district"),
            UnitRow(code="173", name="Thành phố Yên Bái", short_name="Yên Bái", kind="district"),
        ]
    )
    page = client.get("/units/", {"q": query}).content.decode()
    # Both have the words "pho yen"; by name, Thành phố Yên Bái comes first, unless "Phổ" was typed.
    assert re.findall(r'<th scope="row"><a href="/units/([^/]+)/">', page)[0] == first


def test_search_counts_the_diacritics_of_a_name_stored_decomposed(client, db):
    """A name imported as decomposed (NFD) text still holds the words typed composed."""
    units_upsert(
        rows=[
            UnitRow(code="173", name="Thành phố Yên Bái", short_name="Yên Bái", kind="district"),
            UnitRow(code="172", name="Thị xã Phổ Yên", short_name="Phổ Yên", kind="district"),
        ]
    )
    Unit.objects.filter(code="172").update(
        name=unicodedata.normalize("NFD", "Thị xã Phổ Yên"), short_name=unicodedata.normalize("NFD", "Phổ Yên")
    )
    page = client.get("/units/", {"q": "Phổ Yên"}).content.decode()
    assert re.findall(r'<th scope="row"><a href="/units/([^/]+)/">', page)[0] == "172"


def test_a_unit_with_results_survives_the_cut_of_many_matches(client, db, monkeypatch):
    """Past SEARCH_CANDIDATES matches, the ones read are those the order keeps:
    a unit with results whose words stand apart ("Đồng ... Phú") is not cut for
    units without results that have the words together."""
    monkeypatch.setattr("scoring.selectors.SEARCH_CANDIDATES", 3)
    rows = [UnitRow(code="70", name="Tỉnh Bình Phước", kind="province")]
    rows += [UnitRow(code="799", name="Huyện Đồng Xoài Phú", kind="district", parent_code="70")]
    rows += [UnitRow(code=f"69{n}", name=f"Huyện Đồng Phú {n}", kind="district", parent_code="70") for n in range(5)]
    units_upsert(rows=rows)
    framework = make_framework(year=2022, units=[Unit.objects.get(code="799")], scope="70")
    services.scores_set(framework=framework, entries=[services.ScoreEntry("799", "1", Decimal("80"))])
    publish(framework)
    page = client.get("/units/", {"q": "dong phu"}).content.decode()
    assert re.findall(r'<th scope="row"><a href="/units/([^/]+)/">', page)[0] == "799"
