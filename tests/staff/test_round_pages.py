"""The round's page for the province's editor: open the round with a deadline
per phase, follow every unit on its dashboard (constant queries), close phases,
reopen one unit's work with a reason."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import AssessmentEvent, AssessmentRound, UnitAssessment
from assessments.selectors import ranking_preview, round_overview
from tests.factories import UnitFactory, make_framework

pytestmark = pytest.mark.django_db


def day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).strftime("%d/%m/%Y")


def deadlines(**overrides):
    days = {"self_assessment": day(7), "appraisal": day(14), "explanation": day(21), "finalisation": day(28)}
    return days | overrides


def test_the_editor_opens_the_round_follows_the_units_and_reopens_one(client, world):
    url = reverse("staff:round", args=[world.framework.slug])
    client.force_login(world.users["province_editor"])
    assert "Mở đợt đánh giá" in client.get(url).content.decode()
    wrong = client.post(url, {"step": "open", **deadlines(appraisal=day(3))})
    assert wrong.status_code == 400 and not AssessmentRound.objects.exists()
    assert client.post(url, {"step": "open", **deadlines()}).status_code == 302
    round_ = AssessmentRound.objects.get()
    assert timezone.localtime(round_.self_deadline).strftime("%d/%m/%Y %H:%M") == f"{day(7)} 23:59"
    unit = round_.units.get(unit=world.ours)
    services.self_scores_set(unit=unit, entries=[services.SelfEntry("1.1", D("18"), explanation="x")])
    page = client.get(url).content.decode()
    assert "1/3" in page and world.ours.name in page and world.theirs.name in page

    reopen = {"step": "reopen", "unit": unit.pk, "until": day(9), "reason": "Mất điện"}
    assert client.post(url, reopen).status_code == 302
    unit.refresh_from_db()
    assert unit.reopen_reason == "Mất điện" and AssessmentEvent.objects.filter(kind="reopened").exists()
    assert client.post(url, {"step": "close"}).status_code == 302
    round_.refresh_from_db()
    unit.refresh_from_db()
    assert round_.phase == "appraisal" and unit.reopened_until is None  # a phase's close ends the reopenings


@pytest.mark.parametrize("user", ["reviewer", "district_editor", "unit_respondent"])
def test_only_those_who_edit_the_framework_run_its_round(client, world, user):
    client.force_login(world.users[user])
    response = client.post(reverse("staff:round", args=[world.framework.slug]), {"step": "open", **deadlines()})
    assert response.status_code in (403, 404) and not AssessmentRound.objects.exists()


def overview_queries(count: int) -> int:
    units = UnitFactory.create_batch(count)
    framework = make_framework(units=units, scope=str(count), rows=(("1", "100"), ("1.1", "60"), ("1.2", "40")))
    now = timezone.now()
    round_ = services.round_open(
        framework=framework, deadlines=services.Deadlines(*(now + timedelta(days=n) for n in (1, 2, 3, 4)))
    )
    for unit in UnitAssessment.objects.filter(round=round_)[:2]:
        services.self_scores_set(unit=unit, entries=[services.SelfEntry("1.1", D("30"), explanation="x")])
    round_ = AssessmentRound.objects.select_related("framework").get(pk=round_.pk)
    with CaptureQueriesContext(connection) as queries:
        overview = round_overview(round_)
    assert len(overview) == count and sum(item.self_scored for item in overview) == 2
    return len(queries)


def test_the_dashboard_costs_the_same_queries_for_3_and_170_units():
    assert overview_queries(3) == overview_queries(170) == 4


def test_the_ranking_preview_ranks_self_scores_as_the_engine_ranks_final_ones(client, world):
    now = timezone.now()
    round_ = services.round_open(
        framework=world.framework, deadlines=services.Deadlines(*(now + timedelta(days=n) for n in (1, 2, 3, 4)))
    )
    for unit, points in ((world.ours, ("18", "40", "30")), (world.theirs, ("20", "40", "40"))):
        entries = [
            services.SelfEntry(code, D(value), explanation="x")
            for code, value in zip(("1.1", "1.2", "2"), points, strict=True)
        ]
        services.self_scores_set(unit=round_.units.get(unit=unit), entries=entries)
    preview = round_overview_preview(round_)
    # Self: Lộc Hòa 20 + 40 + 40 = 100 (1st), Tân Tiến 18 + 40 + 30 = 88 (2nd); stored: 30 each, tied 1st.
    assert preview == [(world.theirs.name, D("100"), 1, D("30"), 1), (world.ours.name, D("88"), 2, D("30"), 1)]
    client.force_login(world.users["province_editor"])
    page = client.get(reverse("staff:round", args=[world.framework.slug])).content.decode()
    assert "100,00" in page and "88,00" in page


def round_overview_preview(round_):
    round_ = AssessmentRound.objects.select_related("framework").get(pk=round_.pk)
    return [(row.unit_name, row.self_index, row.self_rank, row.index, row.rank) for row in ranking_preview(round_)]
