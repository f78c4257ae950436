"""The staff workspace's unit grid, as a province editor uses it: the live total,
applicable maximum and index while typing (with a decimal comma), the checks that
stop a save, KAD, and an edit conflict between two sessions.

The grid is the demo's draft 2018 round (``demo_staff``), where Thành phố Thái
Nguyên has its 2017 scores except on the largest leaf, which the tests type. The
expected figures are worked out here from those scores (DESIGN §3), not read from
the portal."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import Page, expect

from scoring import engine, services
from scoring.models import Criterion, Framework, Result, Score
from staff.demo import DEMO_SOURCE, demo_staff_load
from staff.grids import parse_cell
from tests.browser.conftest import VIEWPORT, Browse

pytestmark = pytest.mark.browser

UNIT = "164"  # Thành phố Thái Nguyên
EDITOR = "tinh"  # the demo's province editor of Thái Nguyên


def vi(amount: Decimal) -> str:
    """A figure as the Vietnamese pages write it: 13,96."""
    return f"{amount:.2f}".replace(".", ",")


def index_of(total: Decimal, applicable: Decimal) -> Decimal:
    """DESIGN §3 rule 4: total / applicable maximum × 100, half up to 2 places, in 0..100."""
    index = (total * 100 / applicable).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return min(max(index, Decimal(0)), Decimal(100))


class Grid:
    """The draft's grid of UNIT: its leaves, their stored points, the leaf the tests type."""

    def __init__(self):
        _sign_ins, draft = demo_staff_load()
        assert draft is not None, "the demo's draft round existed before the test"
        self.framework = draft
        self.unit = draft.participants.get(code=UNIT)
        self.leaves = {c.code: c for c in Criterion.objects.filter(framework=draft, is_leaf=True)}
        normal = [c for c in self.leaves.values() if c.kind == Criterion.Kind.NORMAL]
        # The largest leaf, and a value with decimals it allows: 13,96 if it can.
        self.typed_leaf = max(normal, key=lambda c: (c.max_points, c.code))
        self.typed = min(Decimal("13.96"), self.typed_leaf.max_points - Decimal("0.04"))
        source = Framework.objects.get(slug=DEMO_SOURCE)
        self.points = {
            code: points
            for code, points in Score.objects.filter(
                criterion__framework=source, unit__code=UNIT, not_applicable=False, points__isnull=False
            ).values_list("criterion__code", "points")
            if code in self.leaves and code != self.typed_leaf.code
        }
        services.scores_set(
            framework=draft,
            entries=[services.ScoreEntry(UNIT, code, points) for code, points in self.points.items()],
        )

    @property
    def path(self) -> str:
        return f"/staff/frameworks/{self.framework.slug}/units/{UNIT}/"

    def cell(self, page: Page, code: str):
        return page.locator(f"input.cell[name='c-{self.unit.pk}-{self.leaves[code].pk}']")

    def total(self, points: dict[str, Decimal]) -> Decimal:
        """Normal and bonus points added, penalties taken away (DESIGN §3 rule 3)."""
        sign = {Criterion.Kind.PENALTY: -1}
        return sum((sign.get(self.leaves[code].kind, 1) * p for code, p in points.items()), Decimal(0))

    def applicable(self, not_applicable: set[str] = frozenset()) -> Decimal:
        """The maxima of the normal leaves not marked KAD (DESIGN §3 rule 2)."""
        return sum(
            (
                c.max_points
                for c in self.leaves.values()
                if c.kind == Criterion.Kind.NORMAL and c.code not in not_applicable
            ),
            Decimal(0),
        )


@pytest.fixture
def grid(portal) -> Grid:
    return Grid()


def sign_in(browse: Browse, path: str, username: str = EDITOR) -> Page:
    """Sign in at /staff/login/ and land on ``path``."""
    page = browse.open(f"/staff/login/?next={path}")
    page.fill("#id_username", username)
    page.fill("#id_password", f"demo-{username}")
    return browse.follow(page.locator("main form.stacked button[type=submit]"), f"**{path}")


