"""The public tables say once what they show (``public.tables``): the ranking's page,
its CSV and XLSX downloads and its JSON document carry the same columns and figures,
and a hostile unit name goes through each of them inert: escaped in the page, a
text (never a formula) in the downloads, the same string in the JSON."""

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from public.tables import ranking_columns
from scoring import services
from scoring.selectors import ranking_for
from tests.factories import UnitFactory, make_framework, publish, score

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://e")<script>alert(1)</script>&\'x'
ESCAPED = "=HYPERLINK(&quot;http://e&quot;)&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#x27;x"


@pytest.fixture
def ranked():
    """Two rounds of the same two units, one of them named ``HOSTILE`` in the second."""
    units = UnitFactory.create_batch(2)
    before = make_framework(year=2021, units=units, rows=(("1", "60"), ("2", "40")))
    services.scores_set(
        framework=before,
        entries=[score(units[0], "1", "50"), score(units[0], "2", "30"), score(units[1], "1", "40")],
    )
    publish(before)
    units[1].name = HOSTILE
    units[1].save()
    after = make_framework(year=2022, units=units, rows=(("1", "60"), ("2", "40")))
    services.scores_set(
        framework=after,
        entries=[score(units[0], "1", "45"), score(units[0], "2", "35.5"), score(units[1], "1", "60")],
    )
    publish(after)
    return after, units


def test_the_ranking_page_and_its_downloads_show_the_columns_of_one_specification(client, ranked):
    framework, units = ranked
    with translation.override("en"):
        columns = ranking_columns(ranking_for(framework=framework))
    assert [column.label for column in columns] == [
        "Rank", "Tied", "Code", "Unit", "Index", "Band", "Δ index", "Δ rank",
        "1. Tiêu chí 1 [VI] (60.00)", "Δ 1", "2. Tiêu chí 2 [VI] (40.00)", "Δ 2",
    ]  # fmt: skip
    page = client.get(f"/en/rankings/{framework.slug}/").content.decode()
    header = page[page.index("<thead>") : page.index("</thead>")]
    # The page's own columns, in the same order: a field's change shows under its points.
    fields = ('>1. <span lang="vi">Tiêu chí 1</span>', '>2. <span lang="vi">Tiêu chí 2</span>')  # untranslated
    labels = ("Rank", "Unit", "Index", "Band", "Δ index", "Δ rank", *fields)
    order = [header.index(label) for label in labels]
    assert order == sorted(order)
    rows = en_csv(client, framework)
    assert rows[0] == [column.label for column in columns]
    # Unit 0: 45 + 35.50 of 100 → 80.50, was 50 + 30 → 80.00: +0.50, first both times.
    # Unit 1: 60 + nothing → 60.00, was 40 → 40.00: +20.00, second both times.
    assert [row[:5] + row[6:] for row in rows[1:]] == [
        ["1", "", units[0].code, units[0].name, "80.50", "0.50", "0", "45.00", "-5.00", "35.50", "5.50"],
        ["2", "", units[1].code, "'" + HOSTILE, "60.00", "20.00", "0", "60.00", "20.00", "0.00", "0.00"],
    ]


def en_csv(client, framework) -> list[list[str]]:
    content = client.get(f"/en/rankings/{framework.slug}/?format=csv").content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_a_hostile_unit_name_is_inert_in_the_page_the_downloads_and_the_json(client, ranked):
    framework, units = ranked
    url = f"/rankings/{framework.slug}/"
    page = client.get(url).content.decode()
    assert HOSTILE not in page and "<script>alert" not in page
    assert ESCAPED in page

    rows = list(csv.reader(io.StringIO(client.get(f"{url}?format=csv").content.decode("utf-8-sig")), delimiter=";"))
    assert "'" + HOSTILE in [cell for row in rows for cell in row]

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{url}?format=xlsx").content))
    cells = [cell for row in book.active.iter_rows(min_row=3) for cell in row if cell.value == HOSTILE]
    assert cells and {cell.data_type for cell in cells} == {"s"}

    document = json.loads(client.get(f"/api/frameworks/{framework.slug}/results/").content)
    assert HOSTILE in [item["unit"]["name"] for item in document["results"]]

    for path in (f"/units/{units[1].code}/", f"/compare/?units={units[0].code},{units[1].code}"):
        page = client.get(path).content.decode()
        assert "<script>alert" not in page and ESCAPED in page, path
        download = client.get(f"{path}{'&' if '?' in path else '?'}format=csv").content.decode("utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(download), delimiter=";") for cell in row]
        assert not any(cell.startswith("=") for cell in cells), path  # a text, never a formula


def test_the_json_document_writes_the_figures_the_downloads_write(client, ranked):
    framework, _units = ranked
    rows = en_csv(client, framework)
    document = json.loads(client.get(f"/api/frameworks/{framework.slug}/results/").content)
    by_code = {item["unit"]["code"]: item for item in document["results"]}
    for row in rows[1:]:
        item = by_code[row[2]]
        assert (row[0], row[4], row[6], row[7]) == (
            str(item["rank"]),
            item["index"],
            item["delta_index"],
            str(item["delta_rank"]),
        )
        assert [row[8], row[10]] == [field["points"] for field in item["fields"]]
        assert Decimal(item["index"]) == Decimal(row[4])
