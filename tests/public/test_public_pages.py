"""The public site beyond the plain ranking: sorting, filtering, paging and
downloads of a ranking; the unit profile's breakdown; comparing units; and the
caching of every public page by the data version (ETag, 304, invalidation)."""

import csv
import io
import json
import re
from datetime import datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cchc_portal.caching import data_version, data_version_bump
from public.filters import compare_codes
from scoring import selectors, services
from scoring.models import Framework, Publication, Result, Revision
from tests.factories import UnitFactory, make_framework, publish, score
from units.models import Unit

pytestmark = pytest.mark.django_db

FIELDS = (("1", "60"), ("2", "40"))


def ranked(points_by_name, *, parents=None, year=2022):
    """A published framework ranking units named after ``points_by_name``'s keys,
    each with (field 1, field 2) points; ``parents``: unit name -> parent unit."""
    parents = parents or {}
    units = [UnitFactory(name=name, short_name=name, parent=parents.get(name)) for name in points_by_name]
    framework = make_framework(year=year, units=units, rows=FIELDS)
    entries = [
        score(unit, code, value)
        for unit, values in zip(units, points_by_name.values(), strict=True)
        for code, value in zip(("1", "2"), values, strict=True)
    ]
    services.scores_set(framework=framework, entries=entries)
    publish(framework)
    return framework, units


def unit_names(page: str) -> list[str]:
    return re.findall(r'<th scope="row" class="unit"><a href="[^"]*">([^<]*)</a>', page)


@pytest.fixture
def four_units():
    # Indexes: An 90, Bình 75, Cường 75 (tied), Dũng 60; field 1: 50, 45, 38, 40; field 2: 40, 30, 37, 20.
    province_a = UnitFactory(name="Tỉnh A", code="01", kind=Unit.Kind.PROVINCE)
    province_b = UnitFactory(name="Tỉnh B", code="02", kind=Unit.Kind.PROVINCE)
    return ranked(
        {"An": ("50", "40"), "Bình": ("45", "30"), "Cường": ("38", "37"), "Dũng": ("40", "20")},
        parents={"An": province_a, "Bình": province_b, "Cường": province_a, "Dũng": province_b},
    )


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["An", "Bình", "Cường", "Dũng"]),  # rank order; the tie in unit-code order
        ("-rank", ["Dũng", "Bình", "Cường", "An"]),
        ("index", ["Dũng", "Bình", "Cường", "An"]),
        ("unit", ["An", "Bình", "Cường", "Dũng"]),  # by name without diacritics
        ("-unit", ["Dũng", "Cường", "Bình", "An"]),
        ("field-1", ["Cường", "Dũng", "Bình", "An"]),
        ("-field-2", ["An", "Cường", "Bình", "Dũng"]),
        ("field-9", ["An", "Bình", "Cường", "Dũng"]),  # no such field: rank order
        ("'; drop table", ["An", "Bình", "Cường", "Dũng"]),
    ],
)
def test_ranking_sorts_by_any_column(client, four_units, sort, expected):
    framework, _units = four_units
    page = client.get(framework.get_absolute_url(), {"sort": sort}).content.decode()
    assert unit_names(page) == expected


def test_ranking_filters_by_parent_and_searches_without_diacritics(client, four_units):
    framework, _units = four_units
    url = framework.get_absolute_url()
    page = client.get(url).content.decode()
    assert '<option value="01">Tỉnh A</option>' in page and '<option value="02">Tỉnh B</option>' in page
    assert unit_names(client.get(url, {"parent": "02"}).content.decode()) == ["Bình", "Dũng"]
    assert unit_names(client.get(url, {"q": "cuong"}).content.decode()) == ["Cường"]
    page = client.get(url, {"q": "nobody"}).content.decode()
    assert unit_names(page) == [] and "Không có đơn vị nào khớp" in page
    # The summary stays the whole block's: four units, mean (90 + 75 + 75 + 60) / 4 = 75.
    assert "<dd>4</dd>" in page and "<dd>75,00</dd>" in page


def test_large_rankings_are_paged_by_one_hundred(client):
    framework, _units = ranked({f"Xã {n:03d}": (str(n % 60), "0") for n in range(150)})
    url = framework.get_absolute_url()
    first = client.get(url).content.decode()
    second = client.get(url, {"page": "2"}).content.decode()
    assert len(unit_names(first)) == 100 and len(unit_names(second)) == 50
    assert not set(unit_names(first)) & set(unit_names(second))
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert len(unit_names(client.get(url, {"page": "x"}).content.decode())) == 100  # not a number: the first


