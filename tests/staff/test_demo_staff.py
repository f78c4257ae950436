import pytest
from django.core.management import CommandError, call_command

from assessments import services
from assessments.models import AssessmentRound, Phase
from scoring.demo import demo_load
from scoring.models import Framework, Result, Score
from staff.access import Action, access_for
from staff.models import StaffRole

pytestmark = pytest.mark.django_db


def test_demo_staff_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo_staff")
    call_command("demo_staff", "--if-debug")  # what `make setup` runs: a message, no error
    assert not StaffRole.objects.exists()


def test_demo_staff_creates_each_role_and_one_draft_however_often_it_runs(settings, django_user_model):
    settings.DEBUG = True
    demo_load()
    call_command("demo_staff")
    call_command("demo_staff")

    roles = {role.user.username: (role.role, role.unit.code if role.unit else None) for role in StaffRole.objects.all()}
    assert roles == {
        "tinh": ("province_editor", "19"),
        "huyen": ("district_editor", "164"),
        "thamdinh": ("reviewer", "19"),
        "quantri": ("administrator", None),
    }
    draft = Framework.objects.get(slug="cchc-2018-19-district")
    assert draft.status == Framework.Status.DRAFT
    assert Framework.objects.filter(year=2018, index__slug="cchc").count() == 1
    editor = django_user_model.objects.get(username="tinh")
    assert editor.check_password("demo-tinh")
    assert access_for(editor).may(Action.EDIT_SCORES, draft)
    assert django_user_model.objects.get(username="quantri").is_staff


def test_the_demo_rounds_of_2025_put_units_at_each_step_and_let_the_demo_people_in(settings, django_user_model):
    settings.DEBUG = True
    demo_load()
    call_command("load_units", official=2025, province=["19"], verbosity=0)
    call_command("demo_staff")
    call_command("demo_staff")  # idempotent

    rounds = {item.framework.block: item for item in AssessmentRound.objects.select_related("framework")}
    assert {block: item.phase for block, item in rounds.items()} == {
        "commune": "appraisal",
        "department": "final",
    }
    statuses = sorted(rounds["commune"].units.values_list("status", flat=True))
    assert statuses == ["explained"] * 3 + ["returned"] * 3 + ["self"] * 3 + ["submitted"] * 3
    statuses = sorted(rounds["department"].units.values_list("status", flat=True))
    assert statuses == ["explained", "final", "final", "returned", "self", "submitted"]
    # The final units' scores are the framework's, the self score beside each.
    departments = rounds["department"].framework
    finals = rounds["department"].units.filter(status="final").values_list("unit", flat=True)
    scores = Score.objects.filter(criterion__framework=departments, unit__in=finals)
    leaves = departments.criteria.filter(is_leaf=True).count()
    assert scores.count() == 2 * leaves and not scores.filter(self_assessed_points=None).exists()
    assert Result.objects.filter(framework=departments, unit__in=finals, index__isnull=False).count() == 2
    assert "dữ liệu mẫu" in rounds["commune"].framework.name  # invented figures, labelled
    respondent = django_user_model.objects.get(username="daumoi")
    unit = (
        rounds["commune"].units.select_related("round", "unit").get(unit__in=access_for(respondent).respondent_units())
    )
    assert unit.unit.name == "Phường Bắc Kạn" and services.unit_is_open(unit, Phase.SELF_ASSESSMENT)  # reopened
    appraiser = django_user_model.objects.get(username="hoidong")
    assert (
        access_for(appraiser).is_staff
        and access_for(appraiser).appraised_fields(rounds["commune"].framework, unit.unit) is None
    )
