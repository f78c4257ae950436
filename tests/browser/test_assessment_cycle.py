"""The whole assessment cycle in a browser, on the demo's draft 2018 round: the
unit's own person self-assesses every criterion (one with a PDF), the province's
editor closes the phase and appraises ("=" accepts, one criterion adjusted with a
comment), the unit explains, the editor fixes the final scores, the round is
published; the public ranking shows the index worked out here by hand."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services
from assessments.models import Evidence
from scoring import services as scoring
from scoring.models import Criterion, Result
from staff.demo import demo_staff_load
from staff.models import StaffRole
from tests.browser.test_staff_grid import EDITOR, UNIT, sign_in, vi

pytestmark = pytest.mark.browser
RESPONDENT = "donvi"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def self_score(leaf: Criterion) -> Decimal:
    """What the unit types: three quarters of the maximum, to the cent."""
    return (leaf.max_points * 3 / 4).quantize(Decimal("0.01"))


def submit(page, button):
    """Click a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        button.click()


@pytest.fixture
def cycle(portal):
    _sign_ins, draft = demo_staff_load()
    unit = draft.participants.get(code=UNIT)
    user = get_user_model().objects.create_user(RESPONDENT, password=f"demo-{RESPONDENT}")
    StaffRole.objects.create(user=user, role=StaffRole.Role.UNIT_RESPONDENT, unit=unit)
    now = timezone.now()
    services.round_open(framework=draft, deadlines=services.Deadlines(*(now + timedelta(days=d) for d in (1, 2, 3, 4))))
    leaves = list(Criterion.objects.filter(framework=draft, is_leaf=True).order_by("order", "code"))
    return draft, leaves


def test_self_assess_appraise_explain_finalise_publish(browse, cycle, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    draft, leaves = cycle
    own = reverse("staff:self_assessment", args=[draft.slug, UNIT])
    page = sign_in(browse, own, RESPONDENT)
    for leaf in leaves:
        page.fill(f"input[name='p-{leaf.pk}']", vi(self_score(leaf)))
        page.fill(f"textarea[name='e-{leaf.pk}']", f"Báo cáo tiêu chí {leaf.code}")
    submit(page, page.locator("button[name=save]"))
    first = leaves[0]
    page.set_input_files(
        f"input[form='attach-{first.pk}']",
        files=[{"name": "quyet-dinh.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    submit(page, page.locator(f"button[form='attach-{first.pk}']"))
    expect(page.get_by_role("link", name="quyet-dinh.pdf")).to_be_visible()
    submit(page, page.locator("button[name=submit]"))
    expect(page.locator("input.cell")).to_have_count(0)  # read-only once submitted
    assert Evidence.objects.get().name == "quyet-dinh.pdf"

    round_page = reverse("staff:round", args=[draft.slug])
    page = sign_in(browse, round_page, EDITOR)
    submit(page, page.locator("form:has(input[value=close]) button"))  # appraisal
    appraise = reverse("staff:appraisal", args=[draft.slug, UNIT])
    page.goto(appraise)
    boxes = page.locator("input.appraised")
    boxes.nth(0).focus()
    for _leaf in leaves:
        page.keyboard.press("=")  # accept each as it is, the cursor moving on
    adjusted = leaves[1]
    lowered = self_score(adjusted) - Decimal("1.5")
    page.fill(f"input[name='a-{adjusted.pk}']", vi(lowered))
    page.fill(f"textarea[name='c-{adjusted.pk}']", "Thiếu báo cáo quý IV")
    submit(page, page.locator("button[name=return]"))

    page = sign_in(browse, own, RESPONDENT)
    page.fill(f"textarea[name='x-{adjusted.pk}']", "Báo cáo quý IV gửi ngày 28/12")
    submit(page, page.locator("button[name=finish]"))

    page = sign_in(browse, round_page, EDITOR)
    submit(page, page.locator("form:has(input[value=close]) button"))  # explanation
    submit(page, page.locator("form:has(input[value=close]) button"))  # finalisation
    page.goto(appraise)
    expect(page.get_by_text("Báo cáo quý IV gửi ngày 28/12")).to_be_visible()
    submit(page, page.locator("button[name=finalise]"))

    # By hand (DESIGN §3): every leaf's three quarters, one of them 1,50 lower; a bonus leaf adds its
    # points without adding to the applicable maximum, the normal leaves' maxima; at most 100.
    kinds = {leaf.kind for leaf in leaves}
    assert kinds <= {Criterion.Kind.NORMAL, Criterion.Kind.BONUS}  # the demo's tree: no penalty leaf
    total = sum((self_score(leaf) for leaf in leaves), Decimal(0)) - Decimal("1.5")
    applicable = sum((leaf.max_points for leaf in leaves if leaf.kind == Criterion.Kind.NORMAL), Decimal(0))
    index = min(Decimal(100), (total * 100 / applicable).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    assert Result.objects.get(framework=draft, unit__code=UNIT).index == index

    scoring.framework_submit(framework=draft)
    scoring.framework_publish(framework=draft, decision_number="99/QĐ-UBND", decision_date=timezone.localdate())
    public = browse.open(reverse("public:ranking", args=[draft.slug]))
    expect(public.locator("table").first).to_contain_text(vi(index))
