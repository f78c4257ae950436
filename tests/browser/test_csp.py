"""The Content-Security-Policy as Chromium enforces it: no page of the portal, public,
staff or admin, breaks a rule (no inline script or style, nothing loaded from elsewhere),
and the charts still draw. The site's copy of plotly.js's stylesheet
(static/css/plotly.css) holds exactly the rules the pinned plotly.js would add."""

from pathlib import Path

import plotly
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse
from playwright.sync_api import Page, expect

from scoring.models import Criterion, Framework
from staff.demo import demo_staff_load

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_CSS = ROOT / "static" / "css" / "plotly.css"
# Every violation the page reports, whether or not it also logs it.
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.cspViolations.push(
  `${event.effectiveDirective} refused ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`));
"""
CHART_SVG = "figure.chart .js-plotly-plot svg.main-svg"


def violations(page: Page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
    page.wait_for_load_state("load")
    return [f"{path}: {violation}" for violation in page.evaluate("window.cspViolations")]


def test_public_pages_and_their_charts_keep_the_policy(browse, page):
    page.add_init_script(WATCH_VIOLATIONS)
    framework = Framework.objects.filter(publication__isnull=False).order_by("-year").first()
    paths = ["/", "/en/", "/units/?q=dong", "/units/695/", "/compare/?units=695,696", framework.get_absolute_url()]
    found = []
    for path in paths:
        found += violations(page, path)
        if page.locator("figure.chart").count():
            expect(page.locator(CHART_SVG).first).to_be_visible()
            found += [f"{path}: {violation}" for violation in page.evaluate("window.cspViolations")]
        browse.screenshot()
    assert found == []


def test_staff_and_admin_pages_keep_the_policy(new_context, portal):
    _sign_ins, draft = demo_staff_load()
    administrator = get_user_model().objects.get(username="quantri")
    client = Client()
    client.force_login(administrator)
    unit = draft.participants.order_by("code").first()
    criterion = Criterion.objects.filter(framework=draft, is_leaf=True).order_by("code").first()
    paths = [
        reverse("staff:dashboard"),
        reverse("staff:framework", args=[draft.slug]),
        reverse("staff:framework_edit", args=[draft.slug]),
        reverse("staff:framework_new"),
        reverse("staff:unit_grid", args=[draft.slug, unit.code]),
        reverse("staff:criterion_grid", args=[draft.slug, criterion.code]),
        reverse("staff:framework_history", args=[draft.slug]),
        reverse("staff:unit_history", args=[unit.code]),
        reverse("admin:index"),
        reverse("admin:scoring_framework_change", args=[draft.pk]),
    ]
    paths += admin_pages(administrator)

    context = new_context(base_url=portal)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": portal}])
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    found = []
    for path in paths:
        found += violations(page, path)
    assert len(paths) > 20
    assert found == [], "\n".join(found)
    assert console == []


def admin_pages(user) -> list[str]:
    """Every admin model's list, its add form where the user may add, and its import page
    (django-import-export) where it has one."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = []
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{name}_add"))
        if hasattr(model_admin, "import_action"):
            pages.append(reverse(f"{name}_import"))
    return pages


def test_the_sites_plotly_css_is_what_plotly_js_would_add(new_context):
    """plotly.js, on a page without a policy, adds its rules to a <style id="plotly.js-style-global">;
    the site's file, parsed by the same browser, must give the same rules in the same order."""
    page = new_context().new_page()
    page.set_content('<div id="chart"></div>')
    page.add_script_tag(path=str(PLOTLY_JS))
    page.evaluate("Plotly.newPlot('chart', [{type: 'bar', x: [1, 2], y: ['a', 'b']}], {width: 400, height: 300})")
    added = page.evaluate(
        "[...document.getElementById('plotly.js-style-global').sheet.cssRules].map((rule) => rule.cssText)"
    )
    page.set_content("<p>plotly.css</p>")
    page.add_style_tag(content=PLOTLY_CSS.read_text())
    ours = page.evaluate("[...document.styleSheets[0].cssRules].map((rule) => rule.cssText)")
    assert len(added) > 50
    assert ours == added, "static/css/plotly.css differs from plotly.js's rules; they are:\n" + "\n".join(added)
