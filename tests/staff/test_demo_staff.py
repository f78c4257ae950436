import pytest
from django.core.management import CommandError, call_command

from scoring.demo import demo_load
from scoring.models import Framework
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
    assert Framework.objects.filter(year=2018).count() == 1
    editor = django_user_model.objects.get(username="tinh")
    assert editor.check_password("demo-tinh")
    assert access_for(editor).may(Action.EDIT_SCORES, draft)
    assert django_user_model.objects.get(username="quantri").is_staff
