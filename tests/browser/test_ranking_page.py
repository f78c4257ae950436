"""The ranking page's download and chart."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RANKING_PATH = "/rankings/cchc-2022-70-district/"
# plotly draws into a div inside the chart's figure.
CHART_SVG = "figure.chart .js-plotly-plot svg"


def test_the_csv_link_downloads_the_ranking_with_vietnamese_numbers(browse):
    page = browse.open(RANKING_PATH)
    link = page.locator("a[href*='format=csv']")
    assert link.count() == 1, "no link to ?format=csv on the ranking page"

    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    dong_phu = next(line for line in text.splitlines() if "Đồng Phú" in line)
    assert "93,91" in dong_phu


def test_the_ranking_chart_draws_an_svg_in_its_figure(browse):
    page = browse.open(RANKING_PATH)
    assert page.locator("figure.chart").count() > 0, "no figure.chart on the ranking page"

    expect(page.locator(CHART_SVG).first).to_be_visible()
    browse.screenshot("chart-drawn")
