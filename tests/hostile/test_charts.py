"""Charts carry no active content: plotly.js draws a subset of HTML in every text
(``<a href>`` as a link, ``<b>``, ``<br>``), so a unit, band or block named with
markup must reach it as text. The figures' JSON holds the labels with < > & as
entities, which plotly.js shows as the characters (tests/browser checks the SVG)."""

import json
import re

import pytest
from django.urls import reverse

from public.charts import plotly_text
from tests.hostile.samples import hostile_rounds, named_units

pytestmark = pytest.mark.django_db

LINK = '<a href="https://evil.example/">x</a>'
AMPERSAND = "Sở <KH&CN>"
BOLD_BAND = "<b>Tốt</b>"
# As the figures hold them: plotly.js shows these as LINK and AMPERSAND.
LINK_SHOWN = '&lt;a href="https://evil.example/"&gt;x&lt;/a&gt;'
AMPERSAND_SHOWN = "Sở &lt;KH&amp;CN&gt;"
BLOCK = '<b>Khối</b> <a href="https://evil.example/">huyện</a>'


@pytest.fixture
def rounds():
    """LINK, AMPERSAND and a third unit in two series (scopes 70 and VN, blocks
    named with markup), so that a profile's chart names each series by its block."""
    units = named_units([LINK, AMPERSAND, "Huyện &amp; <br>"])
    options = {"criterion_names": ["<b>1</b>"], "band_labels": (BOLD_BAND, "Khá & <i>")}
    hostile_rounds(units=units, framework_name="Chỉ số {year}", block_name="<i>Quốc gia</i>", scope="VN", **options)
    return hostile_rounds(units=units, framework_name="<b>CCHC</b> {year}", block_name=BLOCK, **options)


def figure(client, url, chart_id, **params):
    page = client.get(url, params).content.decode()
    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', page)
    assert found, f"no {chart_id} on {url}"
    return json.loads(found.group(1))


def strings(node):
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in strings(value)]
    return [node] if isinstance(node, str) else []


def markup(chart) -> list[str]:
    """The figure's texts that plotly.js would read as a link or bold."""
    return [text for text in strings(chart) if re.search(r"<\s*/?\s*(a|b)\b", text, re.IGNORECASE)]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (LINK, LINK_SHOWN),  # quotes left: plotly.js has no &quot;
        (AMPERSAND, AMPERSAND_SHOWN),
        ("&lt;", "&amp;lt;"),  # shown as typed, not as "<"
        ("Huyện Đồng Phú", "Huyện Đồng Phú"),
    ],
)
def test_plotly_text_writes_what_plotly_reads_as_markup_or_entities_as_entities(text, shown):
    assert plotly_text(text) == shown


def test_the_ranking_chart_holds_no_markup_and_every_label_as_text(client, rounds):
    framework, _units = rounds
    chart = figure(client, framework.get_absolute_url(), "ranking-chart")
    assert markup(chart) == []
    names = {name for trace in chart["data"] for name in trace["y"]}
    assert names == {LINK_SHOWN, AMPERSAND_SHOWN, "Huyện &amp;amp; &lt;br&gt;"}
    # The axis's order names the same (escaped) categories, or plotly.js would draw each twice.
    assert set(chart["layout"]["yaxis"]["categoryarray"]) == names
    # And on a phone, the tick values name them too (each with a shortened text).
    assert set(chart["layout"]["meta"]["narrow"]["yaxis"]["tickvals"]) == names
    assert {trace["name"] for trace in chart["data"]} == {"&lt;b&gt;Tốt&lt;/b&gt;", "Khá &amp; &lt;i&gt;"}


def test_the_profile_chart_holds_no_markup_and_names_each_series_as_text(client, rounds):
    _framework, units = rounds
    chart = figure(client, units[0].get_absolute_url(), "history-chart")
    assert markup(chart) == []
    block = '&lt;b&gt;Khối&lt;/b&gt; &lt;a href="https://evil.example/"&gt;huyện&lt;/a&gt;'
    names = {trace["name"].split(" · ", 1)[1] for trace in chart["data"]}
    assert names == {
        block,
        f"{block}: thứ hạng",
        "&lt;i&gt;Quốc gia&lt;/i&gt;",
        "&lt;i&gt;Quốc gia&lt;/i&gt;: thứ hạng",
    }


def test_the_compare_chart_holds_no_markup_and_names_each_unit_as_text(client, rounds):
    _framework, units = rounds
    codes = ",".join(unit.code for unit in units)
    chart = figure(client, reverse("public:compare"), "compare-chart", units=codes)
    assert markup(chart) == []
    assert [trace["name"] for trace in chart["data"]] == [
        LINK_SHOWN,
        AMPERSAND_SHOWN,
        "Huyện &amp;amp; &lt;br&gt;",
    ]
