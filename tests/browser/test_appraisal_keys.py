"""The appraisal page with the keyboard, as the demo's province editor appraises
Thành phố Thái Nguyên's self-assessment in the draft 2018 round: "=" accepts the
self score and moves on, a typed adjustment with its comment is saved."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services
from assessments.models import CellAssessment
from staff.demo import demo_staff_load
from tests.browser.test_staff_grid import EDITOR, UNIT, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def submitted(portal):
    """The draft round open, UNIT's every leaf self-assessed at half its maximum and submitted, in appraisal."""
    _sign_ins, draft = demo_staff_load()
    now = timezone.now()
    deadlines = services.Deadlines(*(now + timedelta(days=days) for days in (1, 2, 3, 4)))
    round_ = services.round_open(framework=draft, deadlines=deadlines)
    unit = round_.units.get(unit__code=UNIT)
    leaves = list(draft.criteria.filter(is_leaf=True).order_by("order", "code"))
    entries = [
        services.SelfEntry(leaf.code, (leaf.max_points / 2).quantize(Decimal("0.01")), explanation="Báo cáo")
        for leaf in leaves
    ]
    services.self_scores_set(unit=unit, entries=entries)
    services.unit_submit(unit=unit)
    services.round_phase_close(round=round_)
    return draft, leaves


def test_equals_accepts_the_self_score_and_moves_on_and_an_adjustment_is_saved(browse, submitted):
    draft, leaves = submitted
    path = reverse("staff:appraisal", args=[draft.slug, UNIT])
    page = sign_in(browse, path, EDITOR)
    boxes = page.locator("input.appraised")
    expect(boxes).to_have_count(len(leaves))
    first, second = boxes.nth(0), boxes.nth(1)
    first.focus()
    page.keyboard.press("=")
    expect(first).to_have_value(first.get_attribute("data-self"))
    expect(second).to_be_focused()
    page.keyboard.type("0")
    page.locator(f"textarea[name='c-{leaves[1].pk}']").fill("Không có minh chứng")
    browse.follow(page.locator("button[name=save]"), f"**{path}")
    cells = {cell.criterion.code: cell for cell in CellAssessment.objects.select_related("criterion")}
    assert cells[leaves[0].code].appraised_points == (leaves[0].max_points / 2).quantize(Decimal("0.01"))
    assert cells[leaves[1].code].appraised_points == 0
    assert cells[leaves[1].code].appraisal_comment == "Không có minh chứng"
    browse.screenshot("appraisal")
