"""Chart labels are text: a unit or band named with markup is drawn as its name,
never as a link or bold (plotly.js reads a subset of HTML in every text)."""

import pytest
from playwright.sync_api import expect

from scoring import services
from scoring.models import Framework, Result

pytestmark = pytest.mark.browser

RANKING_SLUG = "cchc-2022-70-district"
LINK = '<a href="https://evil.example/">Đồng Phú</a>'
AMPERSAND = "Sở <KH&CN>"
CHART = "figure.chart .js-plotly-plot"


def names_with_markup() -> list[str]:
    """Name two units of the ranking LINK and AMPERSAND (units shown under their
    own name), and wrap every band label of the ranking in <b>; the band labels."""
    framework = Framework.objects.select_related("band_scheme").get(slug=RANKING_SLUG)
    results = Result.objects.filter(framework=framework, unit_name="", rank__isnull=False).select_related("unit")
    for result, name in zip(results.order_by("rank")[:2], (LINK, AMPERSAND), strict=True):
        result.unit.name = name
        result.unit.save()
    # The published ranking keeps its scheme (the service refuses new bands): its labels are renamed.
    for band in framework.band_scheme.bands.all():
        band.label = f"<b>{band.label}</b>"
        band.save()
    services.framework_results_recompute(framework=framework)
    return list(framework.band_scheme.bands.values_list("label", flat=True))


def test_chart_labels_read_as_the_names_with_no_link_or_bold(browse):
    labels = names_with_markup()
    page = browse.page
    browse.open(f"/rankings/{RANKING_SLUG}/")
    expect(page.locator(f"{CHART} svg").first).to_be_visible()

    chart = page.locator(CHART)
    assert chart.evaluate("plot => plot.getElementsByTagNameNS('http://www.w3.org/2000/svg', 'a').length") == 0
    assert chart.evaluate("plot => plot.querySelectorAll('a, [style*=bold]').length") == 0
    ticks = chart.locator(".ytick text").all_text_contents()
    assert LINK in ticks and AMPERSAND in ticks
    legend = chart.locator(".legendtext").all_text_contents()
    assert legend and set(legend) <= set(labels), legend

    # The first dot is the first row's, LINK's: its hover label names the unit and its band.
    chart.locator(".points .point").first.hover(force=True)  # plotly's drag layer lies over the dots
    hover = chart.locator(".hoverlayer .hovertext").first
    expect(hover).to_contain_text(LINK)
    assert any(label in hover.text_content() for label in labels), hover.text_content()
    assert chart.evaluate("plot => plot.getElementsByTagNameNS('http://www.w3.org/2000/svg', 'a').length") == 0
    browse.screenshot("labels-as-text")
