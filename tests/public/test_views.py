"""Public pages: what they show, to whom, in which language, and at what query cost."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from scoring import services
from tests.factories import UnitFactory, make_framework, publish, score

pytestmark = pytest.mark.django_db


def published_ranking(unit_count, *, scope="70"):
    units = UnitFactory.create_batch(unit_count)
    before = make_framework(year=2021, units=units, scope=scope, rows=(("1", "60"), ("2", "40")))
    services.scores_set(
        framework=before,
        entries=[score(u, code, str(10 + i % 30)) for i, u in enumerate(units) for code in ("1", "2")],
    )
    publish(before)
    after = make_framework(year=2022, units=units, scope=scope, rows=(("1", "60"), ("2", "40")))
    services.scores_set(
        framework=after,
        entries=[score(u, code, str(40 - i % 30)) for i, u in enumerate(units) for code in ("1", "2")],
    )
    publish(after)
    return after, units


@pytest.mark.parametrize("unit_count", [10, 1000])
def test_ranking_page_runs_a_constant_number_of_queries(client, django_assert_num_queries, unit_count):
    framework, _ = published_ranking(unit_count)
    # The data version, the framework, its fields, previous round, bands, the
    # summary's figures (which count the rows), one page of results, the parents,
    # the units that moved up most and down most, the map's outlines (none here).
    with django_assert_num_queries(11):
        response = client.get(framework.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row" class="unit">') == min(unit_count, 100)


@pytest.mark.parametrize("framework_count", [1, 6])
def test_home_page_runs_one_query_whatever_the_number_of_frameworks(client, django_assert_num_queries, framework_count):
    for n in range(framework_count):
        publish(make_framework(year=2000 + n, units=UnitFactory.create_batch(2)))
    with django_assert_num_queries(2):  # the data version, the frameworks
        response = client.get(reverse("public:home"))
    assert response.content.decode().count("Chỉ số CCHC 20") >= framework_count


def test_ranking_shows_rank_tie_band_and_moves_in_vietnamese(client):
    a, b, c = UnitFactory(name="Huyện Đồng Phú"), UnitFactory(name="Huyện Lộc Ninh"), UnitFactory(name="Huyện Bù Đốp")
    before = make_framework(year=2021, units=[a, b, c])
    services.scores_set(framework=before, entries=[score(a, "1", "60"), score(b, "1", "80"), score(c, "1", "70")])
    publish(before)
    after = make_framework(year=2022, units=[a, b, c])
    services.scores_set(
        framework=after, entries=[score(a, "1", "93.91"), score(b, "1", "91.35"), score(c, "1", "91.35")]
    )
    publish(after, decision="501/QĐ-UBND", day="2023-03-29")
    page = client.get(after.get_absolute_url()).content.decode()
    assert '<html lang="vi">' in page
    assert "93,91" in page and "+33,91" in page  # Vietnamese decimal comma, signed delta
    assert "▲ 2" in page  # Đồng Phú from 3rd to 1st
    assert "▼ 1" in page  # Lộc Ninh from 1st to 2nd
    assert page.count("đồng hạng") == 2  # Lộc Ninh and Bù Đốp share 2nd
    assert "Quyết định số 501/QĐ-UBND ngày 29/3/2023" in page
    assert "Xuất sắc" in page


def test_english_pages_use_a_decimal_point(client):
    framework, _ = published_ranking(3)
    page = client.get("/en" + framework.get_absolute_url()).content.decode()
    assert '<html lang="en">' in page
    assert "Decision 1/QĐ-UBND of 29 Mar 2023" in page
    assert "40.00" in page and "40,00" not in page


def test_vietnamese_is_the_default_whatever_the_browser_asks_for(client):
    response = client.get(reverse("public:home"), headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in response.content.decode()


def test_unpublished_framework_is_a_404_for_anonymous_users_and_absent_from_home(client):
    draft = make_framework(units=[UnitFactory()])
    draft.name = "Bản nháp bí mật"
    draft.save()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Bản nháp bí mật" not in client.get(reverse("public:home")).content.decode()


def test_staff_can_preview_a_draft(admin_client):
    draft = make_framework(units=[UnitFactory()])
    response = admin_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Bản nháp" in response.content.decode()


def test_unknown_framework_is_a_404(client):
    assert client.get("/rankings/khong-co/").status_code == 404


def test_first_year_has_no_delta_columns_and_a_new_unit_is_marked(client):
    framework, _ = published_ranking(2, scope="06")
    first_year = framework.__class__.objects.get(scope="06", year=2021)
    assert "Δ" not in client.get(first_year.get_absolute_url()).content.decode()
    newcomer = UnitFactory()
    framework.participants.add(newcomer)
    services.scores_set(framework=framework, entries=[score(newcomer, "1", "50")], reason="Bổ sung")
    assert "đơn vị mới" in client.get(framework.get_absolute_url()).content.decode()
    assert framework.results.get(unit=newcomer).index == D("50")
