"""A small province for the staff tests: Bình Phước (70) with two districts and a
commune in each, Thái Nguyên (19) next door, a commune framework in each, and a
user for each role."""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from scoring import services
from scoring.models import Framework
from staff.models import StaffRole
from tests.factories import make_framework, score
from units.models import Unit
from units.services import UnitRow, units_upsert

Role = StaffRole.Role
ROWS = (("1", "60"), ("1.1", "20"), ("1.2", "40"), ("2", "40"))


@dataclass
class World:
    framework: Framework  # scope 70: communes 25000 (Đồng Phú) and 25100 (Lộc Ninh)
    other: Framework  # scope 19
    ours: Unit  # commune of Đồng Phú, the district editor's
    theirs: Unit  # commune of Lộc Ninh
    users: dict


@pytest.fixture
def world(db) -> World:
    units_upsert(
        rows=[
            UnitRow(code="70", name="Tỉnh Bình Phước", short_name="Bình Phước", kind="province"),
            UnitRow(code="695", name="Huyện Đồng Phú", short_name="Đồng Phú", kind="district", parent_code="70"),
            UnitRow(code="692", name="Huyện Lộc Ninh", short_name="Lộc Ninh", kind="district", parent_code="70"),
            UnitRow(code="25000", name="Xã Tân Tiến", short_name="Tân Tiến", kind="commune", parent_code="695"),
            UnitRow(code="25100", name="Xã Lộc Hòa", short_name="Lộc Hòa", kind="commune", parent_code="692"),
            UnitRow(code="19", name="Tỉnh Thái Nguyên", short_name="Thái Nguyên", kind="province"),
            UnitRow(code="164", name="Thành phố Thái Nguyên", kind="district", parent_code="19"),
            UnitRow(code="5500", name="Xã Phúc Hà", short_name="Phúc Hà", kind="commune", parent_code="164"),
        ]
    )
    unit = {u.code: u for u in Unit.objects.all()}
    framework = make_framework(units=[unit["25000"], unit["25100"]], rows=ROWS, block="commune")
    other = make_framework(units=[unit["5500"]], rows=ROWS, block="commune", scope="19")
    services.scores_set(
        framework=framework,
        entries=[score(unit[code], leaf, "10") for code in ("25000", "25100") for leaf in ("1.1", "1.2", "2")],
    )
    services.scores_set(framework=other, entries=[score(unit["5500"], "1.1", "5")])
    users = {"none": get_user_model().objects.create_user("khong")}
    for name, role, code in [
        ("province_editor", Role.PROVINCE_EDITOR, "70"),
        ("district_editor", Role.DISTRICT_EDITOR, "695"),
        ("reviewer", Role.REVIEWER, "70"),
        ("administrator", Role.ADMINISTRATOR, None),
        ("other_province_editor", Role.PROVINCE_EDITOR, "19"),
        ("national_editor", Role.PROVINCE_EDITOR, None),
        ("unit_respondent", Role.UNIT_RESPONDENT, "25000"),  # Tân Tiến's own person
    ]:
        users[name] = get_user_model().objects.create_user(name)
        StaffRole.objects.create(user=users[name], role=role, unit=unit.get(code))
    return World(framework, other, unit["25000"], unit["25100"], users)


def user_with(role, unit=None, name="staff"):
    """A user holding one role (no usable password: tests sign in with ``force_login``)."""
    user = get_user_model().objects.create_user(name)
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def editor(client, province):
    """The client signed in as an editor of ``province`` (each module's own fixture)."""
    client.force_login(user_with(StaffRole.Role.PROVINCE_EDITOR, province))
    return client


def edit_url(framework):
    return reverse("staff:framework_edit", args=[framework.slug])
