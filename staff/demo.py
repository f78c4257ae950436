"""The staff workspace's demo: one sign-in per role in Thái Nguyên (province 19),
whose 2016 and 2017 rankings the demo computes from criterion scores, and a draft
2018 round to type scores into. For local development only: every password is
``demo-<user name>``, written here in the clear."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from scoring import services
from scoring.models import Framework
from staff.models import StaffRole
from units.models import Unit

Role = StaffRole.Role

DEMO_PROVINCE = "19"
DEMO_SOURCE = "cchc-2017-19-district"
DEMO_DRAFT_YEAR = 2018


@dataclass(frozen=True)
class DemoSignIn:
    username: str
    password: str
    role: str
    unit: Unit | None


@transaction.atomic
def demo_staff_load() -> tuple[list[DemoSignIn], Framework | None]:
    """Create or update the demo's staff users and their roles, and copy
    ``DEMO_SOURCE`` into a draft for ``DEMO_DRAFT_YEAR`` unless that round exists.

    - ``tinh``: province editor of province 19; ``thamdinh``: its reviewer;
    - ``huyen``: district editor of the first district (by code) taking part in
      ``DEMO_SOURCE`` (it edits that district's communes, of which the demo has none);
    - ``quantri``: administrator, with ``is_staff`` so the Django admin lets it in.

    Idempotent: running it again resets the passwords and roles and copies
    nothing. Returns the sign-ins and the draft it created (None when it existed).
    ``Framework.DoesNotExist`` when the demo rankings are not loaded (``load_demo``)."""
    source = Framework.objects.get(slug=DEMO_SOURCE)
    on = date(source.year, 12, 31)
    province = Unit.objects.valid_on(on).get(code=DEMO_PROVINCE, kind=Unit.Kind.PROVINCE)
    district = source.participants.filter(kind=Unit.Kind.DISTRICT, parent=province).order_by("code").first()
    wanted = [
        ("tinh", Role.PROVINCE_EDITOR, province),
        ("huyen", Role.DISTRICT_EDITOR, district),
        ("thamdinh", Role.REVIEWER, province),
        ("quantri", Role.ADMINISTRATOR, None),
    ]
    users = get_user_model().objects
    sign_ins = []
    for username, role, unit in wanted:
        user, _created = users.update_or_create(
            username=username, defaults={"is_active": True, "is_staff": role == Role.ADMINISTRATOR}
        )
        password = f"demo-{username}"
        user.set_password(password)
        user.save(update_fields=["password"])
        StaffRole.objects.filter(user=user).exclude(role=role).delete()
        StaffRole.objects.update_or_create(user=user, role=role, defaults={"unit": unit})
        sign_ins.append(DemoSignIn(username, password, role, unit))
    same_round = Framework.objects.filter(
        index=source.index, scope=source.scope, block=source.block, year=DEMO_DRAFT_YEAR
    )
    draft = None
    if not same_round.exists():
        administrator = users.get(username="quantri")
        draft = services.framework_copy(source=source, year=DEMO_DRAFT_YEAR, user=administrator)
    return sign_ins, draft
