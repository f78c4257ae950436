"""Every public page at 390 px (a phone) and 1280 px, in Vietnamese and English:
no page scrolls sideways (a wide table scrolls inside its own box, and nothing
in it, not even the screen-reader text of a rank change, escapes that box); each
ranking draws its chart with a legend, and links to its methodology. The staff
grids at 390 px: no sideways scroll, and the sticky result, with its Save
button, covers at most a fifth of the screen."""

from datetime import date

import pytest
from playwright.sync_api import expect

from dossiers.models import DossierStatistics
from scoring.models import Framework, Result
from staff.demo import demo_staff_load
from tests.browser.test_staff_grid import EDITOR, UNIT, sign_in
from units.models import Unit

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def public_paths() -> list[str]:
    """Home, every published ranking, its method and the page of its first unit, a
    comparison, a search, and the dossier statistics: the provinces, Đồng Tháp's
    table (Thanh Bình's seed figures beside a sample neighbour), Thanh Bình's page."""
    for code, received, on_time in (("874", 113_468, 70_395), ("873", 90_000, 89_000)):
        DossierStatistics.objects.create(
            unit=Unit.objects.get(code=code), period="2020", kind="year", starts_on=date(2020, 1, 1),
            ends_on=date(2020, 12, 31), received=received, resolved_on_time=on_time, resolved_late=0,
            online_partial=266, is_sample=code != "874",
        )  # fmt: skip
    frameworks = Framework.objects.published().order_by("slug")
    paths = ["/", "/units/?q=thai+nguyen", "/statistics/", "/statistics/87/", "/units/874/"]
    units = []
    for framework in frameworks:
        paths += [f"/rankings/{framework.slug}/", f"/rankings/{framework.slug}/method/"]
        first = Result.objects.filter(framework=framework).order_by("rank", "unit__code").select_related("unit")[0]
        if first.unit.code not in units:
            units.append(first.unit.code)
    paths += [f"/units/{code}/" for code in units]
    paths.append(f"/compare/?units={','.join(units[:3])}")
    return paths


def overflow(page) -> int:
    """How far the page reaches past the screen's right edge, in CSS pixels."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_public_page_fits_the_screen_and_each_ranking_draws_its_chart(browse, prefix, width):
    browse.page.set_viewport_size({"width": width, "height": 844})
    paths = public_paths()
    assert len(paths) >= 8
    wide = {}
    for path in paths:
        page = browse.open(prefix + path)
        if reach := overflow(page):
            wide[prefix + path] = reach
        if path.startswith("/rankings/") and not path.endswith("/method/"):
            chart = page.locator("#ranking-chart, figure.chart").first
            expect(chart.locator("svg .points .point").first).to_be_attached()
            expect(chart.locator(".legendtext").first).to_be_visible()
            assert page.locator(f"a[href$='{path}method/']").count() >= 1, path
    assert wide == {}


def test_no_staff_grid_scrolls_sideways_and_the_sticky_result_stays_small(browse):
    _sign_ins, draft = demo_staff_load()
    published = Framework.objects.get(slug="cchc-2017-19-district")
    browse.page.set_viewport_size(PHONE)
    page = sign_in(browse, f"/staff/frameworks/{draft.slug}/units/{UNIT}/", EDITOR)
    for path in (
        f"/staff/frameworks/{draft.slug}/units/{UNIT}/",  # a draft: blank cells counted
        f"/staff/frameworks/{published.slug}/units/{UNIT}/",  # a correction: the reason asked
        f"/staff/frameworks/{draft.slug}/",
        f"/staff/frameworks/{published.slug}/english/",  # a box beside each name
        "/staff/",
    ):
        page = browse.open(path)
        assert overflow(page) == 0, path
        footer = page.locator(".grid-footer")
        if footer.count():
            assert footer.bounding_box()["height"] <= PHONE["height"] / 5, path
            assert page.locator(".grid-footer button[type=submit]").is_visible()
