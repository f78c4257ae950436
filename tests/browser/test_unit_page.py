"""The unit profile's chart."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CHART_SVG = "figure.chart .js-plotly-plot svg"


def test_the_unit_history_chart_draws_an_svg_in_its_figure(browse):
    page = browse.open("/units/695/")
    assert page.locator("figure.chart").count() > 0, "no figure.chart on the unit profile"

    expect(page.locator(CHART_SVG).first).to_be_visible()
    browse.screenshot("chart-drawn")
