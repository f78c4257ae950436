"""The framework editor of the staff workspace: who may use it, a new framework
from scratch or as a copy, the criteria tree and the participants."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring import services
from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Framework, Index, Result
from staff.forms import criteria_from_text
from staff.models import StaffRole
from tests.factories import UnitFactory, make_framework, score
from tests.staff.conftest import edit_url, user_with
from units.models import Unit

pytestmark = pytest.mark.django_db

NEW = reverse("staff:framework_new")


@pytest.fixture
def province():
    return UnitFactory(code="70", name="Tỉnh Bình Phước", short_name="Bình Phước", kind=Unit.Kind.PROVINCE)


@pytest.fixture
def districts(province):
    return [UnitFactory(code=code, parent=province) for code in ("689", "690")]


@pytest.fixture
def framework(districts):
    return make_framework(units=districts, rows=(("1", "100"), ("1.1", "60"), ("1.2", "40")))


def scratch(**changes):
    data = {
        "start": "scratch",
        "index": Index.objects.get(slug="cchc").pk,
        "year": "2023",
        "scope": "70",
        "block": "district",
        "block_name": "",
        "name": "Chỉ số CCHC 2023",
        "band_scheme": BandScheme.objects.get(name=DEFAULT_BAND_SCHEME).pk,
        "mode": "computed",
        "criteria_text": "1;Công tác chỉ đạo;14,50\n1.1;Ban hành kế hoạch;10\n1.2;Báo cáo;4,5\n2;Điểm thưởng;2;bonus",
    }
    return {**data, **changes}


# --- who may edit -------------------------------------------------------------


def test_province_editor_of_the_scope_edits_a_draft(editor, framework):
    response = editor.get(edit_url(framework))
    assert response.status_code == 200
    assert "1.1;Tiêu chí 1.1;60,00" in response.content.decode()
    assert editor.get(reverse("staff:framework", args=[framework.slug])).content.decode().count(edit_url(framework))


def test_another_provinces_editor_does_not_see_the_draft(client, framework):
    other = UnitFactory(code="06", name="Tỉnh Bắc Kạn", kind=Unit.Kind.PROVINCE)
    client.force_login(user_with(StaffRole.Role.PROVINCE_EDITOR, other))
    assert client.get(edit_url(framework)).status_code == 404
    assert client.post(edit_url(framework), {"part": "details", "name": "X"}).status_code == 404


@pytest.mark.parametrize("role", [StaffRole.Role.DISTRICT_EDITOR, StaffRole.Role.REVIEWER])
def test_district_editor_and_reviewer_may_not_edit_a_framework(client, framework, districts, province, role):
    unit = districts[0] if role == StaffRole.Role.DISTRICT_EDITOR else province
    client.force_login(user_with(role, unit))
    assert client.get(edit_url(framework)).status_code == 403
    assert client.post(edit_url(framework), {"part": "details", "name": "X"}).status_code == 403
    assert client.get(NEW).status_code == 403
    framework.refresh_from_db()
    assert framework.name == "Chỉ số CCHC 2022"


def test_a_framework_in_review_is_not_edited(editor, framework):
    Framework.objects.filter(pk=framework.pk).update(in_review=True)
    assert editor.get(edit_url(framework)).status_code == 403


def test_dashboard_links_to_a_new_framework_for_editors_only(client, editor, districts):
    assert NEW in editor.get(reverse("staff:dashboard")).content.decode()
    client.force_login(user_with(StaffRole.Role.DISTRICT_EDITOR, districts[0], name="district"))
    assert NEW not in client.get(reverse("staff:dashboard")).content.decode()


# --- a new framework --------------------------------------------------------------


def test_new_framework_from_typed_criteria_with_decimal_commas(editor, districts):
    response = editor.post(NEW, scratch())
    assert response.status_code == 302
    framework = Framework.objects.get(slug="cchc-2023-70-district")
    assert response["Location"] == edit_url(framework)
    criteria = {c.code: (c.max_points, c.kind, c.is_leaf) for c in framework.criteria.all()}
    assert criteria == {
        "1": (Decimal("14.50"), "normal", False),
        "1.1": (Decimal("10.00"), "normal", True),
        "1.2": (Decimal("4.50"), "normal", True),
        "2": (Decimal("2.00"), "bonus", True),
    }


def test_new_framework_with_bad_lines_shows_every_error_and_writes_nothing(editor, districts):
    response = editor.post(NEW, scratch(criteria_text="1;A;50\n1.1;B;30\n1.2;C;20\n2;D;mười\n3\n4;E;5;extra"))
    errors = response.context["form"].errors["criteria_text"]
    assert response.status_code == 400
    assert [error.split(":")[0].split()[-1] for error in errors] == ["4", "5", "6"]  # "line 4", "dòng 4"
    assert "mười" in errors[0] and "extra" in errors[2]
    page = response.content.decode()
    assert all(error in page for error in errors)
    assert not Framework.objects.exists()


def test_the_tree_errors_name_the_criteria(editor, districts):
    response = editor.post(NEW, scratch(criteria_text="1;A;50\n1.1;B;30\n1.2;C;10\n3.1;D;5"))
    assert response.status_code == 400
    errors = response.context["form"].errors["__all__"]
    assert any("1" in error and "40" in error for error in errors)  # the sum of the children
    assert any("3.1" in error for error in errors)  # no parent 3
    assert not Framework.objects.exists()


def test_typed_criteria_errors_name_their_lines():
    specs, errors = criteria_from_text("1;A;10\n\n2;;x\n3;C;1,5;điểm trừ\n4;D;1;bonus;survey\n5;E;1;sometimes")
    assert [spec.code for spec in specs] == ["1", "3", "4"]
    assert specs[1].kind == "penalty" and specs[1].max_points == Decimal("1.5")
    assert specs[2].component == "survey"
    assert len(errors) == 3
    assert all(error.split(":")[0].endswith(line) for error, line in zip(errors, ["3", "3", "6"], strict=True))


def test_a_scope_the_user_does_not_hold_is_refused(editor, districts):
    UnitFactory(code="06", name="Tỉnh Bắc Kạn", kind=Unit.Kind.PROVINCE)
    assert [code for code, _label in editor.get(NEW).context["form"].fields["scope"].choices] == ["70"]
    for scope in ("06", "VN"):
        response = editor.post(NEW, scratch(scope=scope))
        assert response.status_code == 400
        assert "scope" in response.context["form"].errors
    assert not Framework.objects.exists()


def test_administrators_choose_any_province_or_vn(client, province):
    UnitFactory(code="06", name="Tỉnh Bắc Kạn", kind=Unit.Kind.PROVINCE)
    client.force_login(user_with(StaffRole.Role.ADMINISTRATOR))
    choices = [code for code, _label in client.get(NEW).context["form"].fields["scope"].choices]
    assert choices == ["VN", "06", "70"]
    assert client.post(NEW, scratch(scope="VN", block="province")).status_code == 302
    assert Framework.objects.get().scope == "VN"


def test_a_criteria_file_is_read_and_size_limited(editor, districts, settings):
    csv = "Mã tiêu chí;Tiêu chí;Điểm tối đa\n1;Chỉ đạo;10\n1.1;Kế hoạch;10\n".encode()
    data = scratch(criteria_text="", criteria_file=SimpleUploadedFile("tieu-chi.csv", csv))
    assert editor.post(NEW, data).status_code == 302
    assert Framework.objects.get().criteria.count() == 2
    big = SimpleUploadedFile("big.csv", csv + b"9;x;1\n" * 200_000)
    response = editor.post(NEW, scratch(year="2024", criteria_text="", criteria_file=big))
    assert response.status_code == 400
    assert "criteria_file" in response.context["form"].errors
    assert Framework.objects.count() == 1


def test_copying_last_years_framework(editor, framework, districts):
    response = editor.post(NEW, {"start": "copy", "source": framework.pk, "year": "2023", "name": ""})
    copy = Framework.objects.get(year=2023)
    assert response.status_code == 302
    assert response["Location"] == edit_url(copy)
    assert copy.name == "Chỉ số CCHC 2023"
    assert set(copy.participants.all()) == set(districts)
    assert list(copy.criteria.values_list("code", "max_points")) == list(
        framework.criteria.values_list("code", "max_points")
    )
    assert editor.get(edit_url(copy)).status_code == 200


def test_a_monthly_round_is_created_and_copied_to_the_next_month(editor, districts):
    data = scratch(index=Index.objects.get(slug="phuc-vu-766").pk, month="12", name="Chỉ số 766 tháng 12/2023")
    assert editor.post(NEW, data).status_code == 302
    december = Framework.objects.get(month=12)
    assert (december.year, december.slug) == (2023, "phuc-vu-766-2023-12-70-district")
    assert editor.post(NEW, {**data, "month": "13"}).status_code == 400  # no such month
    response = editor.post(NEW, {"start": "copy", "source": december.pk, "year": "2024", "month": "1", "name": ""})
    january = Framework.objects.get(year=2024)
    assert response.status_code == 302 and (january.month, january.name) == (1, "Chỉ số 766 tháng 1/2024")
    assert Framework.objects.previous_round(january) is None  # December is still a draft
    assert Framework.objects.following_round(december) == january


def test_copying_a_framework_only_readable_is_refused(client, framework, province):
    client.force_login(user_with(StaffRole.Role.REVIEWER, province))
    StaffRole.objects.create(
        user=get_user_model().objects.get(username="staff"),
        role=StaffRole.Role.PROVINCE_EDITOR,
        unit=UnitFactory(code="06", name="Tỉnh Bắc Kạn", kind=Unit.Kind.PROVINCE),
    )
    response = client.post(NEW, {"start": "copy", "source": framework.pk, "year": "2023"})
    assert response.status_code == 400
    assert "source" in response.context["copy_form"].errors
    assert not Framework.objects.filter(year=2023).exists()


# --- editing a draft ------------------------------------------------------------


def test_settings_and_criteria_are_saved(editor, framework):
    national = BandScheme.objects.exclude(name=DEFAULT_BAND_SCHEME).first()
    response = editor.post(
        edit_url(framework),
        {"part": "details", "name": "CCHC 2022", "block_name": "Khối huyện", "band_scheme": national.pk},
    )
    assert response.status_code == 302
    framework.refresh_from_db()
    assert (framework.name, framework.block_name, framework.band_scheme) == ("CCHC 2022", "Khối huyện", national)
    text = "1;Chỉ đạo;100\n1.1;Kế hoạch;50,5\n1.2;Báo cáo;49,5"
    assert editor.post(edit_url(framework), {"part": "criteria", "criteria_text": text}).status_code == 302
    assert framework.criteria.get(code="1.1").max_points == Decimal("50.50")


def test_a_bad_criteria_tree_is_shown_and_nothing_changes(editor, framework):
    response = editor.post(
        edit_url(framework), {"part": "criteria", "criteria_text": "1;A;100\n1.1;B;60\n1.2;C;x\n2.1;D;1"}
    )
    assert response.status_code == 400
    assert any("3" in error for error in response.context["criteria_form"].errors["criteria_text"])
    response = editor.post(
        edit_url(framework), {"part": "criteria", "criteria_text": "1;A;100\n1.1;B;60\n1.2;C;30\n2.1;D;1"}
    )
    errors = response.context["criteria_form"].errors["criteria_text"]
    assert response.status_code == 400
    assert any("90" in error for error in errors) and any("2.1" in error for error in errors)
    assert framework.criteria.get(code="1.2").max_points == Decimal("40")


@pytest.fixture
def communes(districts):
    first, second = districts
    return {
        "first": [UnitFactory(code=f"2500{n}", kind=Unit.Kind.COMMUNE, parent=first) for n in range(2)],
        "ended": UnitFactory(code="25009", kind=Unit.Kind.COMMUNE, parent=first, valid_to=date(2020, 12, 31)),
        "second": [UnitFactory(code="25100", kind=Unit.Kind.COMMUNE, parent=second)],
    }


def test_participants_are_added_and_replaced_by_kind_and_parent(editor, framework, districts, communes):
    url = edit_url(framework)
    form = editor.get(url).context["participants_form"]
    assert set(form.fields["parent"].queryset) == {Unit.objects.get(code="70"), *districts}
    data = {"part": "participants", "kind": "commune", "parent": districts[0].pk, "in_force": "on", "how": "add"}
    assert editor.post(url, data).status_code == 302
    assert set(framework.participants.all()) == {*districts, *communes["first"]}
    assert Result.objects.filter(framework=framework).count() == 4
    assert editor.post(url, {**data, "parent": districts[1].pk, "how": "replace"}).status_code == 302
    assert set(framework.participants.all()) == set(communes["second"])
    assert set(Result.objects.filter(framework=framework).values_list("unit__code", flat=True)) == {"25100"}


def test_a_parent_outside_the_scope_is_refused(editor, framework):
    elsewhere = UnitFactory(code="060", parent=UnitFactory(code="06", name="Tỉnh Bắc Kạn", kind=Unit.Kind.PROVINCE))
    UnitFactory(code="02000", kind=Unit.Kind.COMMUNE, parent=elsewhere)
    data = {"part": "participants", "kind": "commune", "parent": elsewhere.pk, "in_force": "on", "how": "replace"}
    response = editor.post(edit_url(framework), data)
    assert response.status_code == 400
    assert framework.participants.count() == 2


def test_a_unit_with_scores_is_not_removed_without_saying_so(editor, framework, districts):
    scored, unscored = districts
    services.scores_set(framework=framework, entries=[score(scored, "1.1", "50")])
    url = edit_url(framework)
    response = editor.post(url, {"part": "remove", "unit": scored.pk})
    assert response.status_code == 400
    errors = response.context["remove_form"].non_field_errors()
    assert len(errors) == 1 and scored.code in errors[0] and scored.name in errors[0]
    assert errors[0] in response.content.decode()
    communes = {"part": "participants", "kind": "commune", "parent": unscored.pk, "in_force": "on", "how": "replace"}
    UnitFactory(code="25100", kind=Unit.Kind.COMMUNE, parent=unscored)
    response = editor.post(url, communes)
    assert response.status_code == 400
    assert scored.code in response.context["participants_form"].non_field_errors()[0]
    replace = {"part": "participants", "kind": "district", "parent": "", "in_force": "on", "how": "replace"}
    assert editor.post(url, {**replace, "parent": Unit.objects.get(code="70").pk}).status_code == 302  # the same two
    assert set(framework.participants.all()) == set(districts)
    assert editor.post(url, {"part": "remove", "unit": unscored.pk}).status_code == 302
    assert list(framework.participants.all()) == [scored]
    assert list(Result.objects.filter(framework=framework).values_list("unit", flat=True)) == [scored.pk]
