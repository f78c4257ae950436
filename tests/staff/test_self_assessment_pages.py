"""A unit's self-assessment page: its own person scores, explains, saves and
submits while the phase is open; the page is read-only after the deadline or the
submission, and for the staff of the framework's scope; nobody else finds it."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import AssessmentEvent, CellAssessment, Evidence, UnitAssessment
from staff.models import StaffRole
from tests.staff.conftest import user_with

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def opened(world):
    """The scope-70 framework open for self-assessment (leaves 1.1 of 20, 1.2 of 40, 2 of 40)."""
    now = timezone.now()
    return services.round_open(
        framework=world.framework, deadlines=services.Deadlines(now + DAY, now + 2 * DAY, now + 3 * DAY, now + 4 * DAY)
    )


@pytest.fixture
def respondent(world):
    return user_with(StaffRole.Role.UNIT_RESPONDENT, world.ours, name="daumoi")


def page(world, unit=None):
    return reverse("staff:self_assessment", args=[world.framework.slug, (unit or world.ours).code])


def form(criteria, **extra):
    """The page's fields for {criterion id: (points, reason, explanation)}."""
    data = {}
    for pk, (points, reason, explanation) in criteria.items():
        data |= {f"p-{pk}": points, f"r-{pk}": reason, f"e-{pk}": explanation}
    return data | extra


def leaves(world):
    return {criterion.code: criterion.pk for criterion in world.framework.criteria.filter(is_leaf=True)}


def test_the_respondent_scores_explains_saves_and_submits(client, world, opened, respondent):
    client.force_login(respondent)
    dashboard = client.get(reverse("staff:dashboard")).content.decode()
    assert page(world) in dashboard and "Bộ tiêu chí</h1>" not in dashboard  # its unit's round, no framework list
    ids = leaves(world)
    typed = {ids["1.1"]: ("12,5", "", "Quyết định 15/QĐ"), ids["1.2"]: ("KAD", "", ""), ids["2"]: ("", "", "")}
    refused = client.post(page(world), form(typed, save="1"))
    assert refused.status_code == 400 and "tiêu chí 1.2: không áp dụng: hãy ghi lý do" in refused.content.decode()
    assert 'value="12,5"' in refused.content.decode() and not CellAssessment.objects.exists()  # kept, not saved
    assert '<span class="cell-msg">không áp dụng: hãy ghi lý do</span>' in refused.content.decode()  # by its row

    typed[ids["1.2"]] = ("KAD", "Không có đơn vị trực thuộc", "")
    assert client.post(page(world), form(typed, save="1")).status_code == 302
    cell = CellAssessment.objects.get(criterion_id=ids["1.1"])
    assert (cell.self_points, cell.self_explanation) == (D("12.5"), "Quyết định 15/QĐ")

    incomplete = client.post(page(world), form(typed, submit="1"))
    assert incomplete.status_code == 400 and "Đã lưu, nhưng chưa gửi" in incomplete.content.decode()
    assert "tiêu chí 2: chưa tự chấm" in incomplete.content.decode()
    typed[ids["2"]] = ("40", "", "Báo cáo 3/BC")
    assert client.post(page(world), form(typed, submit="1")).status_code == 302
    assert UnitAssessment.objects.get(unit=world.ours).status == "submitted"
    after = client.get(page(world)).content.decode()
    assert 'name="p-' not in after and "12,50" in after  # read-only now
    assert client.post(page(world), form(typed, save="1")).status_code == 403


def test_after_the_deadline_the_page_is_read_only_until_reopened(client, world, opened, respondent):
    opened.self_deadline = timezone.now() - DAY
    opened.save()
    client.force_login(respondent)
    closed = client.get(page(world)).content.decode()
    assert 'name="p-' not in closed and "Đã hết hạn tự đánh giá" in closed
    assert client.post(page(world), form({leaves(world)["1.1"]: ("1", "", "x")}, save="1")).status_code == 403
    unit = UnitAssessment.objects.get(unit=world.ours)
    services.unit_reopen(unit=unit, until=timezone.now() + DAY, reason="Sự cố mạng")
    reopened = client.get(page(world)).content.decode()
    assert 'name="p-' in reopened and "Sự cố mạng" in reopened


@pytest.mark.parametrize(
    ("user", "status", "inputs"),
    [
        ("province_editor", 200, False),  # the staff of the scope read it
        ("reviewer", 200, False),
        ("administrator", 200, False),
        ("district_editor", 200, False),  # its district's commune
        ("other_province_editor", 404, False),
        ("none", 403, False),
    ],
)
def test_the_staff_read_a_units_self_assessment_and_others_do_not_find_it(client, world, opened, user, status, inputs):
    client.force_login(world.users[user])
    response = client.get(page(world))
    assert response.status_code == status
    if status == 200:
        assert ('name="p-' in response.content.decode()) is inputs