def in_vietnamese(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def test_a_decimal_comma_moves_the_live_index_and_the_saved_one_matches(browse, grid):
    page = browse.open("/staff/login/")
    page.fill("#id_username", EDITOR)
    page.fill("#id_password", f"demo-{EDITOR}")
    page = browse.follow(page.locator("main form.stacked button[type=submit]"), "**/staff/")
    page = browse.follow(
        page.get_by_role("link", name=grid.framework.name), f"**/staff/frameworks/{grid.framework.slug}/"
    )
    page = browse.follow(page.get_by_role("link", name=grid.unit.name, exact=True), f"**{grid.path}")
    code = grid.typed_leaf.code
    stored = grid.total(grid.points)
    applicable = grid.applicable()
    expect(page.locator("#applicable")).to_have_text(vi(applicable))
    expect(page.locator("#total")).to_have_text(vi(stored))
    expect(page.locator("#index")).to_have_text(vi(index_of(stored, applicable)))

    typed = vi(grid.typed)
    assert "," in typed
    grid.cell(page, code).fill(typed)

    total = stored + grid.typed
    index = index_of(total, applicable)
    field = code.split(".")[0]
    field_points = sum((p for c, p in grid.points.items() if c.startswith(field + ".")), grid.typed)
    expect(page.locator("#total")).to_have_text(vi(total))
    expect(page.locator("#applicable")).to_have_text(vi(applicable))
    expect(page.locator("#index")).to_have_text(vi(index))
    expect(page.locator(f"output.subtotal[data-code='{field}']")).to_have_text(vi(field_points))
    expect(grid.cell(page, code)).not_to_have_attribute("aria-invalid", "true")
    browse.screenshot("typed")

    with page.expect_navigation():
        page.locator("form.grid button[type=submit]").click()
    with translation.override("vi"):
        saved = ngettext("Saved: %(count)d cell changed.", "Saved: %(count)d cells changed.", 1) % {"count": 1}
    expect(page.locator(".messages li.success")).to_have_text(saved)
    expect(grid.cell(page, code)).to_have_value(typed)
    expect(page.locator("#index")).to_have_text(vi(index))
    browse.screenshot("saved")
    assert Result.objects.get(framework=grid.framework, unit=grid.unit).index == index

    # The framework's page shows the stored index, rendered by the server alone.
    page = browse.follow(page.locator(".crumbs a").last, f"**/staff/frameworks/{grid.framework.slug}/")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=grid.unit.name, exact=True))
    expect(row.locator("td.num.index")).to_have_text(vi(index))


def test_a_bad_cell_is_marked_and_stops_the_save(browse, grid):
    page = sign_in(browse, grid.path)
    code = grid.typed_leaf.code
    cell = grid.cell(page, code)
    message = page.locator(f"#c-{grid.unit.pk}-{grid.leaves[code].pk}-msg")
    before = page.locator("#index").text_content()

    cell.fill("99,999")
    expect(cell).to_have_attribute("aria-invalid", "true")
    expect(message).to_have_text(in_vietnamese("More than 2 decimal places."))
    expect(message).to_be_visible()
    expect(page.locator("#index")).to_have_text(before)  # a bad cell counts for nothing
    browse.screenshot("too-many-places")

    cell.fill("99")
    with translation.override("vi"):
        above = gettext("Above the maximum %s.") % vi(grid.typed_leaf.max_points)
    expect(message).to_have_text(above)

    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    # On the window, after the form's own listener, what it made of the submit; stopped
    # here in any case, so that a grid sent fails below rather than on another page.
    page.evaluate(
        """() => window.addEventListener("submit", (event) => {
            window.submitted = event.defaultPrevented ? "stopped" : "sent";
            event.preventDefault();
        })"""
    )
    page.locator("form.grid button[type=submit]").click()
    submitted = page.wait_for_function("window.submitted").json_value()
    assert submitted == "stopped", "the grid let a bad cell be submitted"
    assert posts == [], "the grid was sent with a bad cell"
    expect(cell).to_be_focused()
    browse.screenshot("save-stopped")
    assert not Score.objects.filter(criterion=grid.leaves[code], unit=grid.unit).exists()


