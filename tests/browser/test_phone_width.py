"""Phones: at 390 px no public page and no staff grid scrolls sideways (a wide
table scrolls inside its own box, and nothing in it, not even the screen-reader
text of a rank change, escapes that box); the staff grid's sticky result, with
its Save button, covers at most a fifth of the screen."""

import pytest

from scoring.models import Framework, Result
from staff.demo import demo_staff_load
from tests.browser.test_staff_grid import EDITOR, UNIT, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def public_paths() -> list[str]:
    """Home, every published ranking and the page of its first unit, a comparison, a search."""
    frameworks = Framework.objects.published().order_by("slug")
    paths = ["/", "/units/?q=thai+nguyen"]
    units = []
    for framework in frameworks:
        paths.append(f"/rankings/{framework.slug}/")
        first = Result.objects.filter(framework=framework).order_by("rank", "unit__code").select_related("unit")[0]
        if first.unit.code not in units:
            units.append(first.unit.code)
    paths += [f"/units/{code}/" for code in units]
    paths.append(f"/compare/?units={','.join(units[:3])}")
    return paths


def overflow(page) -> int:
    """How far the page reaches past the screen's right edge, in CSS pixels."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_no_public_page_scrolls_sideways_on_a_phone(browse, prefix):
    browse.page.set_viewport_size(PHONE)
    paths = public_paths()
    assert len(paths) >= 8
    wide = {}
    for path in paths:
        page = browse.open(prefix + path)
        if reach := overflow(page):
            wide[prefix + path] = reach
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
        "/staff/",
    ):
        page = browse.open(path)
        assert overflow(page) == 0, path
        footer = page.locator(".grid-footer")
        if footer.count():
            assert footer.bounding_box()["height"] <= PHONE["height"] / 5, path
            assert page.locator(".grid-footer button[type=submit]").is_visible()