def test_a_respondent_sees_nothing_of_another_unit_or_the_frameworks(client, world, opened, respondent):
    client.force_login(respondent)
    assert client.get(page(world, world.theirs)).status_code == 404
    assert client.post(page(world, world.theirs), {"save": "1"}).status_code == 404
    assert client.get(reverse("staff:framework", args=[world.framework.slug])).status_code == 404
    assert client.get(reverse("staff:unit_grid", args=[world.framework.slug, world.ours.code])).status_code == 404
    district_editor_of_theirs = user_with(StaffRole.Role.DISTRICT_EDITOR, world.theirs.parent, name="huyen2")
    client.force_login(district_editor_of_theirs)
    assert client.get(page(world)).status_code == 404  # another district's commune


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def attach(client, world, code, name, content, unit=None):
    url = reverse("staff:evidence_upload", args=[world.framework.slug, (unit or world.ours).code])
    return client.post(url, {"criterion": code, "file": SimpleUploadedFile(name, content)}, follow=True)


def test_evidence_is_kept_under_a_random_name_and_served_only_as_an_attachment_in_scope(
    client, world, opened, respondent, media
):
    client.force_login(respondent)
    page = attach(client, world, "1.1", "Quyết định 15.pdf", PDF).content.decode()
    item = Evidence.objects.get()
    assert "Quyết định 15.pdf" in page and item.content_type == "application/pdf" and item.size == len(PDF)
    stored = media / item.file.name
    assert stored.read_bytes() == PDF and "Quyết" not in item.file.name and item.file.name.startswith("evidence/")
    assert AssessmentEvent.objects.get(kind="evidence_added").after["name"] == "Quyết định 15.pdf"

    url = reverse("staff:evidence_file", args=[item.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    for reader, status in [("province_editor", 200), ("district_editor", 200), ("other_province_editor", 404)]:
        client.force_login(world.users[reader])
        assert client.get(url).status_code == status, reader
    client.force_login(user_with(StaffRole.Role.UNIT_RESPONDENT, world.theirs, name="daumoi2"))  # another unit's
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404  # anonymous: not even a login page


def test_evidence_is_refused_by_content_size_and_count_naming_the_limit(
    client, world, opened, respondent, media, settings
):
    client.force_login(respondent)
    page = attach(client, world, "1.1", "bao-cao.pdf", b"<html><script>alert(1)</script></html>").content.decode()
    assert "bao-cao.pdf không phải tài liệu hay hình ảnh" in page and not Evidence.objects.exists()
    settings.EVIDENCE_MAX_BYTES = 100
    page = attach(client, world, "1.1", "lon.pdf", PDF + b"x" * 200).content.decode()
    assert "lon.pdf nặng 0,0 MB" in page and not Evidence.objects.exists()
    settings.EVIDENCE_MAX_BYTES, settings.EVIDENCE_MAX_FILES = 2**20, 2
    attach(client, world, "1.1", "a.png", PNG)
    attach(client, world, "1.1", "b.png", PNG)
    page = attach(client, world, "1.1", "c.png", PNG).content.decode()
    assert "tiêu chí 1.1 đã có 2 tệp" in page and Evidence.objects.count() == 2
    settings.EVIDENCE_UNIT_MAX_BYTES = 2 * len(PNG) + 10
    page = attach(client, world, "2", "d.png", PNG).content.decode()
    assert "MB mỗi đơn vị" in page and Evidence.objects.count() == 2
    assert not list(media.rglob("*")) or len([path for path in media.rglob("*") if path.is_file()]) == 2  # no orphan


def test_a_removed_file_stays_in_the_history_and_a_criterion_with_evidence_needs_no_explanation(
    client, world, opened, respondent, media
):
    client.force_login(respondent)
    attach(client, world, "1.1", "qd.pdf", PDF)
    item = Evidence.objects.get()
    remove = reverse("staff:evidence_remove", args=[world.framework.slug, world.ours.code, item.pk])
    assert client.post(remove).status_code == 302
    item.refresh_from_db()
    assert item.removed_at is not None and (media / item.file.name).exists()  # kept
    assert AssessmentEvent.objects.filter(kind="evidence_removed", before__name="qd.pdf").exists()
    attach(client, world, "1.1", "qd2.pdf", PDF)
    ids = leaves(world)
    typed = {ids["1.1"]: ("20", "", ""), ids["1.2"]: ("30", "", "Báo cáo 7"), ids["2"]: ("40", "", "Báo cáo 8")}
    assert client.post(page(world), form(typed, submit="1")).status_code == 302  # 1.1 has its file instead
    other = user_with(StaffRole.Role.UNIT_RESPONDENT, world.theirs, name="daumoi3")
    client.force_login(other)
    assert client.post(remove).status_code == 404  # not its unit
