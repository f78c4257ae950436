"""Appraisal, explanation and finalisation (DESIGN §9): the appraiser accepts or
adjusts each self score (a comment for an adjustment), returns the unit's
appraisal, the unit explains, the appraiser fixes the final scores, which are the
framework's scores with the self score beside each, ranked as any score."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments import appraisal, services
from assessments.models import AssessmentEvent, UnitAssessment
from scoring import engine
from scoring.models import Result, Revision, Score, ScoreChange
from scoring.services import ScoringInputError
from tests.factories import UnitFactory, make_framework

pytestmark = pytest.mark.django_db

# 1 (60) = 1.1 (20) + 1.2 (40); 2 (40) = 2.1 (40)
ROWS = (("1", "60"), ("1.1", "20"), ("1.2", "40"), ("2", "40"), ("2.1", "40"))
DAY = timedelta(days=1)
Entry = appraisal.AppraisalEntry


@pytest.fixture
def appraiser():
    return get_user_model().objects.create_user("thamdinh")


@pytest.fixture
def submitted():
    """A round with one unit that self-assessed 1.1 = 18, 1.2 = 40, 2.1 = not applicable, and submitted."""
    now = timezone.now()
    framework = make_framework(units=UnitFactory.create_batch(1), rows=ROWS)
    round_ = services.round_open(
        framework=framework, deadlines=services.Deadlines(now + DAY, now + 2 * DAY, now + 3 * DAY, now + 4 * DAY)
    )
    unit = round_.units.select_related("round", "unit").get()
    services.self_scores_set(
        unit=unit,
        entries=[
            services.SelfEntry("1.1", D("18"), explanation="QĐ 15"),
            services.SelfEntry("1.2", D("40"), explanation="BC 3"),
            services.SelfEntry("2.1", engine.NOT_APPLICABLE, reason="Không có vốn đầu tư công"),
        ],
    )
    services.unit_submit(unit=unit)
    services.round_phase_close(round=round_)  # appraisal
    return UnitAssessment.objects.select_related("round", "unit").get(pk=unit.pk)


def refused(call):
    with pytest.raises(ScoringInputError) as raised:
        call()
    return raised.value.messages


def fresh(unit):
    return UnitAssessment.objects.select_related("round", "unit").get(pk=unit.pk)


def test_the_whole_cycle_ends_in_the_frameworks_scores_and_index(submitted, appraiser):
    unit = submitted
    # An adjustment needs a comment; accepting does not.
    assert refused(lambda: appraisal.appraisals_set(unit=unit, entries=[Entry("1.2", D("30"))])) == [
        "tiêu chí 1.2: đã điều chỉnh: hãy ghi lý do ở ý kiến"
    ]
    appraisal.appraisals_set(
        unit=unit,
        entries=[
            Entry("1.1", D("18")),  # accepted as is
            Entry("1.2", D("30"), comment="Thiếu báo cáo quý IV"),
            Entry("2.1", engine.NOT_APPLICABLE),
        ],
        user=appraiser,
    )
    unit = appraisal.appraisal_return(unit=fresh(unit), user=appraiser)
    assert unit.status == "returned"
    assert AssessmentEvent.objects.get(kind="returned").after == {"adjusted": 1}
    # Only an adjusted criterion takes an explanation.
    assert refused(lambda: appraisal.explanations_set(unit=fresh(unit), texts={"1.1": "x"})) == [
        "tiêu chí 1.1: thẩm định không điều chỉnh: không có gì để giải trình"
    ]
    appraisal.explanations_set(unit=fresh(unit), texts={"1.2": "Báo cáo quý IV gửi ngày 28/12"})
    appraisal.unit_explained(unit=fresh(unit))
    services.round_phase_close(round=unit.round)  # explanation
    services.round_phase_close(round=unit.round)  # finalisation
    appraisal.finalise(unit=fresh(unit), entries=[Entry("1.2", D("35"), comment="Chấp nhận một phần")], user=appraiser)

    cells = {
        score.criterion.code: (score.points, score.not_applicable, score.self_assessed_points)
        for score in Score.objects.filter(unit=unit.unit).select_related("criterion")
    }
    assert cells == {"1.1": (D("18"), False, D("18")), "1.2": (D("35"), False, D("40")), "2.1": (None, True, None)}
    # 18 + 35 = 53 of the applicable 60 (2.1, 40 points, does not apply): 88.33.
    result = Result.objects.get(unit=unit.unit)
    assert (result.total_points, result.applicable_max, result.index, result.rank) == (D("53"), D("60"), D("88.33"), 1)
    assert fresh(unit).status == "final"
    revision = Revision.objects.get(framework=unit.round.framework)
    assert revision.user == appraiser and revision.cells_created == 3
    steps = AssessmentEvent.objects.filter(criterion__code="1.2", kind="appraised").order_by("pk")
    assert [(step.before["points"], step.after["points"]) for step in steps] == [(None, "30.00"), ("30.00", "35.00")]
    assert not ScoreChange.objects.exists()  # cells created once, at the end


def test_steps_happen_only_in_their_phase_and_before_their_deadline(submitted):
    unit = submitted
    late = timezone.now() + 3 * DAY  # past the appraisal deadline
    assert refused(lambda: appraisal.appraisals_set(unit=unit, entries=[Entry("1.1", D("18"))], now=late)) == [
        "đã quá hạn của bước này"
    ]
    assert "chưa thẩm định" in refused(lambda: appraisal.appraisal_return(unit=unit))[0]
    assert "giai đoạn" in refused(lambda: appraisal.finalise(unit=unit))[0]  # not the finalisation phase
    assert "không ở bước này" in refused(lambda: appraisal.explanations_set(unit=unit, texts={}))[0]  # not returned
