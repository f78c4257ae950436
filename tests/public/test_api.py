"""The read-only JSON API (DESIGN §7): the documents' shape and figures against a
hand-computed framework, who sees what, methods, languages and query counts."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from scoring import services
from scoring.models import Framework
from tests.factories import DOCUMENT_BANDS, make_framework, publish, score
from units.models import Unit
from units.services import UnitRow, units_upsert

pytestmark = pytest.mark.django_db

# 1 (40) = 1.1 (25) + 1.2 (15); 2 (60) = 2.1 (60)
ROWS = (("1", "40"), ("1.1", "25"), ("1.2", "15"), ("2", "60"), ("2.1", "60"))
LATEST = "/api/frameworks/cchc-2022-70-district/results/"
DRAFT = "/api/frameworks/cchc-2023-70-district/results/"


def scores(framework, table):
    """Score ``{unit code: (1.1, 1.2, 2.1)}``."""
    units = {unit.code: unit for unit in framework.participants.all()}
    services.scores_set(
        framework=framework,
        entries=[
            score(units[code], criterion, value)
            for code, values in table.items()
            for criterion, value in zip(("1.1", "1.2", "2.1"), values, strict=True)
        ],
    )


@pytest.fixture
def rounds(db):
    """Bình Phước's district block, by hand:

    2021 (published): Lộc Ninh 25 + 15 + 50 = 90.00 (1st), Đồng Phú 20 + 10 + 50 =
    80.00 (2nd), Đồng Xoài 10 + 10 + 40 = 60.00 (3rd).

    2022 (published): Đồng Phú 25 + 15 + 53.91 = 93.91 (1st, up 1). Lộc Ninh
    20 + 10 + 54.12 = 84.12 and Đồng Xoài, whose 1.2 is not applicable,
    25 + 46.50 = 71.50 of 85 = 84.1176… → 84.12: tied 2nd (Lộc Ninh down 1, Đồng
    Xoài up 1). Bù Đốp 10 + 5 + 30.50 = 45.50 (4th, new: not in 2021). Chơn Thành
    takes part with nothing entered: unranked. Four of five ranked.

    2023: a draft in which Đồng Phú has 10 + 10 + 31.37 = 51.37."""
    units_upsert(
        rows=[
            UnitRow(code="70", name="Tỉnh Bình Phước", short_name="Bình Phước", kind="province"),
            UnitRow(code="689", name="Thành phố Đồng Xoài", kind="district", parent_code="70"),
            UnitRow(code="690", name="Thị xã Chơn Thành", kind="district", parent_code="70"),
            UnitRow(code="692", name="Huyện Lộc Ninh", kind="district", parent_code="70"),
            UnitRow(code="693", name="Huyện Bù Đốp", kind="district", parent_code="70"),
            UnitRow(code="695", name="Huyện Đồng Phú", kind="district", parent_code="70"),
        ]
    )
    units = {unit.code: unit for unit in Unit.objects.all()}
    before = make_framework(year=2021, units=[units[code] for code in ("689", "692", "695")], rows=ROWS)
    scores(before, {"695": ("20", "10", "50"), "692": ("25", "15", "50"), "689": ("10", "10", "40")})
    publish(before, decision="12/QĐ-UBND", day="2022-03-01")
    after = make_framework(year=2022, units=[units[code] for code in ("689", "690", "692", "693", "695")], rows=ROWS)
    scores(
        after,
        {
            "695": ("25", "15", "53.91"),
            "692": ("20", "10", "54.12"),
            "689": ("25", "NA", "46.5"),
            "693": ("10", "5", "30.5"),
        },
    )
    publish(after, decision="501/QĐ-UBND", day="2023-03-29")
    draft = make_framework(year=2023, units=[units["695"]], rows=ROWS)
    scores(draft, {"695": ("10", "10", "31.37")})
    return before, after, draft


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response["Content-Type"] == "application/json"
    return response, json.loads(response.content)


def field(code, points, max_points, delta):
    return {"code": code, "name": f"Tiêu chí {code}", "points": points, "max_points": max_points, "delta": delta}


FRAMEWORK_2022 = {
    "slug": "cchc-2022-70-district",
    "index": "cchc",
    "year": 2022,
    "scope": "70",
    "block": "district",
    "name": "Chỉ số CCHC 2022",
    "name_en": None,
    "mode": "computed",
    "publication": {"decision": "501/QĐ-UBND", "date": "2023-03-29"},
}
FRAMEWORK_2021 = FRAMEWORK_2022 | {
    "slug": "cchc-2021-70-district",
    "year": 2021,
    "name": "Chỉ số CCHC 2021",
    "publication": {"decision": "12/QĐ-UBND", "date": "2022-03-01"},
}
DONG_PHU_2022 = {
    "index": "93.91",
    "total_points": "93.91",
    "applicable_max": "100.00",
    "rank": 1,
    "tied": False,
    "band": "Xuất sắc",
    "delta_index": "13.91",
    "delta_rank": 1,
    "previous": {"index": "80.00", "rank": 2},
    "fields": [field("1", "40.00", "40.00", "10.00"), field("2", "53.91", "60.00", "3.91")],
}


def test_frameworks_lists_the_published_ones_newest_first_with_their_results_url(client, rounds):
    response, document = get(client, "/api/frameworks/")
    assert response.status_code == 200
    assert document == {
        "frameworks": [
            FRAMEWORK_2022 | {"results_url": LATEST},
            FRAMEWORK_2021 | {"results_url": "/api/frameworks/cchc-2021-70-district/results/"},
        ]
    }


def test_framework_results_give_the_summary_and_hand_computed_items_in_rank_order(client, rounds):
    response, document = get(client, LATEST)
    assert response.status_code == 200
    assert document["framework"] == FRAMEWORK_2022 | {
        "bands": DOCUMENT_BANDS,
        "fields": [
            {"code": "1", "name": "Tiêu chí 1", "name_en": None, "max_points": "40.00"},
            {"code": "2", "name": "Tiêu chí 2", "name_en": None, "max_points": "60.00"},
        ],
        "corrections": [],
    }
    # mean (93.91 + 84.12 + 84.12 + 45.50) / 4 = 76.9125; median (84.12 + 84.12) / 2;
    # new: Bù Đốp and Chơn Thành, neither in 2021
    assert document["summary"] == {
        "count": 5,
        "mean": "76.91",
        "median": "84.12",
        "min": "45.50",
        "max": "93.91",
        "up": 2,
        "down": 1,
        "unchanged": 0,
        "new": 2,
        "bands": {"Xuất sắc": 1, "Tốt": 2, "Khá": 0, "Trung bình": 0, "Yếu": 1},
    }
    dong_phu, dong_xoai, loc_ninh, bu_dop, chon_thanh = document["results"]  # ties by code
    assert dong_phu == {"unit": {"code": "695", "name": "Huyện Đồng Phú"}} | DONG_PHU_2022
    assert loc_ninh == {
        "unit": {"code": "692", "name": "Huyện Lộc Ninh"},
        "index": "84.12",
        "total_points": "84.12",
        "applicable_max": "100.00",
        "rank": 2,
        "tied": True,
        "band": "Tốt",
        "delta_index": "-5.88",
        "delta_rank": -1,
        "previous": {"index": "90.00", "rank": 1},
        "fields": [field("1", "30.00", "40.00", "-10.00"), field("2", "54.12", "60.00", "4.12")],
    }
    assert dong_xoai == {
        "unit": {"code": "689", "name": "Thành phố Đồng Xoài"},
        "index": "84.12",
        "total_points": "71.50",
        "applicable_max": "85.00",
        "rank": 2,
        "tied": True,
        "band": "Tốt",
        "delta_index": "24.12",
        "delta_rank": 1,
        "previous": {"index": "60.00", "rank": 3},
        "fields": [field("1", "25.00", "40.00", "5.00"), field("2", "46.50", "60.00", "6.50")],
    }
    assert (bu_dop["unit"]["code"], bu_dop["index"], bu_dop["rank"], bu_dop["band"]) == ("693", "45.50", 4, "Yếu")
    assert (bu_dop["previous"], bu_dop["delta_index"], bu_dop["delta_rank"]) == (None, None, None)
    assert bu_dop["fields"] == [field("1", "15.00", "40.00", None), field("2", "30.50", "60.00", None)]
    assert (chon_thanh["unit"]["code"], chon_thanh["index"], chon_thanh["rank"], chon_thanh["band"]) == (
        "690",
        None,
        None,
        "",
    )


def test_framework_results_are_the_export_commands_document(client, rounds):
    output = io.StringIO()
    call_command("export_results", framework="cchc-2022-70-district", format="json", stdout=output)
    assert get(client, LATEST)[1] == json.loads(output.getvalue())


def test_unit_results_give_the_unit_and_its_results_newest_first_with_ranked(client, rounds):
    response, document = get(client, "/api/units/695/results/")
    assert response.status_code == 200
    assert document["unit"] == {
        "code": "695",
        "name": "Huyện Đồng Phú",
        "kind": "district",
        "parent": {"code": "70", "name": "Tỉnh Bình Phước"},
    }
    assert document["results"] == [
        {"framework": FRAMEWORK_2022 | {"results_url": LATEST}} | DONG_PHU_2022 | {"ranked": 4},
        {
            "framework": FRAMEWORK_2021 | {"results_url": "/api/frameworks/cchc-2021-70-district/results/"},
            "index": "80.00",
            "total_points": "80.00",
            "applicable_max": "100.00",
            "rank": 2,
            "tied": False,
            "band": "Tốt",
            "delta_index": None,
            "delta_rank": None,
            "previous": None,
            "fields": [field("1", "30.00", "40.00", None), field("2", "50.00", "60.00", None)],
            "ranked": 3,
        },
    ]


def test_unit_results_of_a_unit_with_nothing_ranked_and_no_parent(client, rounds):
    _, unranked = get(client, "/api/units/690/results/")
    assert [(item["framework"]["year"], item["rank"], item["ranked"]) for item in unranked["results"]] == [
        (2022, None, 4)
    ]
    _, province = get(client, "/api/units/70/results/")
    assert province == {
        "unit": {"code": "70", "name": "Tỉnh Bình Phước", "kind": "province", "parent": None},
        "results": [],
    }


def test_unit_results_are_ordered_by_year_not_by_when_the_frameworks_were_made(client, rounds):
    dong_phu = Unit.objects.get(code="695")
    for year in (2019, 2020):  # made after 2021 and 2022
        framework = make_framework(year=year, units=[dong_phu], rows=ROWS)
        scores(framework, {"695": ("20", "10", "40")})
        publish(framework)
    _, document = get(client, "/api/units/695/results/")
    assert [item["framework"]["year"] for item in document["results"]] == [2022, 2021, 2020, 2019]


def test_a_code_held_twice_gives_the_unit_in_force_now_or_on_the_day_asked(client):
    units_upsert(rows=[UnitRow(code="19", name="Tỉnh Thái Nguyên", kind="province")])
    old = Unit.objects.get(code="19")
    framework = make_framework(year=2017, units=[old], scope="VN", block="province", rows=(("1", "100"),))
    services.scores_set(framework=framework, entries=[score(old, "1", "90.83")])
    publish(framework)
    units_upsert(rows=[UnitRow(code="06", name="Tỉnh Bắc Kạn", kind="province")])
    units_upsert(
        rows=[
            UnitRow(
                code="19",
                name="Tỉnh Thái Nguyên",
                kind="province",
                valid_from=date(2025, 7, 1),
                predecessor_codes=("19", "06"),
            )
        ]
    )
    _, merged = get(client, "/api/units/19/results/")
    assert merged["results"] == []  # the merged province is new
    _, former = get(client, "/api/units/19/results/?on=2024-12-31")
    assert [(item["framework"]["year"], item["index"], item["ranked"]) for item in former["results"]] == [
        (2017, "90.83", 1)
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_decimals_have_a_dot_in_every_language(client, rounds, settings, language):
    settings.LANGUAGE_CODE = language
    for url in (LATEST, "/api/units/695/results/"):
        response = client.get(url, headers={"accept-language": language})
        text = response.content.decode()
        assert '"index": "93.91"' in text and "93,91" not in text
        assert "Huyện Đồng Phú" in text  # UTF-8, not \u escapes


def test_an_english_browser_gets_the_same_documents(client, rounds):
    for url in ("/api/frameworks/", LATEST, "/api/units/695/results/"):
        assert client.get(url, headers={"accept-language": "en-US,en;q=0.9"}).content == client.get(url).content


def test_the_api_has_no_language_prefix(client, rounds):
    assert client.get("/en" + LATEST).status_code == 404


def test_a_draft_is_hidden_from_anonymous_users_everywhere(client, rounds):
    _, listed = get(client, "/api/frameworks/")
    assert "cchc-2023-70-district" not in [framework["slug"] for framework in listed["frameworks"]]
    response, document = get(client, DRAFT)
    assert response.status_code == 404
    assert set(document) == {"error"} and document["error"]
    _, unit = get(client, "/api/units/695/results/")
    assert [item["framework"]["year"] for item in unit["results"]] == [2022, 2021]
    assert "51.37" not in json.dumps(unit)


def test_staff_see_the_draft_everywhere(admin_client, rounds):
    _, listed = get(admin_client, "/api/frameworks/")
    assert listed["frameworks"][0]["slug"] == "cchc-2023-70-district"
    assert listed["frameworks"][0]["publication"] is None
    response, document = get(admin_client, DRAFT)
    assert response.status_code == 200
    assert document["results"][0]["index"] == "51.37"
    _, unit = get(admin_client, "/api/units/695/results/")
    assert [(item["framework"]["year"], item["index"]) for item in unit["results"]] == [
        (2023, "51.37"),
        (2022, "93.91"),
        (2021, "80.00"),
    ]


@pytest.mark.parametrize("url", ["/api/frameworks/khong-co/results/", "/api/units/999/results/"])
def test_unknown_framework_or_unit_is_a_json_404(client, rounds, url):
    response, document = get(client, url)
    assert response.status_code == 404
    assert isinstance(document["error"], str) and document["error"]


@pytest.mark.parametrize("on", ["2020-13-45", "hôm qua", "2020-01-01"])
def test_a_bad_day_or_a_day_the_code_was_free_is_a_json_404(client, on):
    units_upsert(rows=[UnitRow(code="19", name="Tỉnh Thái Nguyên", kind="province", valid_from=date(2025, 7, 1))])
    response, document = get(client, f"/api/units/19/results/?on={on}")
    assert response.status_code == 404
    assert document["error"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/frameworks/", LATEST, "/api/units/695/results/"])
def test_only_get_and_head_are_allowed(rounds, url, method):
    client = Client(enforce_csrf_checks=True)  # as a real client: a 405, not a CSRF 403
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    head = client.head(url)
    assert (head.status_code, head["Content-Type"], head.content) == (200, "application/json", b"")


def published_rounds(unit_count):
    """Two published rounds and a draft of ``unit_count`` units, written in bulk."""
    units_upsert(rows=[UnitRow(code=f"U{n:04d}", name=f"Xã Mẫu {n}", kind="commune") for n in range(unit_count)])
    units = list(Unit.objects.filter(code__startswith="U"))
    for year in (2021, 2022, 2023):
        framework = make_framework(year=year, units=units, block="commune", rows=(("1", "60"), ("2", "40")))
        services.scores_set(
            framework=framework,
            entries=[score(unit, code, str((n + year) % 40)) for n, unit in enumerate(units) for code in ("1", "2")],
        )
        if year < 2023:
            publish(framework)
    return Framework.objects.get(year=2022)


@pytest.mark.parametrize("unit_count", [10, 1000])
def test_each_endpoint_runs_a_constant_number_of_queries(client, django_assert_num_queries, unit_count):
    framework = published_rounds(unit_count)
    with django_assert_num_queries(2):  # the data version; the frameworks with their index and publication
        _, listed = get(client, "/api/frameworks/")
    assert len(listed["frameworks"]) == 2
    with django_assert_num_queries(6):  # the data version; the framework, its fields, results, previous round, bands
        _, document = get(client, f"/api/frameworks/{framework.slug}/results/")
    assert len(document["results"]) == unit_count
    with django_assert_num_queries(4):  # the data version; the unit, its results, their frameworks' fields
        _, unit = get(client, "/api/units/U0000/results/")
    assert [item["ranked"] for item in unit["results"]] == [unit_count, unit_count]
    # A page: the data version; the framework, its fields, previous round, bands, the summary, the
    # page, whether any item of the framework is invented.
    with django_assert_num_queries(8):
        page = client.get(f"/api/frameworks/{framework.slug}/results/", {"page": 2, "page_size": 7}).json()
    assert page["results"] == document["results"][7:14]


def test_the_results_come_in_pages_with_a_total_and_links_when_asked(client):
    framework = published_rounds(5)
    url = f"/api/frameworks/{framework.slug}/results/"
    whole = client.get(url).json()
    assert "paging" not in whole and len(whole["results"]) == 5  # the whole document by default (DESIGN §7)
    first = client.get(url, {"page": 1, "page_size": 2})
    assert first.json()["paging"] == {"page": 1, "page_size": 2, "pages": 3, "total": 5, "next": 2, "previous": None}
    assert f'<{url}?page=2&page_size=2>; rel="next"' in first["Link"] and 'rel="license"' in first["Link"]
    last = client.get(url, {"page": 3, "page_size": 2}).json()
    assert last["paging"]["next"] is None and last["paging"]["previous"] == 2
    pages = [client.get(url, {"page": n, "page_size": 2}).json()["results"] for n in (1, 2, 3)]
    assert [item for page in pages for item in page] == whole["results"]
    assert client.get(url, {"page": 4, "page_size": 2}).status_code == 404  # past the end
    # One spelling per page: anything else is refused rather than cached once per variant.
    malformed = [("x", "2"), ("01", "2"), ("+1", "2"), (" 1", "2"), ("0", "2"), ("1", "02"), ("1", "1001")]
    malformed += [("1000000001", "2"), ("1" + "0" * 12, "2"), ("1" * 5000, "2"), (["1", "1"], "2"), ("1", ["2", "3"])]
    for page, page_size in malformed:
        response = client.get(url, {"page": page, "page_size": page_size})
        assert response.status_code == 400, (page, page_size)
        assert "page_size" in response.json()["error"]
    assert client.get(url, {"page_size": 2}).status_code == 400  # a size without a page
    assert client.get(url, {"page": 1, "page_size": 1000}).json()["paging"]["page_size"] == 1000
    assert client.get(url, {"page": "1"}).json()["paging"]["page_size"] == 500


@pytest.mark.parametrize("framework_count", [1, 6])
def test_the_frameworks_list_runs_two_queries_whatever_the_number_of_frameworks(
    client, django_assert_num_queries, framework_count
):
    units_upsert(rows=[UnitRow(code="70", name="Tỉnh Bình Phước", kind="province")])
    province = Unit.objects.get(code="70")
    for year in range(2000, 2000 + framework_count):
        publish(make_framework(year=year, units=[province], scope="VN", block="province"))
    with django_assert_num_queries(2):  # the data version, the frameworks
        _, listed = get(client, "/api/frameworks/")
    assert [framework["year"] for framework in listed["frameworks"]] == list(range(1999 + framework_count, 1999, -1))