def test_kad_takes_the_criterion_out_of_the_applicable_maximum(browse, grid):
    page = sign_in(browse, grid.path)
    code = min((c for c in grid.points if grid.leaves[c].kind == Criterion.Kind.NORMAL), key=lambda c: c)
    applicable = grid.applicable()
    expect(page.locator("#applicable")).to_have_text(vi(applicable))

    grid.cell(page, code).fill("KAD")

    reduced = grid.applicable({code})
    assert reduced == applicable - grid.leaves[code].max_points
    others = {c: p for c, p in grid.points.items() if c != code}
    expect(page.locator("#applicable")).to_have_text(vi(reduced))
    expect(page.locator("#total")).to_have_text(vi(grid.total(others)))
    expect(page.locator("#index")).to_have_text(vi(index_of(grid.total(others), reduced)))
    browse.screenshot("kad")

    with page.expect_navigation():
        page.locator("form.grid button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    expect(grid.cell(page, code)).to_have_value("KAD")
    expect(page.locator("#applicable")).to_have_text(vi(reduced))
    assert Score.objects.get(criterion=grid.leaves[code], unit=grid.unit).not_applicable
    result = Result.objects.get(framework=grid.framework, unit=grid.unit)
    assert result.applicable_max == reduced


def test_the_second_of_two_saves_of_one_cell_is_refused_with_the_cell_listed(browse, grid, new_context, portal):
    code = grid.typed_leaf.code
    first = sign_in(browse, grid.path)
    context = new_context(base_url=portal, viewport=VIEWPORT)
    try:
        other = Browse(context.new_page(), browse.test_name + "-second")
        second = sign_in(other, grid.path)

        grid.cell(first, code).fill(vi(grid.typed))
        with first.expect_navigation():
            first.locator("form.grid button[type=submit]").click()
        expect(first.locator(".messages li.success")).to_be_visible()

        grid.cell(second, code).fill("1,5")
        with second.expect_navigation() as navigation:
            second.locator("form.grid button[type=submit]").click()
        assert navigation.value.status == 409
        other.screenshot("conflict")
        alert = second.locator(".form-errors[role=alert]")
        expect(alert.locator("h2")).to_have_text(
            in_vietnamese("Nothing was saved: someone else changed these cells since you opened the page.")
        )
        expect(alert.locator("li")).to_have_count(1)
        expect(alert.locator("li a")).to_have_text(re.compile(rf"^{UNIT} · {re.escape(code)}$"))
        expect(alert.locator("li")).to_contain_text(vi(grid.typed))
        cell = grid.cell(second, code)
        expect(cell).to_have_value("1,5")  # what they typed is kept
        expect(cell).to_have_attribute("aria-invalid", "true")
    finally:
        context.close()
    score = Score.objects.get(criterion=grid.leaves[code], unit=grid.unit)
    assert score.points == grid.typed


# What people type, and what they mistype: the browser must refuse exactly what the
# server refuses, or a good value could not be sent and a bad one be sent for nothing.
TYPED = [
    "1,5",
    "1.50",
    "1,500",  # 1.5: zeros past the second place are no extra precision
    "1.000",
    "+1",
    "-0",
    "1.",
    ",5",
    " 1,25\u00a0",
    "1 0",  # not 10
    "1'0",
    "12 34",
    "1 234,5",
    "-1",
    "99,999",
    "1,2,3",
    "1e3",
    "mười",
    "٣",
    "KAD",
    "k.a.d.",
    "N/A",
    "Không áp dụng",
    "KHONG AP DUNG",
    "",
]


def test_the_browser_refuses_a_cell_exactly_when_the_server_does(browse, grid):
    page = sign_in(browse, grid.path)
    leaf = grid.typed_leaf
    cell = grid.cell(page, leaf.code)
    for typed in TYPED:
        try:
            value = parse_cell(typed)
            refused = value not in (None, engine.NOT_APPLICABLE) and bool(services.score_problems(leaf, value))
        except ValueError:
            refused = True
        cell.fill(typed)
        if refused:
            expect(cell, typed).to_have_attribute("aria-invalid", "true")
        else:
            expect(cell, typed).not_to_have_attribute("aria-invalid", "true")


def test_a_block_pasted_from_a_spreadsheet_fills_the_cells_and_the_arrow_keys_move(browse, grid):
    """A 3 × 4 block copied from a spreadsheet (tab-separated, decimal commas) fills
    twelve cells from the focused one, row by row; the live index follows; Enter and
    the arrow keys move between cells."""
    page = sign_in(browse, grid.path)
    order = list(Criterion.objects.filter(framework=grid.framework, is_leaf=True).order_by("order", "code"))
    pasted = {leaf.code: (leaf.max_points * Decimal("0.75")).quantize(Decimal("0.01")) for leaf in order[:12]}
    rows = [list(pasted.values())[start : start + 4] for start in range(0, 12, 4)]
    block = "\r\n".join("\t".join(vi(value) for value in row) for row in rows) + "\r\n"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", block)
    first = grid.cell(page, order[0].code)
    first.focus()
    page.keyboard.press("Control+V")

    for leaf in order[:12]:
        expect(grid.cell(page, leaf.code)).to_have_value(vi(pasted[leaf.code]))
    expect(grid.cell(page, order[12].code)).to_have_value(vi(grid.points[order[12].code]))  # beyond the block
    points = {**grid.points, **pasted}
    expect(page.locator("#index")).to_have_text(vi(index_of(grid.total(points), grid.applicable())))
    expect(grid.cell(page, order[11].code)).to_be_focused()  # the block's last cell
    browse.screenshot("pasted")

    page.keyboard.press("ArrowDown")
    expect(grid.cell(page, order[12].code)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(grid.cell(page, order[10].code)).to_be_focused()
    page.keyboard.press("Enter")  # moves, and sends nothing
    expect(grid.cell(page, order[11].code)).to_be_focused()
    assert not Score.objects.filter(unit=grid.unit, criterion__in=order[:12], points__in=pasted.values()).exists()


def test_one_tab_per_cell_in_a_criterions_grid(browse, grid):
    code = grid.typed_leaf.code
    path = reverse("staff:criterion_grid", args=[grid.framework.slug, code])
    page = sign_in(browse, path)
    cells = page.locator("input.cell")
    assert cells.count() > 2
    cells.nth(0).focus()
    page.keyboard.press("Tab")
    expect(cells.nth(1)).to_be_focused()
    page.keyboard.press("Tab")
    expect(cells.nth(2)).to_be_focused()
