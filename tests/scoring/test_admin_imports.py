"""Imports in the admin (django-import-export): upload → preview of the changes per
row, or every problem → confirm; large files as background jobs with a status page."""

from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.models import ImportJob, Result, Revision, Score, ScoreChange
from staff.models import StaffRole
from tests.scoring.samples import DATA, EXPECTED, framework_import, indexes

SCORES_IMPORT = reverse("admin:scoring_score_import")
SCORES_CONFIRM = reverse("admin:scoring_score_process_import")


@pytest.fixture(autouse=True)
def _tasks_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def upload(name, content=None):
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes())


def check(client, framework, name, content=None, url=SCORES_IMPORT, **fields):
    """Upload a file: the preview page (or, for a large file, the redirect to its job)."""
    data = {"framework": framework.pk, "import_file": upload(name, content), "format": "0", "resource": "0", **fields}
    return client.post(url, data)


def confirm(client, preview, url=SCORES_CONFIRM):
    form = preview.context["confirm_form"]
    return client.post(url, {name: form.initial.get(name, "") for name in form.fields})


def test_the_import_page_offers_the_computed_frameworks_in_vietnamese(admin_client, framework, binh_phuoc):
    published_mode = framework_import(mode="published", slug="ket-qua-2021", year=2021)
    page = admin_client.get(SCORES_IMPORT)
    choices = [choice for choice, _label in page.context["form"].fields["framework"].choices if choice]
    assert [choice.value for choice in choices] == [framework.pk]
    assert published_mode.pk not in [choice.value for choice in choices]
    assert "Kiểm tra tệp" in page.content.decode()
    changelist = admin_client.get(reverse("admin:scoring_score_changelist")).content.decode()
    assert SCORES_IMPORT in changelist


def test_a_file_is_previewed_row_by_row_and_written_only_once_confirmed(admin_client, admin_user, framework):
    preview = check(admin_client, framework, "scores_wide.xlsx")
    page = preview.content.decode()
    assert preview.context["confirm_form"] is not None
    assert Score.objects.count() == 0  # a preview writes nothing
    rows = preview.context["result"].preview.rows
    # Row numbers as the spreadsheet shows them: title rows, the header on row 4, its column numbers on row 5.
    assert [(row.number, row.kind, row.unit) for row in rows] == [
        (6, "new", "689 Thành phố Đồng Xoài"),
        (7, "new", "695 Huyện Đồng Phú"),
        (8, "new", "692 Huyện Lộc Ninh"),
    ]
    assert ("1.2", "", "KAD") in rows[1].changes
    assert ("2.1", "", "4,25") in rows[0].changes  # Vietnamese decimal comma
    assert "18 ô được tạo" in page

    response = confirm(admin_client, preview)
    assert response.status_code == 302
    assert indexes(framework) == EXPECTED
    revision = Revision.objects.get()
    assert (revision.user, revision.source, revision.cells_created) == (admin_user, "admin scores_wide.xlsx", 18)


def test_a_corrected_file_shows_old_and_new_values_and_records_only_the_change(admin_client, framework):
    confirm(admin_client, check(admin_client, framework, "scores_wide.xlsx"))
    corrected = "Mã đơn vị;Mã tiêu chí;Điểm\n692;2.2;6,5\n692;1.1;2\n".encode()
    preview = check(admin_client, framework, "corrected.csv", corrected)
    (row,) = preview.context["result"].preview.rows
    assert (row.number, row.kind, row.changes) == (2, "update", [("2.2", "5,00", "6,50")])
    assert "<del>5,00</del> → <ins>6,50</ins>" in preview.content.decode()
    confirm(admin_client, preview)
    change = ScoreChange.objects.get()
    assert (change.unit.code, change.old_points, change.new_points) == ("692", D("5.00"), D("6.50"))
    assert indexes(framework)["692"] == (D("69.50"), 3)


def test_every_problem_is_listed_and_nothing_can_be_confirmed(admin_client, framework):
    bad = "Mã đơn vị;Mã tiêu chí;Điểm\n689;1.1;7\n999;1.2;1\n695;2;3\n695;1.2;abc\n".encode()
    preview = check(admin_client, framework, "bad.csv", bad)
    problems = preview.context["result"].preview.problems
    assert len(problems) == 4
    assert "dòng 2, cột Điểm, giá trị '7'" in problems[0]
    assert "dòng 3" in problems[1] and "dòng 4" in problems[2] and "dòng 5" in problems[3]
    page = preview.content.decode()
    assert "4 lỗi: không ghi gì" in page
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    assert Score.objects.count() == 0


def test_a_file_whose_content_is_not_its_type_is_refused(admin_client, framework):
    preview = check(admin_client, framework, "scores.xlsx", b"Ma don vi;1.1\n689;2\n")
    assert "không phải tệp xlsx" in preview.context["result"].preview.problems[0]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(admin_client, framework, settings):
    settings.IMPORT_MAX_BYTES = 100
    page = check(admin_client, framework, "scores_long.csv")
    assert "giới hạn" in str(page.context["form"].errors["import_file"])
    assert "result" not in page.context