def test_downloads_hold_what_the_filters_keep_in_their_order(client, four_units):
    framework, _units = four_units
    response = client.get(framework.get_absolute_url(), {"parent": "01", "sort": "index", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="{framework.slug}.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[3] for row in rows[1:]] == ["Cường", "An"]  # the unit column, lowest index first
    assert [row[4] for row in rows[1:]] == ["75,00", "90,00"]
    xlsx = client.get(framework.get_absolute_url(), {"format": "xlsx"})
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert client.get(framework.get_absolute_url(), {"format": "pdf"}).status_code == 404


def test_the_chart_reaches_the_page_as_json_and_no_script_is_inline(client, four_units):
    framework, _units = four_units
    page = client.get(framework.get_absolute_url()).content.decode()
    figure = json.loads(re.search(r'<script id="ranking-chart" type="application/json">(.*?)</script>', page).group(1))
    bars = {name: index for trace in figure["data"] for name, index in zip(trace["y"], trace["x"], strict=True)}
    assert bars == {"An": 90.0, "Bình": 75.0, "Cường": 75.0, "Dũng": 60.0}
    assert figure["layout"]["separators"] == ",."  # Vietnamese decimal comma
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src=" in attributes or "application/json" in attributes for attributes in scripts)
    assert "/static/plotly/plotly.min.js" in page


def test_plotly_is_served_from_the_installed_package(client):
    from pathlib import Path

    import plotly
    from django.contrib.staticfiles import finders

    found = finders.find("plotly/plotly.min.js")
    assert Path(found) == Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def test_profile_compares_fields_with_the_block_mean(client, four_units):
    _framework, units = four_units
    page = client.get(units[0].get_absolute_url()).content.decode()
    # An: field 1 50 of 60 (83%), block mean (50 + 45 + 38 + 40) / 4 = 43.25, so +6.75;
    # field 2 40 of 40, mean (40 + 30 + 37 + 20) / 4 = 31.75, so +8.25; index 90 against 75.
    assert re.search(r"50,00</td>\s*<td[^>]*>60,00</td>.*?83%.*?43,25</td>.*?\+6,75", page, re.S)
    assert "31,75" in page and "+8,25" in page and "+15,00" in page
    assert 'data-figure="history-chart"' in page


def test_block_means_read_field_codes_as_object_keys():
    # A field code of digits must not be read as a JSON array index ("$[1]").
    framework, _units = ranked({"An": ("10.01", "1"), "Bình": ("20.02", "2"), "Cường": ("30.04", "3")})
    index_mean, means = selectors.framework_means(framework, ["1", "2"])
    assert means == {"1": D("20.02"), "2": D("2.00")}  # 60.07 / 3 = 20.0233…
    assert index_mean == D("22.02")  # (11.01 + 22.02 + 33.04) / 3 = 22.0233…


def test_compare_shows_units_side_by_side_and_adds_one_by_name(client, four_units):
    _framework, units = four_units
    an, binh = units[0], units[1]
    page = client.get(reverse("public:compare"), {"units": f"{an.code},{binh.code},nope"}).content.decode()
    assert "An" in page and "Bình" in page and "nope" in page  # the unknown code is named
    assert "90,00" in page and "75,00" in page
    assert 'data-figure="compare-chart"' not in page  # one year: no line to draw
    page = client.get(reverse("public:compare"), {"units": an.code, "add": "dung"}).content.decode()
    assert re.search(r'<ul class="chosen">.*Dũng', page, re.S)


def test_a_repeated_parameter_is_part_of_the_cache_key(client, four_units):
    _framework, units = four_units
    one = client.get(reverse("public:compare"), {"units": [units[0].code]})
    two = client.get(reverse("public:compare"), {"units": [units[1].code, units[0].code]})
    assert one["ETag"] != two["ETag"] and "Bình" in two.content.decode() and "Bình" not in one.content.decode()


def test_compare_keeps_at_most_four_units():
    assert compare_codes(["1,2", "2,3", "4,5,6"]) == ["1", "2", "3", "4"]


def test_public_pages_carry_an_etag_and_answer_a_conditional_request_with_a_304(
    client, four_units, django_assert_num_queries
):
    framework, _units = four_units
    url = framework.get_absolute_url()
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"] and "public" in first["Cache-Control"]
    assert not first.cookies  # no CSRF or session cookie: the page can be shared
    with django_assert_num_queries(1):  # the data version only: no result is read
        assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    with django_assert_num_queries(1):  # from the cache
        again = client.get(url, {"utm_source": "x"})  # a parameter the page does not read
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert client.get(url, {"sort": "unit"})["ETag"] != first["ETag"]


def test_a_change_makes_a_new_version_and_the_pages_show_it(client, four_units, django_capture_on_commit_callbacks):
    framework, units = four_units
    url = framework.get_absolute_url()
    before = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        services.scores_set(framework=framework, entries=[score(units[3], "1", "60")], reason="sửa sai")
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    # Dũng: 60 + 20 = 80, now second.
    assert unit_names(after.content.decode()) == ["An", "Dũng", "Bình", "Cường"]


def test_one_transaction_bumps_the_version_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        from django.db import transaction

        with transaction.atomic():
            for n in range(5):
                UnitFactory(name=f"Xã {n}")
            data_version_bump()
    assert len(callbacks) == 1
    assert data_version() > 0


def test_staff_get_private_uncached_pages_and_see_drafts(admin_client):
    framework = make_framework(year=2030, units=UnitFactory.create_batch(2), rows=FIELDS)
    response = admin_client.get(framework.get_absolute_url())
    assert response.status_code == 200 and "ETag" not in response
    assert not_stored(response)


def not_stored(response) -> bool:
    """Whether no browser or proxy may keep the page: private, and no-store besides no-cache."""
    directives = {part.strip().partition("=")[0] for part in response["Cache-Control"].split(",")}
    return {"private", "no-cache", "no-store"} <= directives and "public" not in directives


def test_pages_shown_to_a_signed_in_user_are_never_stored(admin_client, four_units):
    published = Framework.objects.published().get()
    public = admin_client.get(published.get_absolute_url())
    staff = admin_client.get(reverse("staff:framework", args=[published.slug]))
    assert public.status_code == staff.status_code == 200
    assert not_stored(public) and not_stored(staff)
    anonymous = Client().get(published.get_absolute_url())
    assert anonymous.status_code == 200 and not not_stored(anonymous) and "public" in anonymous["Cache-Control"]


def test_unpublished_frameworks_stay_hidden_on_pages_downloads_and_compare(client):
    units = UnitFactory.create_batch(2)
    draft = make_framework(year=2030, units=units, rows=FIELDS)
    services.scores_set(framework=draft, entries=[score(units[0], "1", "59.99"), score(units[0], "2", "0")])
    assert not Framework.objects.published().exists()
    assert client.get(draft.get_absolute_url(), {"format": "csv"}).status_code == 404
    page = client.get(reverse("public:compare"), {"units": f"{units[0].code},{units[1].code}"}).content.decode()
    assert "59,99" not in page and draft.name not in page


def test_language_links_keep_the_page_and_its_query(client, four_units):
    framework, _units = four_units
    page = client.get(framework.get_absolute_url(), {"sort": "unit"}).content.decode()
    assert f'href="/en{framework.get_absolute_url()}?sort=unit" hreflang="en"' in page
    english = client.get(f"/en{framework.get_absolute_url()}").content.decode()
    assert "90.00" in english and '<html lang="en">' in english


@pytest.mark.parametrize("unit_count", [10, 300])
def test_a_filtered_sorted_page_runs_a_constant_number_of_queries(client, django_assert_num_queries, unit_count):
    province = UnitFactory(name="Tỉnh A", code="01", kind=Unit.Kind.PROVINCE)
    names = {f"Xã {n:03d}": (str(n % 60), "1") for n in range(unit_count)}
    framework, _units = ranked(names, parents=dict.fromkeys(names, province))
    # As the unfiltered page (8, and the map's outlines: none), plus counting the rows the filter keeps.
    with django_assert_num_queries(10):
        response = client.get(framework.get_absolute_url(), {"parent": "01", "q": "xa", "sort": "-field-1"})
    assert len(unit_names(response.content.decode())) == min(unit_count, 100)


def test_profile_and_compare_download_what_they_show(client, four_units):
    _framework, units = four_units
    an, dung = units[0], units[3]
    profile = client.get(an.get_absolute_url(), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(profile.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Năm", "Bảng xếp hạng", "Chỉ số", "Hạng"]
    assert rows[1][:5] == ["2022", "Chỉ số CCHC 2022", "90,00", "1", "4"]
    # Then its field scores: An has 50 on field 1 and 40 on field 2.
    assert rows[0][-2:] == ["1. Tiêu chí 1", "2. Tiêu chí 2"] and rows[1][-2:] == ["50,00", "40,00"]
    compared = client.get(reverse("public:compare"), {"units": f"{an.code},{dung.code}", "format": "xlsx"})
    assert compared["Content-Disposition"].endswith(f'compare-{an.code}-{dung.code}.xlsx"')
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(compared.content)).active
    an_cells, dung_cells = [90.0, 1, "Xuất sắc"], [60.0, 4, "Trung bình"]
    assert [cell.value for cell in sheet[2]][:8] == [2022, "Chỉ số CCHC 2022", *an_cells, *dung_cells]
    assert compared["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    api = client.get(reverse("api:unit_results", args=[an.code]))
    assert api["Link"] == compared["Link"]
    assert 'rel="license">CC BY 4.0</a>' in client.get(an.get_absolute_url()).content.decode()


def correction_note(when: str, reason: str) -> str:
    """The public note of one correction, as a Vietnamese page words it."""
    with translation.override("vi"):
        return translation.gettext("Corrected on %(date)s: %(reason)s") % {"date": when, "reason": reason}


def kept_in_history() -> str:
    with translation.override("vi"):
        return translation.gettext("The figures published before each correction are kept in the portal's history.")


def test_a_corrected_ranking_notes_each_correction_newest_first_and_an_uncorrected_one_costs_nothing_more(
    client, four_units, django_assert_num_queries, django_capture_on_commit_callbacks
):
    framework, units = four_units
    url = framework.get_absolute_url()
    # As test_views' ranking page: the data version, the framework, its fields,
    # previous round, bands, summary, one page of results, the parents, the map's outlines.
    with django_assert_num_queries(9):
        before = client.get(url).content.decode()
    assert "corrections-heading" not in before and kept_in_history() not in before
    assert client.get(reverse("api:framework_results", args=[framework.slug])).json()["framework"]["corrections"] == []

    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    with django_capture_on_commit_callbacks(execute=True):
        services.scores_set(framework=framework, entries=[score(units[3], "1", "45")], reason="Phúc khảo")
        services.scores_set(framework=framework, entries=[score(units[3], "2", "25")], reason="Sửa sai sót")
        first, second = Revision.objects.filter(framework=framework).exclude(reason="").order_by("pk")
        Publication.objects.filter(framework=framework).update(published_at=datetime(2023, 3, 30, tzinfo=hanoi))
        # 5/4/2023 in Vietnam, though still the 4th in UTC
        Revision.objects.filter(pk=first.pk).update(created_at=datetime(2023, 4, 5, 6, 0, tzinfo=hanoi))
        Revision.objects.filter(pk=second.pk).update(created_at=datetime(2023, 5, 12, 9, 0, tzinfo=hanoi))
        # Renamed since: each note keeps the name the ranking published.
        Result.objects.filter(framework=framework, unit=units[3]).update(unit_name=units[3].name)
        Unit.objects.filter(pk=units[3].pk).update(name="Phường Dũng Mới")
    with django_assert_num_queries(11):  # and the corrections, with the figures they moved
        after = client.get(url).content.decode()
    assert "Phường Dũng Mới:" not in after
    newer, older = correction_note("12/5/2023", "Sửa sai sót"), correction_note("5/4/2023", "Phúc khảo")
    assert newer in after and older in after and after.index(newer) < after.index(older)
    # Dũng: 40 + 20 = 60, then 45 + 20 = 65, then 45 + 25 = 70; fourth all along. Each note says its own move.
    newer_change, older_change = "Dũng: chỉ số 65,00 → 70,00, hạng 4 → 4", "Dũng: chỉ số 60,00 → 65,00, hạng 4 → 4"
    assert after.index(newer) < after.index(newer_change) < after.index(older) < after.index(older_change)
    assert "An: chỉ số" not in after  # units the corrections did not move are not listed
    assert kept_in_history() in after
    document = client.get(reverse("api:framework_results", args=[framework.slug])).json()
    assert document["framework"]["corrections"] == [
        {"date": "2023-05-12", "reason": "Sửa sai sót"},
        {"date": "2023-04-05", "reason": "Phúc khảo"},
    ]


def test_a_publication_made_again_after_a_withdrawal_notes_only_its_own_corrections(
    client, four_units, django_capture_on_commit_callbacks
):
    framework, units = four_units
    with django_capture_on_commit_callbacks(execute=True):
        services.scores_set(framework=framework, entries=[score(units[3], "1", "45")], reason="Phúc khảo")
        Revision.objects.filter(reason="Phúc khảo").update(created_at=datetime(2023, 4, 5, tzinfo=ZoneInfo("UTC")))
        services.framework_unpublish(framework=framework)
        publish(framework, decision="2/QĐ-UBND")
    page = client.get(framework.get_absolute_url()).content.decode()
    assert "2/QĐ-UBND" in page and "Phúc khảo" not in page and "corrections-heading" not in page
    with django_capture_on_commit_callbacks(execute=True):
        services.scores_set(framework=framework, entries=[score(units[3], "2", "25")], reason="Sửa sai sót")
    page = client.get(framework.get_absolute_url()).content.decode()
    assert "Sửa sai sót" in page and "Phúc khảo" not in page


def test_the_table_names_its_fields_its_caption_follows_the_sort_and_the_summary_names_the_movers(client):
    names = ["An", "Bình", "Cường", "Dũng", "Em"]
    units = [UnitFactory(name=name, short_name=name) for name in names]
    last_year = make_framework(year=2021, units=units, rows=FIELDS)
    # 2021 ranks: An 1, Bình 2, Cường 3, Dũng 4, Em 5.
    points_2021 = {"An": "90", "Bình": "80", "Cường": "70", "Dũng": "60", "Em": "50"}
    services.scores_set(
        framework=last_year,
        entries=[score(u, "1", str(int(points_2021[u.name]) - 35)) for u in units]
        + [score(u, "2", "35") for u in units],
    )
    publish(last_year)
    # 2022: Em 1 (▲ 4), Dũng 2 (▲ 2), An 3 (▼ 2), Bình 4 (▼ 2), Cường 5 (▼ 2).
    points_2022 = {"Em": "95", "Dũng": "85", "An": "75", "Bình": "65", "Cường": "55"}
    framework = make_framework(year=2022, units=units, rows=FIELDS)
    services.scores_set(
        framework=framework,
        entries=[score(u, "1", str(int(points_2022[u.name]) - 35)) for u in units]
        + [score(u, "2", "35") for u in units],
    )
    publish(framework)
    page = client.get(framework.get_absolute_url()).content.decode()
    assert '<span class="field-name">1. Tiêu chí 1</span>' in page and "tối đa 60,00" in page  # no tooltip needed
    movers = page[page.index('<dl class="movers">') : page.index("</dl>", page.index('<dl class="movers">'))]
    up = movers[: movers.index("Xuống hạng nhiều nhất")]
    assert "Lên hạng nhiều nhất" in up and up.index("Em") < up.index("Dũng") and "Cường" not in up
    # Down by two each: the largest fall of index first (An −15, Bình −15, Cường −15: then rank, lowest first).
    down = movers[movers.index("Xuống hạng") :]
    assert down.index("Cường") < down.index("Bình") < down.index("An")
    assert "<caption>Chỉ số CCHC 2022, theo thứ hạng</caption>" in page
    sorted_page = client.get(framework.get_absolute_url(), {"sort": "-field-1", "q": "n"}).content.decode()
    assert (
        "<caption>Chỉ số CCHC 2022, theo 1. Tiêu chí 1, từ cao xuống thấp · đơn vị khớp với “n”</caption>"
        in sorted_page
    )
    assert '<th scope="col" class="num field" aria-sort="descending">' in sorted_page


def test_a_block_published_under_its_own_name_reads_in_english_by_its_kind(client, four_units):
    framework, _units = four_units
    Framework.objects.filter(pk=framework.pk).update(block_name="Khối huyện, thị xã, thành phố")
    assert "Khối huyện, thị xã, thành phố" in client.get(framework.get_absolute_url()).content.decode()
    english = client.get(f"/en{framework.get_absolute_url()}").content.decode()
    assert "Khối huyện" not in english and "District-level units" in english
