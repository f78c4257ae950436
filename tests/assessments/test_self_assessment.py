"""The assessment cycle's first steps (DESIGN §9): a round opened with its
deadlines, phases closed in order, a unit's self-assessment checked and locked
at its deadline unless reopened with a reason, submission; every step in the
history with who, when, before and after."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments import services
from assessments.models import AssessmentEvent, CellAssessment, Phase, UnitAssessment
from scoring import engine
from scoring.services import ScoringInputError
from tests.factories import UnitFactory, make_framework, publish

pytestmark = pytest.mark.django_db

# 1 (60) = 1.1 (20) + 1.2 (40); 2 (40) = 2.1 (40)
ROWS = (("1", "60"), ("1.1", "20"), ("1.2", "40"), ("2", "40"), ("2.1", "40"))
DAY = timedelta(days=1)


def deadlines(start=None, days=(10, 20, 30, 40)):
    start = start or timezone.now()
    return services.Deadlines(*(start + day * DAY for day in days))


@pytest.fixture
def editor():
    return get_user_model().objects.create_user("tinh")


@pytest.fixture
def round_(editor):
    units = UnitFactory.create_batch(2)
    framework = make_framework(units=units, rows=ROWS)
    return services.round_open(framework=framework, deadlines=deadlines(), user=editor)


def unit_of(round_, position=0):
    return round_.units.select_related("unit", "round").order_by("unit__code")[position]


def problems(call):
    with pytest.raises(ScoringInputError) as raised:
        call()
    return raised.value.messages


def test_opening_gives_every_participant_its_assessment_and_records_who(round_, editor):
    assert round_.phase == Phase.SELF_ASSESSMENT
    assert list(round_.units.values_list("status", flat=True)) == ["self", "self"]
    event = AssessmentEvent.objects.get(round=round_)
    assert (event.kind, event.user) == ("opened", editor) and set(event.after) == {
        "self_deadline",
        "appraisal_deadline",
        "explanation_deadline",
        "final_deadline",
    }


def test_a_round_opens_only_on_a_draft_with_participants_and_deadlines_in_order():
    framework = make_framework(units=UnitFactory.create_batch(1), rows=ROWS)
    found = problems(lambda: services.round_open(framework=framework, deadlines=deadlines(days=(10, 5, 30, 40))))
    assert found == ["các thời hạn phải theo thứ tự các giai đoạn: tự đánh giá, thẩm định, giải trình, chốt điểm"]
    empty = make_framework(year=2023, rows=ROWS)
    assert problems(lambda: services.round_open(framework=empty, deadlines=deadlines())) == [
        "bộ tiêu chí “Chỉ số CCHC 2023” chưa có đơn vị tham gia"
    ]
    publish(framework)
    assert "không phải bản nháp" in problems(lambda: services.round_open(framework=framework, deadlines=deadlines()))[0]


def test_self_scores_are_checked_together_and_nothing_is_written_when_one_is_wrong(round_):
    unit = unit_of(round_)
    entries = [
        services.SelfEntry("1.1", D("20.01"), explanation="Quyết định 12"),
        services.SelfEntry("1.2", engine.NOT_APPLICABLE),
        services.SelfEntry("1", D("5")),
        services.SelfEntry("2.1", D("1.005")),
        services.SelfEntry("9.9", D("1")),
    ]
    assert problems(lambda: services.self_scores_set(unit=unit, entries=entries)) == [
        "tiêu chí 1.1: điểm tự đánh giá 20,01: vượt điểm tối đa 20,00",
        "tiêu chí 1.2: không áp dụng: hãy ghi lý do",
        "tiêu chí 1: bộ tiêu chí không có tiêu chí lá này",
        "tiêu chí 2.1: điểm tự đánh giá 1,005: quá 2 chữ số thập phân",
        "tiêu chí 9.9: bộ tiêu chí không có tiêu chí lá này",
    ]
    assert not CellAssessment.objects.exists() and not AssessmentEvent.objects.filter(kind="self_scored").exists()


def test_each_changed_criterion_is_one_step_with_before_and_after(round_, editor):
    unit = unit_of(round_)
    first = [services.SelfEntry("1.1", D("18.5"), explanation="QĐ 12/QĐ-UBND"), services.SelfEntry("1.2", D("40"))]
    assert services.self_scores_set(unit=unit, entries=first, user=editor) == 2
    again = [services.SelfEntry("1.1", D("18.50"), explanation="QĐ 12/QĐ-UBND"), services.SelfEntry("1.2", D("39"))]
    assert services.self_scores_set(unit=unit, entries=again, user=editor) == 1  # 18.50 is 18.5: unchanged
    steps = AssessmentEvent.objects.filter(kind="self_scored", criterion__code="1.2").order_by("pk")
    assert [(step.before["points"], step.after["points"]) for step in steps] == [(None, "40.00"), ("40.00", "39.00")]
    assert all(step.user == editor and step.unit == unit.unit for step in steps)


def test_submission_needs_every_leaf_scored_and_explained_then_locks_the_cells(round_):
    unit = unit_of(round_)
    services.self_scores_set(
        unit=unit,
        entries=[
            services.SelfEntry("1.1", D("18.5")),
            services.SelfEntry("1.2", engine.NOT_APPLICABLE, reason="Không có đơn vị trực thuộc"),
        ],
    )
    assert problems(lambda: services.unit_submit(unit=unit)) == [
        "tiêu chí 1.1: hãy đính kèm tài liệu kiểm chứng, hoặc giải thích cách đơn vị tự chấm",
        "tiêu chí 2.1: chưa tự chấm",
    ]
    services.self_scores_set(
        unit=unit,
        entries=[
            services.SelfEntry("1.1", D("18.5"), explanation="Báo cáo số 5"),
            services.SelfEntry("2.1", D("0"), explanation="Chưa thực hiện"),
        ],
    )
    services.unit_submit(unit=unit)
    unit.refresh_from_db()
    assert unit.status == UnitAssessment.Status.SUBMITTED and unit.submitted_at is not None
    refused = problems(lambda: services.self_scores_set(unit=unit, entries=[services.SelfEntry("2.1", D("1"))]))
    assert refused == [f"{unit.unit.name} đã gửi bản tự đánh giá: chỉ xem được, không sửa được"]


def test_the_work_locks_at_the_deadline_unless_reopened_for_the_unit_with_a_reason(round_, editor):
    unit, other = unit_of(round_), unit_of(round_, 1)
    later = timezone.now() + 11 * DAY  # past the self-assessment deadline
    entry = [services.SelfEntry("1.1", D("10"), explanation="x")]
    assert (
        "đã hết hạn tự đánh giá" in problems(lambda: services.self_scores_set(unit=unit, entries=entry, now=later))[0]
    )
    assert problems(lambda: services.unit_reopen(unit=unit, until=later + DAY, reason=" ")) == [
        "hãy ghi lý do mở lại cho đơn vị"
    ]
    services.unit_reopen(unit=unit, until=later + DAY, reason="Mất điện ngày cuối", user=editor)
    unit.refresh_from_db()
    assert services.self_scores_set(unit=unit, entries=entry, now=later) == 1
    assert problems(lambda: services.self_scores_set(unit=other, entries=entry, now=later))  # only that unit
    step = AssessmentEvent.objects.get(kind="reopened")
    assert (step.unit, step.note, step.user) == (unit.unit, "Mất điện ngày cuối", editor)


def test_phases_close_in_order_and_a_closed_phase_takes_no_self_assessment(round_, editor):
    unit = unit_of(round_)
    services.round_phase_close(round=round_, user=editor)
    round_.refresh_from_db()
    assert round_.phase == Phase.APPRAISAL
    unit.refresh_from_db()
    assert problems(lambda: services.self_scores_set(unit=unit, entries=[services.SelfEntry("1.1", D("1"))]))
    for _phase in range(3):
        services.round_phase_close(round=round_)
    round_.refresh_from_db()
    assert round_.phase == Phase.CLOSED
    assert problems(lambda: services.round_phase_close(round=round_)) == ["đợt đánh giá đã đóng"]
    steps = AssessmentEvent.objects.filter(kind="phase_closed").order_by("pk")
    assert [step.after["phase"] for step in steps] == ["appraisal", "explanation", "final", "closed"]


def test_deadlines_move_with_the_change_recorded(round_, editor):
    moved = services.Deadlines(
        round_.self_deadline + 5 * DAY, round_.appraisal_deadline, round_.explanation_deadline, round_.final_deadline
    )
    services.round_deadlines_set(round=round_, deadlines=moved, user=editor)
    round_.refresh_from_db()
    assert round_.self_deadline == moved.self_assessment
    step = AssessmentEvent.objects.get(kind="deadlines")
    assert step.before["self_deadline"] != step.after["self_deadline"]
    assert step.before["appraisal_deadline"] == step.after["appraisal_deadline"]


def test_a_unit_reopened_after_the_self_assessment_closed_may_still_finish_it(round_, editor):
    unit, other = unit_of(round_), unit_of(round_, 1)
    services.round_phase_close(round=round_, user=editor)  # appraisal: self-assessment closed for all
    services.unit_reopen(unit=unit, until=timezone.now() + DAY, reason="Thiếu tài liệu do lỗi hệ thống", user=editor)
    unit.refresh_from_db()
    entries = [services.SelfEntry(code, D("1"), explanation="x") for code in ("1.1", "1.2", "2.1")]
    assert services.self_scores_set(unit=unit, entries=entries) == 3
    services.unit_submit(unit=unit)
    assert problems(lambda: services.self_scores_set(unit=unit_of(round_, 1), entries=entries))  # not the other
    assert other.status == "self"