def test_correcting_a_published_framework_needs_a_reason(admin_client, admin_user, framework, client):
    confirm(admin_client, check(admin_client, framework, "scores_wide.xlsx"))
    admin_client.post(
        reverse("admin:scoring_publication_add"),
        {"framework": framework.pk, "decision_number": "501/QĐ-UBND", "decision_date": "29/03/2023", "signer": ""},
    )
    framework.refresh_from_db()
    assert framework.is_published
    corrected = "Mã đơn vị;Mã tiêu chí;Điểm\n692;2.2;6\n".encode()
    page = check(admin_client, framework, "corrected.csv", corrected)
    assert "lý do" in str(page.context["form"].errors["reason"])
    preview = check(admin_client, framework, "corrected.csv", corrected, reason="Phúc khảo ngày 5/4/2023")
    confirm(admin_client, preview)
    revision = Revision.objects.first()
    assert (revision.reason, revision.results_before["692"]) == (
        "Phúc khảo ngày 5/4/2023",
        {"index": "68.00", "rank": 3},
    )


def test_published_results_are_previewed_and_imported(admin_client, binh_phuoc):
    framework = framework_import(mode="published", slug="ket-qua-2022")
    preview = check(admin_client, framework, "results_district.xlsx", url=reverse("admin:scoring_result_import"))
    rows = preview.context["result"].preview.rows
    assert {row.kind for row in rows} == {"new"} and len(rows) == 3
    dong_phu = next(row for row in rows if row.unit.startswith("695"))
    assert ("chỉ số", "", "93,91") in dong_phu.changes
    assert Result.objects.count() == 0
    confirm(admin_client, preview, url=reverse("admin:scoring_result_process_import"))
    assert Result.objects.get(framework=framework, unit__code="695").index == D("93.91")


@pytest.fixture
def background(settings, django_capture_on_commit_callbacks):
    """Every upload is large: it runs as a job (tasks at once, as a worker would run them)."""
    settings.IMPORT_BACKGROUND_BYTES = 0

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def test_a_large_file_is_checked_in_the_background_then_imported_once_confirmed(admin_client, framework, background):
    response = background(lambda: check(admin_client, framework, "scores_long.csv"))
    job = ImportJob.objects.get()
    assert response.url == reverse("admin:scoring_importjob_change", args=[job.pk])
    assert (job.status, job.rows_done, job.rows_total) == ("checked", 18, 18)
    assert Score.objects.count() == 0
    page = admin_client.get(response.url).content.decode()
    assert "Xác nhận nhập" in page and "18 ô được tạo" in page and "689 Thành phố Đồng Xoài" in page
    assert "<b>2.1</b>: <ins>4,25</ins>" in page  # each change, read back from the job's stored preview

    background(lambda: admin_client.post(response.url, {"confirm": "1"}))
    job.refresh_from_db()
    assert (job.status, bytes(job.data)) == ("done", b"")
    assert job.revision == Revision.objects.get()
    assert indexes(framework) == EXPECTED
    page = admin_client.get(response.url).content.decode()
    assert "Xác nhận nhập" not in page and "http-equiv" not in page

    background(lambda: admin_client.post(response.url, {"confirm": "1"}))  # a second confirmation does nothing
    assert Revision.objects.count() == 1


def test_a_large_file_with_problems_lists_them_and_cannot_be_confirmed(admin_client, framework, background):
    bad = "Mã đơn vị;Mã tiêu chí;Điểm\n689;1.1;7\n".encode()
    response = background(lambda: check(admin_client, framework, "bad.csv", bad))
    job = ImportJob.objects.get()
    assert (job.status, bytes(job.data)) == ("invalid", b"")
    page = admin_client.get(response.url).content.decode()
    assert "vượt điểm tối đa" in page and "Xác nhận nhập" not in page
    background(lambda: admin_client.post(response.url, {"confirm": "1"}))
    assert Score.objects.count() == 0


def test_a_waiting_job_shows_progress_and_only_its_uploader_confirms(admin_client, framework, client):
    job = ImportJob.objects.create(
        kind="scores", framework=framework, file_name="x.csv", data=b"x", status="importing", rows_done=5, rows_total=20
    )
    page = admin_client.get(reverse("admin:scoring_importjob_change", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "25%" in page
    job.status = "checked"
    job.save()
    other = get_user_model().objects.create_user("staff", password="x", is_staff=True)
    StaffRole.objects.create(user=other, role=StaffRole.Role.ADMINISTRATOR)  # another administrator
    client.force_login(other)
    url = reverse("admin:scoring_importjob_change", args=[job.pk])
    assert "Xác nhận nhập" not in client.get(url).content.decode()
    client.post(url, {"confirm": "1"})
    job.refresh_from_db()
    assert job.status == "checked"


def test_the_admin_and_its_imports_are_for_administrators_only(framework, client):
    """Model permissions alone open no admin page: editors work in the staff
    workspace, which checks every framework's scope."""
    staff = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    staff.user_permissions.add(
        *staff.user_permissions.model.objects.filter(codename__in=["view_score", "change_score"])
    )
    client.force_login(staff)
    assert client.get(SCORES_IMPORT).status_code == 302
    assert check(client, framework, "scores_long.csv").status_code == 302
    StaffRole.objects.create(
        user=staff, role=StaffRole.Role.PROVINCE_EDITOR, unit=framework.participants.first().parent
    )
    assert client.get(SCORES_IMPORT).status_code == 302
    StaffRole.objects.create(user=staff, role=StaffRole.Role.ADMINISTRATOR)
    assert client.get(SCORES_IMPORT).status_code == 200
