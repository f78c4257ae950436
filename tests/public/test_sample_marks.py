"""Invented figures are labelled where they appear, in every output, and nothing
else is: a unit's invented index on its ranking row, its unit page, the compare
page, the downloads (a "Sample data" column) and the API (``is_sample``); real
figures whose changes compare with last year's invented ones mark the change,
not the row; a ranking without invented figures has no column and no key."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse

from scoring import services
from scoring.models import Framework
from scoring.services.results import PublishedResultRow
from tests.factories import UnitFactory, make_framework, publish, score

pytestmark = pytest.mark.django_db


@pytest.fixture
def rounds():
    """2021 (published results): Đồng Phú 84,55 invented, Bù Đăng 80,00 real.
    2022 (computed): both real, Đồng Phú 93,91, Bù Đăng 85,00."""
    dong_phu, bu_dang = UnitFactory(name="Huyện Đồng Phú", code="695"), UnitFactory(name="Huyện Bù Đăng", code="698")
    before = make_framework(year=2021, units=[dong_phu, bu_dang], mode=Framework.Mode.PUBLISHED)
    services.published_results_set(
        framework=before,
        rows=[PublishedResultRow("695", D("84.55"), is_sample=True), PublishedResultRow("698", D("80.00"))],
    )
    publish(before)
    after = make_framework(year=2022, units=[dong_phu, bu_dang])
    services.scores_set(framework=after, entries=[score(dong_phu, "1", "93.91"), score(bu_dang, "1", "85")])
    publish(after)
    return before, after, dong_phu, bu_dang


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_invented_figure_is_marked_where_it_appears_and_the_real_ones_are_not(client, rounds):
    before, after, dong_phu, bu_dang = rounds
    ranking_2021 = client.get(before.get_absolute_url()).content.decode()
    row = ranking_2021[ranking_2021.index('<tr class="sample">') :]
    assert "Huyện Đồng Phú" in row[: row.index("</tr>")] and ranking_2021.count('<tr class="sample">') == 1

    # 2022: real figures; Đồng Phú's changes compare with the invented 84,55: the change is marked, not the row.
    ranking_2022 = client.get(after.get_absolute_url()).content.decode()
    assert '<tr class="sample">' not in ranking_2022
    assert ranking_2022.count("so sánh với số liệu mẫu của kỳ trước") == 2  # Δ index and Δ rank of Đồng Phú

    profile = client.get(dong_phu.get_absolute_url()).content.decode()
    index_2021 = profile[profile.index("84,55") - 200 : profile.index("84,55") + 200]
    assert 'class="sample-mark"' in index_2021 and "Số liệu đánh dấu *" in profile
    assert "Số liệu đánh dấu *" not in client.get(bu_dang.get_absolute_url()).content.decode()
    compare = client.get(reverse("public:compare"), {"units": "695,698"}).content.decode()
    assert compare.count('class="sample-mark"') == 2  # the invented index, the change that uses it

    downloads = {
        "ranking 2021": rows_of(client.get(before.get_absolute_url(), {"format": "csv"})),
        "ranking 2022": rows_of(client.get(after.get_absolute_url(), {"format": "csv"})),
    }
    assert [(row["Đơn vị"], row["Số liệu mẫu"]) for row in downloads["ranking 2021"]] == [
        ("Huyện Đồng Phú", "có"),
        ("Huyện Bù Đăng", ""),
    ]
    assert {row["Đơn vị"]: row["Số liệu mẫu"] for row in downloads["ranking 2022"]} == {
        "Huyện Đồng Phú": "số liệu kỳ trước",
        "Huyện Bù Đăng": "",
    }
    unit_rows = rows_of(client.get(dong_phu.get_absolute_url(), {"format": "csv"}))
    assert [row["Số liệu mẫu"] for row in unit_rows] == ["số liệu kỳ trước", "có"]  # 2022, then 2021

    api_2021 = client.get(reverse("api:framework_results", args=[before.slug])).json()["results"]
    assert [(item["unit"]["code"], item["is_sample"]) for item in api_2021] == [("695", True), ("698", False)]
    api_2022 = client.get(reverse("api:framework_results", args=[after.slug])).json()["results"]
    assert {item["unit"]["code"]: item["previous"]["is_sample"] for item in api_2022} == {"695": True, "698": False}
    unit_api = client.get(reverse("api:unit_results", args=["695"])).json()["results"]
    assert [item["is_sample"] for item in unit_api] == [False, True]
    # Paged, each page carries the key, even the page of real figures only.
    url = reverse("api:framework_results", args=[before.slug])
    pages = [client.get(url, {"page": page, "page_size": 1}).json()["results"] for page in (1, 2)]
    assert [(item["unit"]["code"], item["is_sample"]) for page in pages for item in page] == [
        ("695", True),
        ("698", False),
    ]


def test_a_ranking_of_real_figures_has_no_sample_column_or_key(client):
    units = UnitFactory.create_batch(2)
    framework = make_framework(units=units)
    services.scores_set(framework=framework, entries=[score(unit, "1", "80") for unit in units])
    publish(framework)
    assert "Số liệu mẫu" not in rows_of(client.get(framework.get_absolute_url(), {"format": "csv"}))[0]
    items = client.get(reverse("api:framework_results", args=[framework.slug])).json()["results"]
    assert all("is_sample" not in item for item in items)
    assert 'class="sample-mark"' not in client.get(units[0].get_absolute_url()).content.decode()
