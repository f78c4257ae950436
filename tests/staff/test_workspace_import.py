"""The scoring sheet uploaded back in the workspace: the admin's preview with every
change and every problem, written only once confirmed, with the same audit;
refused outside the uploader's units and roles; large files in the background."""

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.models import ImportJob, Revision, Score, ScoreChange
from staff.models import StaffRole
from tests.factories import publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def filled_sheet(client, framework, changes):
    """The user's scoring sheet from the workspace, with {(unit code, column header): value} typed in."""
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("staff:scores_workbook", args=[framework.slug])).content)
    )
    sheet = book["Điểm"]
    headers = [cell.value for cell in sheet[2]]  # a title, the header, the maxima, then a row per unit
    for row in sheet.iter_rows(min_row=4):
        for (code, header), value in changes.items():
            if row[0].value == code:
                row[headers.index(header)].value = value
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def upload(client, framework, content, name="diem.xlsx", **fields):
    url = reverse("staff:scores_upload", args=[framework.slug])
    return client.post(url, {"file": SimpleUploadedFile(name, content), **fields})


def points(framework, unit, code="1.1"):
    return Score.objects.get(criterion__framework=framework, criterion__code=code, unit=unit).points


def test_an_editor_uploads_the_sheet_sees_every_change_and_writes_it_once_confirmed(client, world):
    client.force_login(world.users["province_editor"])
    content = filled_sheet(client, world.framework, {(world.theirs.code, "1.1"): "12,5"})  # typed with a comma
    response = upload(client, world.framework, content)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("staff:import_job", args=[job.pk])
    assert job.status == "checked" and job.units is None and job.user == world.users["province_editor"]
    assert points(world.framework, world.theirs) == D("10")  # a preview writes nothing
    page = client.get(response.url).content.decode()
    assert "<b>1.1</b>: <del>10,00</del> → <ins>12,50</ins>" in page
    assert "25100 Xã Lộc Hòa" in page and "Xác nhận nhập" in page

    response = client.post(reverse("staff:import_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, bytes(job.data)) == ("done", b"")
    assert points(world.framework, world.theirs) == D("12.50")
    revision = Revision.objects.get(pk=job.revision_id)
    assert revision.user == world.users["province_editor"] and revision.source == "tải lên diem.xlsx"
    change = ScoreChange.objects.get(revision=revision)
    assert (change.unit, change.old_points, change.new_points) == (world.theirs, D("10"), D("12.50"))
    page = client.get(response.url).content.decode()
    assert "Xác nhận nhập" not in page and reverse("staff:revision", args=[world.framework.slug, revision.pk]) in page

    client.post(reverse("staff:import_job_confirm", args=[job.pk]))  # a second confirmation writes nothing
    assert Revision.objects.filter(framework=world.framework).count() == 2  # the fixture's scores, this import


def test_a_row_of_a_unit_the_editor_does_not_enter_refuses_the_file(client, world):
    client.force_login(world.users["province_editor"])
    content = filled_sheet(client, world.framework, {(world.ours.code, "1.1"): 11, (world.theirs.code, "1.1"): 12})
    client.force_login(world.users["district_editor"])  # enters Đồng Phú's commune only
    upload(client, world.framework, content)
    job = ImportJob.objects.get()
    assert job.status == "invalid" and job.units == [world.ours.pk]
    page = client.get(reverse("staff:import_job", args=[job.pk])).content.decode()
    assert "dòng 5" in page and "25100 Xã Lộc Hòa không thuộc các đơn vị bạn nhập điểm" in page
    assert "Xác nhận nhập" not in page
    assert (points(world.framework, world.ours), points(world.framework, world.theirs)) == (D("10"), D("10"))

    own = filled_sheet(client, world.framework, {(world.ours.code, "1.1"): 11})  # its own sheet has its unit only
    upload(client, world.framework, own)
    job = ImportJob.objects.latest("pk")
    assert job.status == "checked"
    client.post(reverse("staff:import_job_confirm", args=[job.pk]))
    assert points(world.framework, world.ours) == D("11")


@pytest.mark.parametrize(
    ("user", "status"),
    [("reviewer", 403), ("none", 403), ("other_province_editor", 404), ("administrator", 200)],
)
def test_only_those_who_enter_the_frameworks_scores_may_upload(client, world, user, status):
    client.force_login(world.users[user])
    url = reverse("staff:scores_upload", args=[world.framework.slug])
    assert client.get(url).status_code == status
    if status != 200:
        csv = "Mã đơn vị;Mã tiêu chí;Điểm\n25000;1.1;3\n".encode()
        assert upload(client, world.framework, csv, "x.csv").status_code == status
        assert not ImportJob.objects.exists()


def test_a_job_is_its_uploaders_and_confirmed_only_while_the_units_are_still_theirs(client, world):
    editor = world.users["province_editor"]
    client.force_login(editor)
    upload(client, world.framework, "Mã đơn vị;Mã tiêu chí;Điểm\n25100;1.1;3\n".encode(), "x.csv")
    job = ImportJob.objects.get()
    assert job.status == "checked"
    client.force_login(world.users["administrator"])  # someone else's job: not found
    assert client.get(reverse("staff:import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("staff:import_job_confirm", args=[job.pk])).status_code == 404

    StaffRole.objects.filter(user=editor).update(role=StaffRole.Role.DISTRICT_EDITOR, unit=world.ours.parent)
    client.force_login(editor)  # now enters Đồng Phú's communes only; the file writes Lộc Ninh's
    assert client.post(reverse("staff:import_job_confirm", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == "checked" and points(world.framework, world.theirs) == D("10")


def test_a_published_framework_is_corrected_only_with_a_reason(client, world):
    publish(world.framework)
    client.force_login(world.users["province_editor"])
    csv = "Mã đơn vị;Mã tiêu chí;Điểm\n25100;1.1;3\n".encode()
    response = upload(client, world.framework, csv, "x.csv")
    assert response.status_code == 400 and "hãy ghi lý do sửa" in response.content.decode()
    assert not ImportJob.objects.exists()
    upload(client, world.framework, csv, "x.csv", reason="Phúc khảo")
    client.post(reverse("staff:import_job_confirm", args=[ImportJob.objects.get().pk]))
    assert points(world.framework, world.theirs) == D("3")
    assert Revision.objects.latest("pk").reason == "Phúc khảo"


def test_a_file_above_the_limit_is_refused_with_its_size(client, world, settings):
    settings.IMPORT_MAX_BYTES = 2**20
    client.force_login(world.users["province_editor"])
    response = upload(client, world.framework, b"x" * (2**20 + 2**19), "big.csv")
    assert response.status_code == 400 and "1,5 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_large_file_is_checked_and_written_in_the_background(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_BYTES = 10
    client.force_login(world.users["province_editor"])
    csv = "Mã đơn vị;Mã tiêu chí;Điểm\n25100;1.1;3\n25000;1.1;4\n".encode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(client, world.framework, csv, "x.csv")
    job = ImportJob.objects.get()
    assert job.status == "waiting" and len(queued) == 1  # queued for the worker, not checked in the request
    page = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in page and "chờ kiểm tra" in page
    queued[0]()  # the worker's turn
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == ("checked", 2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:import_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and points(world.framework, world.theirs) == D("3")
