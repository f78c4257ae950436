"""The appraisal page: a submitted unit's self scores, explanations and evidence
beside the appraised score and comment; appraisers assigned per framework, field
or unit appraise only their cells; the difference per cell, field and unit; the
appraisal returned to the unit opens its explanation window."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import evidence, services
from assessments.models import AssessmentEvent, AssessmentRound, CellAssessment, Evidence, UnitAssessment
from scoring.models import Result, Score
from staff.models import AppraiserAssignment, StaffRole
from tests.factories import publish
from tests.staff.conftest import user_with

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def submitted(world):
    """Tân Tiến self-assessed 1.1 = 18 of 20, 1.2 = 40 of 40, 2 = 30 of 40, and submitted; the round is in appraisal."""
    now = timezone.now()
    round_ = services.round_open(
        framework=world.framework, deadlines=services.Deadlines(now + DAY, now + 2 * DAY, now + 3 * DAY, now + 4 * DAY)
    )
    unit = round_.units.get(unit=world.ours)
    entries = [
        services.SelfEntry(code, D(points), explanation=f"Báo cáo {code}")
        for code, points in (("1.1", "18"), ("1.2", "40"), ("2", "30"))
    ]
    services.self_scores_set(unit=unit, entries=entries)
    services.unit_submit(unit=unit)
    services.round_phase_close(round=round_)
    return round_


def url(world, unit=None):
    return reverse("staff:appraisal", args=[world.framework.slug, (unit or world.ours).code])


def ids(world):
    return {criterion.code: criterion.pk for criterion in world.framework.criteria.filter(is_leaf=True)}


def test_an_appraiser_accepts_and_adjusts_sees_the_differences_and_returns_the_unit(client, world, submitted):
    appraiser = user_with(StaffRole.Role.REVIEWER, world.ours.parent.parent, name="thamdinh2")
    AppraiserAssignment.objects.create(user=appraiser, framework=world.framework)
    client.force_login(appraiser)
    assert url(world) in client.get(reverse("staff:dashboard")).content.decode()
    page = client.get(url(world)).content.decode()
    assert 'data-self="18,00"' in page and "Báo cáo 1.1" in page
    key = ids(world)
    adjusted = client.post(url(world), {f"a-{key['1.1']}": "18,00", f"a-{key['1.2']}": "35", "save": "1"})
    assert adjusted.status_code == 400 and "đã điều chỉnh: hãy ghi lý do ở ý kiến" in adjusted.content.decode()
    data = {f"a-{key['1.1']}": "18,00", f"a-{key['1.2']}": "35", f"c-{key['1.2']}": "Thiếu báo cáo quý IV"}
    assert client.post(url(world), data | {"save": "1"}).status_code == 302
    page = client.get(url(world)).content.decode()
    # Self − appraised: 0 on 1.1, 5 on 1.2; field 1: 5; the unit: 5 (2 not appraised yet).
    assert '5,00 · <span class="nowrap">lĩnh vực 1: 5,00</span>' in page
    incomplete = client.post(url(world), data | {"return": "1"})
    assert "Đã lưu, nhưng chưa trả cho đơn vị" in incomplete.content.decode() and "tiêu chí 2: chưa thẩm định" in (
        incomplete.content.decode()
    )
    data |= {f"a-{key['2']}": "30"}
    assert client.post(url(world), data | {"return": "1"}).status_code == 302
    assert UnitAssessment.objects.get(unit=world.ours).status == "returned"
    assert CellAssessment.objects.get(criterion_id=key["1.2"]).appraisal_comment == "Thiếu báo cáo quý IV"


def test_an_appraiser_of_one_field_appraises_only_its_cells(client, world, submitted):
    appraiser = user_with(StaffRole.Role.REVIEWER, world.ours.parent.parent, name="thamdinh3")
    field = world.framework.criteria.get(code="2")
    AppraiserAssignment.objects.create(user=appraiser, framework=world.framework, field=field)
    client.force_login(appraiser)
    page = client.get(url(world)).content.decode()
    key = ids(world)
    assert f'name="a-{key["2"]}"' in page and f'name="a-{key["1.1"]}"' not in page
    client.post(url(world), {f"a-{key['2']}": "30", f"a-{key['1.1']}": "0", "save": "1"})  # 1.1 is not its cell
    cells = {cell.criterion.code: cell.appraised_points for cell in CellAssessment.objects.select_related("criterion")}
    assert cells == {"1.1": None, "1.2": None, "2": D("30")}


def test_only_appraisers_and_the_scopes_staff_reach_the_page(client, world, submitted):
    outsider = user_with(StaffRole.Role.UNIT_RESPONDENT, world.theirs, name="daumoi9")
    client.force_login(outsider)
    assert client.get(url(world)).status_code == 404
    client.force_login(world.users["other_province_editor"])
    assert client.get(url(world)).status_code == 404
    client.force_login(world.users["reviewer"])  # the scope's reviewer reads, without inputs
    page = client.get(url(world))
    assert page.status_code == 200 and 'name="a-' not in page.content.decode()
    assert client.post(url(world), {"save": "1"}).status_code == 403
    client.force_login(world.users["province_editor"])  # the department appraises
    assert 'name="a-' in client.get(url(world)).content.decode()


def test_the_unit_explains_then_the_final_scores_become_the_frameworks(client, world, submitted):
    key = ids(world)
    editor, respondent = world.users["province_editor"], world.users["unit_respondent"]
    client.force_login(editor)
    data = {f"a-{key['1.1']}": "18", f"a-{key['1.2']}": "35", f"c-{key['1.2']}": "Thiếu báo cáo", f"a-{key['2']}": "30"}
    client.post(url(world), data | {"return": "1"})
    client.force_login(respondent)
    own = reverse("staff:self_assessment", args=[world.framework.slug, world.ours.code])
    page = client.get(own).content.decode()
    assert f'name="x-{key["1.2"]}"' in page and f'name="x-{key["1.1"]}"' not in page  # only the adjusted one
    client.post(own, {f"x-{key['1.2']}": "Báo cáo quý IV đã gửi", "finish": "1"})
    assert UnitAssessment.objects.get(unit=world.ours).status == "explained"
    services.round_phase_close(round=submitted)  # explanation
    services.round_phase_close(round=submitted)  # finalisation
    client.force_login(editor)
    page = client.get(url(world)).content.decode()
    assert "Báo cáo quý IV đã gửi" in page and 'name="finalise"' in page
    final = {f"a-{key['1.1']}": "18", f"a-{key['1.2']}": "38", f"c-{key['1.2']}": "Chấp nhận giải trình"}
    assert client.post(url(world), final | {f"a-{key['2']}": "30", "finalise": "1"}).status_code == 302
    scores = {
        score.criterion.code: (score.points, score.self_assessed_points)
        for score in Score.objects.filter(unit=world.ours, criterion__framework=world.framework).select_related(
            "criterion"
        )
    }
    assert scores == {"1.1": (D("18"), D("18")), "1.2": (D("38"), D("40")), "2": (D("30"), D("30"))}
    # 18 + 38 + 30 = 86 of 100.
    assert Result.objects.get(framework=world.framework, unit=world.ours).index == D("86")


def test_the_public_page_shows_each_criterions_final_score_and_comment_only_when_the_round_says_so(
    client, world, submitted, django_capture_on_commit_callbacks
):
    key = ids(world)
    client.force_login(world.users["province_editor"])
    data = {f"a-{key['1.1']}": "18", f"a-{key['1.2']}": "35", f"c-{key['1.2']}": "Thiếu báo cáo", f"a-{key['2']}": "30"}
    client.post(url(world), data | {"return": "1"})
    for _phase in range(2):
        services.round_phase_close(round=submitted)
    client.post(url(world), data | {"finalise": "1"})
    publish(world.framework)
    client.logout()
    profile = reverse("public:unit_profile", args=[world.ours.code])
    assert "Thiếu báo cáo" not in client.get(profile).content.decode()  # the round keeps them private by default
    with django_capture_on_commit_callbacks(execute=True):  # the public pages' data version moves on commit
        services.round_criteria_public_set(round=submitted, public=True)
    page = client.get(profile).content.decode()
    assert "Thiếu báo cáo" in page and "35,00" in page and "Tiêu chí 1.2" in page


@pytest.mark.parametrize("step", ["appraisal", "explanation"])
def test_every_step_is_refused_after_its_deadline(client, world, submitted, step):
    key = ids(world)
    editor, respondent = world.users["province_editor"], world.users["unit_respondent"]
    data = {f"a-{key['1.1']}": "18", f"a-{key['1.2']}": "35", f"c-{key['1.2']}": "Thiếu báo cáo", f"a-{key['2']}": "30"}
    if step == "explanation":
        client.force_login(editor)
        client.post(url(world), data | {"return": "1"})
    late = timezone.now() - timedelta(minutes=1)
    AssessmentRound.objects.filter(pk=submitted.pk).update(
        self_deadline=late - 2 * DAY,
        appraisal_deadline=late - DAY if step == "explanation" else late,
        explanation_deadline=late,
        final_deadline=late + 4 * DAY,
    )
    if step == "appraisal":
        client.force_login(editor)
        assert client.post(url(world), data | {"save": "1"}).status_code == 403
        assert not CellAssessment.objects.filter(appraised_at__isnull=False).exists()
    else:
        client.force_login(respondent)
        own = reverse("staff:self_assessment", args=[world.framework.slug, world.ours.code])
        assert client.post(own, {f"x-{key['1.2']}": "Quá hạn", "finish": "1"}).status_code == 403
        assert CellAssessment.objects.get(criterion_id=key["1.2"]).explanation == ""
        assert UnitAssessment.objects.get(unit=world.ours).status == "returned"


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_evidence_is_public_only_when_the_province_shows_the_file_and_the_criteria(
    client, world, submitted, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    key = ids(world)
    editor = world.users["province_editor"]
    client.force_login(editor)
    data = {f"a-{key['1.1']}": "18", f"a-{key['1.2']}": "35", f"c-{key['1.2']}": "Thiếu báo cáo", f"a-{key['2']}": "30"}
    client.post(url(world), data | {"return": "1"})
    services.round_phase_close(round=submitted)  # explanation: the unit adds two files to 1.2
    unit = UnitAssessment.objects.get(unit=world.ours)
    shown, kept = (
        evidence.evidence_add(unit=unit, criterion_code="1.2", upload=SimpleUploadedFile(name, PDF))
        for name in ("Báo cáo quý IV.pdf", "Danh sách cán bộ.pdf")
    )
    services.round_phase_close(round=submitted)
    client.post(url(world), data | {"finalise": "1"})

    show = reverse("staff:evidence_public", args=[shown.pk])
    for role in ("unit_respondent", "district_editor", "reviewer"):  # not the province's editors: refused
        client.force_login(world.users[role])
        assert client.post(show, {"public": "1"}).status_code in (403, 404), role
    client.force_login(world.users["other_province_editor"])
    assert client.post(show, {"public": "1"}).status_code == 404
    assert not Evidence.objects.filter(is_public=True).exists()
    client.force_login(editor)
    assert "Hiện trên trang công khai" in client.get(url(world)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(show, {"public": "1"}).status_code == 302
    event = AssessmentEvent.objects.get(kind="evidence_public")
    assert (event.user, event.before["public"], event.after) == (editor, False, {"name": shown.name, "public": True})

    client.logout()
    public_url = reverse("public:evidence_file", args=[world.ours.code, shown.pk])
    assert client.get(public_url).status_code == 404  # not published yet
    publish(world.framework)
    assert client.get(public_url).status_code == 404  # published, but the round keeps its criteria private
    with django_capture_on_commit_callbacks(execute=True):
        services.round_criteria_public_set(round=submitted, public=True)
    profile = client.get(reverse("public:unit_profile", args=[world.ours.code])).content.decode()
    assert public_url in profile and "Báo cáo quý IV.pdf" in profile and "Danh sách cán bộ.pdf" not in profile
    response = client.get(public_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Disposition"].startswith("attachment")
    assert client.get(reverse("public:evidence_file", args=[world.ours.code, kept.pk])).status_code == 404
    assert client.get(reverse("public:evidence_file", args=[world.theirs.code, shown.pk])).status_code == 404

    client.force_login(editor)  # hidden again: gone from the page and the link
    with django_capture_on_commit_callbacks(execute=True):
        client.post(show, {"public": "0"})
    client.logout()
    assert client.get(public_url).status_code == 404
    profile = client.get(reverse("public:unit_profile", args=[world.ours.code])).content.decode()
    assert "Báo cáo quý IV.pdf" not in profile


def test_an_appraiser_of_one_field_revises_it_after_the_explanation_and_the_whole_units_appraiser_fixes_it(
    client, world, submitted
):
    key = ids(world)
    editor, respondent = world.users["province_editor"], world.users["unit_respondent"]
    field_appraiser = user_with(StaffRole.Role.REVIEWER, world.ours.parent.parent, name="thamdinh4")
    AppraiserAssignment.objects.create(
        user=field_appraiser, framework=world.framework, field=world.framework.criteria.get(code="1")
    )
    client.force_login(editor)
    data = {f"a-{key['1.1']}": "18", f"a-{key['1.2']}": "35", f"c-{key['1.2']}": "Thiếu báo cáo", f"a-{key['2']}": "30"}
    client.post(url(world), data | {"return": "1"})
    client.force_login(respondent)
    own = reverse("staff:self_assessment", args=[world.framework.slug, world.ours.code])
    client.post(own, {f"x-{key['1.2']}": "Báo cáo quý IV đã gửi", "finish": "1"})
    services.round_phase_close(round=submitted)  # explanation
    services.round_phase_close(round=submitted)  # finalisation

    client.force_login(field_appraiser)
    page = client.get(url(world)).content.decode()
    assert f'name="a-{key["1.2"]}"' in page and f'name="a-{key["2"]}"' not in page and 'name="finalise"' not in page
    revised = {f"a-{key['1.1']}": "18", f"a-{key['1.2']}": "38", f"c-{key['1.2']}": "Chấp nhận giải trình"}
    assert client.post(url(world), revised | {f"a-{key['2']}": "0", "finalise": "1"}).status_code == 302
    cells = {cell.criterion.code: cell.appraised_points for cell in CellAssessment.objects.select_related("criterion")}
    assert cells == {"1.1": D("18"), "1.2": D("38"), "2": D("30")}  # field 2 is not theirs
    assert UnitAssessment.objects.get(unit=world.ours).status == "explained"  # not fixed by a field's appraiser
    event = AssessmentEvent.objects.filter(kind="appraised", criterion_id=key["1.2"]).first()
    assert (event.user, event.before["points"], event.after["points"]) == (field_appraiser, "35.00", "38.00")

    client.force_login(editor)
    page = client.get(url(world)).content.decode()
    assert 'value="38,00"' in page and 'name="finalise"' in page
    client.post(url(world), data | revised | {"finalise": "1"})
    assert Score.objects.get(unit=world.ours, criterion_id=key["1.2"]).points == D("38")
