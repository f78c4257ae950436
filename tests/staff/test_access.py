"""The permission matrix: each role × each staff view and action, in scope and
out of scope, with the answer expected and whether anything was written. The
public pages, downloads and API answers of a draft follow the same scopes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessments
from assessments.models import CellAssessment
from scoring import services
from scoring.models import Framework, FrameworkEvent, ImportJob, Publication, Score
from staff.access import Action, access_for
from staff.models import StaffRole

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "none",
    "province_editor",
    "district_editor",
    "reviewer",
    "administrator",
    "other_province_editor",
    "national_editor",
    "unit_respondent",
]


def _cell(world, unit, code="1.1"):
    criterion = world.framework.criteria.get(code=code)
    return f"c-{unit.pk}-{criterion.pk}", criterion


def _post_grid(client, world, unit, url_name="staff:unit_grid", code=None, **extra):
    name, _criterion = _cell(world, unit)
    url = reverse(url_name, args=[world.framework.slug, code or unit.code])
    return client.post(url, {name: "12,5", "o-" + name: "10.00", **extra})


def _cell_is(world, unit, points="12.5"):
    _name, criterion = _cell(world, unit)
    return Score.objects.get(criterion=criterion, unit=unit).points == Decimal(points)


def _in_review(world):
    services.framework_submit(framework=world.framework)


def _published(world):
    services.framework_publish(framework=world.framework, decision_number="9/QĐ", decision_date=date(2023, 3, 1))


def _step(step, **data):
    return lambda client, world: client.post(
        reverse("staff:workflow", args=[world.framework.slug]), {"step": step, **data}
    )


def _upload_confirmed(unit):
    """Upload a scores file for ``unit`` in the workspace and, once checked, confirm it."""

    def request(client, world):
        content = f"Mã đơn vị;Mã tiêu chí;Điểm\n{unit(world).code};1.1;12,5\n".encode()
        url = reverse("staff:scores_upload", args=[world.framework.slug])
        response = client.post(url, {"file": SimpleUploadedFile("diem.csv", content)})
        job = ImportJob.objects.filter(status="checked").first()
        if job is not None:
            client.post(reverse("staff:import_job_confirm", args=[job.pk]))
        return response

    return request


def _round_open(world):
    now = timezone.now()
    deadlines = [now + timedelta(days=days) for days in (1, 2, 3, 4)]
    assessments.round_open(framework=world.framework, deadlines=assessments.Deadlines(*deadlines))


def _self_assess(client, world):
    criterion = world.framework.criteria.get(code="1.1")
    url = reverse("staff:self_assessment", args=[world.framework.slug, world.ours.code])
    return client.post(url, {f"p-{criterion.pk}": "12,5", f"e-{criterion.pk}": "Quyết định 15", "save": "1"})


def _get(name, *args):
    return lambda client, world: client.get(reverse(name, args=[arg(world) for arg in args]))


SLUG = lambda world: world.framework.slug  # noqa: E731
OURS = lambda world: world.ours.code  # noqa: E731

# action: (set-up, request, whether it wrote, {role: expected status}); a write
# is expected exactly where the status is the success redirect of a signed-in role.
MATRIX = {
    "dashboard": (None, _get("staff:dashboard"), None, [302, 403, 200, 200, 200, 200, 200, 200, 200]),
    "framework page": (None, _get("staff:framework", SLUG), None, [302, 403, 200, 200, 200, 200, 404, 404, 404]),
    "unit grid": (None, _get("staff:unit_grid", SLUG, OURS), None, [302, 403, 200, 200, 200, 200, 404, 404, 404]),
    "criterion grid": (
        None,
        lambda client, world: client.get(reverse("staff:criterion_grid", args=[world.framework.slug, "1.1"])),
        None,
        [302, 403, 200, 200, 200, 200, 404, 404, 404],
    ),
    "save own district's commune": (
        None,
        lambda client, world: _post_grid(client, world, world.ours),
        lambda world: _cell_is(world, world.ours),
        [302, 403, 302, 302, 403, 302, 404, 404, 404],
    ),
    "save another district's commune": (
        None,
        lambda client, world: _post_grid(client, world, world.theirs),
        lambda world: _cell_is(world, world.theirs),
        [302, 403, 302, 403, 403, 302, 404, 404, 404],
    ),
    "save another district's commune in the criterion grid": (
        None,
        lambda client, world: _post_grid(client, world, world.theirs, "staff:criterion_grid", "1.1"),
        lambda world: _cell_is(world, world.theirs),
        # The district editor's grid has no such cell: nothing changes.
        [302, 403, 302, "302 unchanged", 403, 302, 404, 404, 404],
    ),
    "save while in review": (
        _in_review,
        lambda client, world: _post_grid(client, world, world.ours),
        lambda world: _cell_is(world, world.ours),
        [302, 403, 403, 403, 403, 403, 404, 404, 404],
    ),
    "correct a published ranking": (
        _published,
        lambda client, world: _post_grid(client, world, world.ours, reason="Sai sót khi tổng hợp"),
        lambda world: _cell_is(world, world.ours),
        [302, 403, 302, 403, 403, 302, 404, 404, 404],
    ),
    "scoring sheet download": (
        None,
        _get("staff:scores_workbook", SLUG),
        None,
        [302, 403, 200, 200, 403, 200, 404, 404, 404],
    ),
    "scores upload page": (
        None,
        _get("staff:scores_upload", SLUG),
        None,
        [302, 403, 200, 200, 403, 200, 404, 404, 404],
    ),
    "upload own district's commune": (
        None,
        _upload_confirmed(lambda world: world.ours),
        lambda world: _cell_is(world, world.ours),
        [302, 403, 302, 302, 403, 302, 404, 404, 404],
    ),
    "upload another district's commune": (
        None,
        _upload_confirmed(lambda world: world.theirs),
        lambda world: _cell_is(world, world.theirs),
        # The district editor's file is checked and refused: its page lists the problem.
        [302, 403, 302, "302 unchanged", 403, 302, 404, 404, 404],
    ),
    "upload while in review": (
        _in_review,
        _upload_confirmed(lambda world: world.ours),
        lambda world: _cell_is(world, world.ours),
        [302, 403, 403, 403, 403, 403, 404, 404, 404],
    ),
    "submit for review": (
        None,
        _step("submit"),
        lambda world: world.framework.__class__.objects.get(pk=world.framework.pk).in_review,
        [302, 403, 302, 403, 403, 302, 404, 404, 404],
    ),
    "publish": (
        _in_review,
        _step("publish", decision_number="12/QĐ-UBND", decision_date="2023-03-29", confirm="on"),
        lambda world: Publication.objects.filter(framework=world.framework).exists(),
        [302, 403, 403, 403, 302, 302, 404, 404, 404],
    ),
    "send back": (
        _in_review,
        _step("return", note="Thiếu điểm tiêu chí 2"),
        lambda world: FrameworkEvent.objects.filter(framework=world.framework, action="returned").exists(),
        [302, 403, 403, 403, 302, 302, 404, 404, 404],
    ),
    "withdraw": (
        _published,
        _step("withdraw"),
        lambda world: not Publication.objects.filter(framework=world.framework).exists(),
        [302, 403, 403, 403, 403, 302, 404, 404, 404],
    ),
    "draft ranking page": (None, _get("public:ranking", SLUG), None, [404, 404, 200, 200, 200, 200, 404, 404, 404]),
    "draft ranking download": (
        None,
        lambda client, world: client.get(reverse("public:ranking", args=[world.framework.slug]), {"format": "csv"}),
        None,
        [404, 404, 200, 200, 200, 200, 404, 404, 404],
    ),
    "draft in the API": (
        None,
        lambda client, world: client.get(f"/api/frameworks/{world.framework.slug}/results/"),
        None,
        [404, 404, 200, 200, 200, 200, 404, 404, 404],
    ),
    "self-assessment page": (
        _round_open,
        _get("staff:self_assessment", SLUG, OURS),
        None,
        [302, 403, 200, 200, 200, 200, 404, 404, 200],
    ),
    "self-assess its unit": (
        _round_open,
        _self_assess,
        lambda world: CellAssessment.objects.filter(unit=world.ours, self_points=Decimal("12.5")).exists(),
        [302, 403, 403, 403, 403, 403, 404, 404, 302],
    ),
    "admin site": (None, _get("admin:index"), None, [302, 302, 302, 302, 302, 200, 302, 302, 302]),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", MATRIX)
def test_permission_matrix(client, world, action, role):
    setup, request, wrote, expected = MATRIX[action]
    expected = expected[ROLES.index(role)]
    if setup:
        setup(world)
    if role != "anonymous":
        client.force_login(world.users[role])
    response = request(client, world)
    status = int(str(expected).split()[0])
    assert response.status_code == status, f"{action} as {role}"
    if role == "anonymous" and status == 302:
        assert response.url.startswith(("/staff/login/", "/admin/login/"))
    if wrote is not None:
        success = status == 302 and role != "anonymous" and "unchanged" not in str(expected)
        assert wrote(world) is success, f"{action} as {role}: written {not success}"


def test_the_unit_profile_lists_a_draft_only_in_scope(client, world):
    def page():
        return client.get(reverse("public:unit_profile", args=[world.ours.code])).content.decode()

    assert world.framework.name not in page()
    client.force_login(world.users["other_province_editor"])
    assert world.framework.name not in page()
    client.force_login(world.users["district_editor"])
    assert world.framework.name in page()


def test_a_district_editor_sees_only_its_communes(client, world):
    client.force_login(world.users["district_editor"])
    page = client.get(reverse("staff:criterion_grid", args=[world.framework.slug, "1.1"])).content.decode()
    assert world.ours.name in page and world.theirs.name not in page
    page = client.get(reverse("staff:unit_grid", args=[world.framework.slug, world.theirs.code])).content.decode()
    assert "c-" + str(world.theirs.pk) not in page  # read-only: no input
    assert "không thể thay đổi" in page or "không được sửa" in page or "chỉ xem" in page


def test_access_reads_the_roles_once(world, django_assert_num_queries):
    user = world.users["district_editor"]
    ours, other = (Framework.objects.select_related("publication").get(pk=f.pk) for f in (world.framework, world.other))
    with django_assert_num_queries(1):
        access = access_for(user)
        assert access.scopes(Action.EDIT_SCORES) == {"70"}
        assert access.may(Action.EDIT_SCORES, ours)
        assert not access.may(Action.SUBMIT, ours)
        assert not access.may(Action.EDIT_SCORES, other)
    assert access_for(user) is access


def test_a_role_needs_the_right_kind_of_unit(world):
    from django.core.exceptions import ValidationError

    from staff.models import StaffRole

    role = StaffRole(user=world.users["none"], role=StaffRole.Role.DISTRICT_EDITOR, unit=world.ours)
    with pytest.raises(ValidationError):
        role.full_clean()
    role.unit = world.ours.parent
    role.full_clean()


@pytest.mark.parametrize("role", ["reviewer", "administrator", "province_editor"])
def test_a_reviewer_reads_every_participants_grid_from_the_framework_page(client, world, role):
    """Every participant is listed on the framework page and in a criterion's grid,
    whatever the framework's state; a reviewer reads them without an input box."""
    services.framework_submit(framework=world.framework)
    client.force_login(world.users[role])
    page = client.get(reverse("staff:framework", args=[world.framework.slug])).content.decode()
    for unit in (world.ours, world.theirs):
        assert reverse("staff:unit_grid", args=[world.framework.slug, unit.code]) in page
    grid = client.get(reverse("staff:criterion_grid", args=[world.framework.slug, "1.1"])).content.decode()
    assert world.ours.name in grid and world.theirs.name in grid
    assert 'class="cell"' not in grid  # in review: nobody types
    unit_page = client.get(reverse("staff:unit_grid", args=[world.framework.slug, world.theirs.code])).content.decode()
    assert "30,00" in unit_page  # its total: 10 + 10 + 10, read-only


def test_a_reviewer_who_also_edits_a_district_edits_only_its_communes(client, world):
    user = world.users["district_editor"]
    StaffRole.objects.create(
        user=user,
        role=StaffRole.Role.REVIEWER,
        unit=world.framework.participants.get(code=world.ours.code).parent.parent,
    )
    client.force_login(user)
    grid = client.get(reverse("staff:criterion_grid", args=[world.framework.slug, "1.1"])).content.decode()
    assert world.ours.name in grid and world.theirs.name in grid  # the reviewer reads every unit
    ours, _criterion = _cell(world, world.ours)
    theirs, _criterion = _cell(world, world.theirs)
    assert f'name="{ours}"' in grid and f'name="{theirs}"' not in grid  # the district editor types its own
    response = _post_grid(client, world, world.theirs, "staff:criterion_grid", "1.1")
    assert response.status_code == 302 and not _cell_is(world, world.theirs)
