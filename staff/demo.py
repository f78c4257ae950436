"""The staff workspace's demo: one sign-in per role in Thái Nguyên (province 19),
whose 2016 and 2017 rankings the demo computes from criterion scores, and a draft
2018 round to type scores into; and the assessment cycle of 2025 in the new Thái
Nguyên (merged with Bắc Kạn): its communes and departments, a few units at each
step. For local development only: every password is ``demo-<user name>``,
written here in the clear; every self score and appraisal is invented."""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessments import appraisal
from assessments import services as cycle
from scoring import services
from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Framework, Index
from staff.models import AppraiserAssignment, StaffRole
from units.models import Unit

Role = StaffRole.Role

DEMO_PROVINCE = "19"
DEMO_SOURCE = "cchc-2017-19-district"
DEMO_DRAFT_YEAR = 2018
DEMO_ROUND_YEAR = 2025
DEMO_NOTE = (
    "Dữ liệu mẫu: điểm tự chấm, thẩm định và giải trình là số liệu bịa để thử quy trình, không phải số liệu thật."
)
DEMO_NOTE_EN = "Sample data: the self-assessed, appraised and explained scores are invented to try the cycle out."


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
    - ``quantri``: administrator, with ``is_staff`` so the Django admin lets it in;
    - ``daumoi``: the unit respondent of a commune of the 2025 round (``demo_rounds_load``),
      ``hoidong``: its appraiser.

    Idempotent: running it again resets the passwords and roles and copies
    nothing. Returns the sign-ins and the draft it created (None when it existed).
    ``Framework.DoesNotExist`` when the demo rankings are not loaded (``load_demo``)."""
    source = Framework.objects.get(slug=DEMO_SOURCE)
    on = date(source.year, 12, 31)
    province = Unit.objects.valid_on(on).get(code=DEMO_PROVINCE, kind=Unit.Kind.PROVINCE)
    district = source.participants.filter(kind=Unit.Kind.DISTRICT, parent=province).order_by("code").first()
    communes = _demo_communes()
    wanted = [
        ("tinh", Role.PROVINCE_EDITOR, province),
        ("huyen", Role.DISTRICT_EDITOR, district),
        ("thamdinh", Role.REVIEWER, province),
        ("quantri", Role.ADMINISTRATOR, None),
        ("daumoi", Role.UNIT_RESPONDENT, communes[1] if communes else None),  # the reopened commune
        ("hoidong", None, None),
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
        if role is not None and (unit is not None or role == Role.ADMINISTRATOR):
            StaffRole.objects.update_or_create(user=user, role=role, defaults={"unit": unit})
        sign_ins.append(DemoSignIn(username, password, role or "appraiser", unit))
    same_round = Framework.objects.filter(
        index=source.index, scope=source.scope, block=source.block, year=DEMO_DRAFT_YEAR
    )
    draft = None
    if not same_round.exists():
        administrator = users.get(username="quantri")
        draft = services.framework_copy(source=source, year=DEMO_DRAFT_YEAR, user=administrator)
    demo_rounds_load(source, users.get(username="tinh"), users.get(username="hoidong"))
    return sign_ins, draft


def _demo_communes() -> list[Unit]:
    """The first communes (by code) of the new Thái Nguyên, for the 2025 round."""
    on = date(DEMO_ROUND_YEAR, 12, 31)
    communes = Unit.objects.valid_on(on).filter(kind=Unit.Kind.COMMUNE, parent__code=DEMO_PROVINCE)
    return list(communes.order_by("code")[:12])


def _invented(maximum: Decimal, *key: str) -> Decimal:
    """A made-up score between 60 % and 100 % of ``maximum``, in quarter points, the same each run."""
    digest = int(hashlib.sha256("/".join(key).encode()).hexdigest()[:8], 16)
    share = Decimal(60 + digest % 41) / 100
    return min(maximum, (maximum * share * 4).quantize(Decimal(1)) / 4)


def demo_rounds_load(source: Framework, editor, appraiser) -> None:
    """The 2025 assessment rounds of the new Thái Nguyên's communes (12 of them)
    and departments (6). The communes' is in appraisal: units not started, half
    done, submitted, returned with adjustments, explained; the demo respondent's
    commune reopened so that ``daumoi`` can self-assess and submit. The
    departments' is in finalisation: two with their final scores, one explained
    and one returned waiting for theirs, one never appraised, one half done.
    Skipped when they exist."""
    on = date(DEMO_ROUND_YEAR, 12, 31)
    departments = Unit.objects.valid_on(on).filter(kind=Unit.Kind.DEPARTMENT, parent__code=DEMO_PROVINCE)
    for block, units in (("commune", _demo_communes()), ("department", list(departments.order_by("code")[:6]))):
        exists = Framework.objects.filter(
            index__slug="cchc", year=DEMO_ROUND_YEAR, scope=DEMO_PROVINCE, block=block
        ).exists()
        if len(units) < 6 or exists:
            continue
        framework = services.framework_create(
            index=Index.objects.get(slug="cchc"),
            year=DEMO_ROUND_YEAR,
            scope=DEMO_PROVINCE,
            block=block,
            name=f"Chỉ số CCHC năm {DEMO_ROUND_YEAR} ({'xã, phường' if block == 'commune' else 'sở, ban, ngành'}"
            " tỉnh Thái Nguyên, dữ liệu mẫu)",
            name_en=f"PAR INDEX {DEMO_ROUND_YEAR} ({'communes and wards' if block == 'commune' else 'departments'}"
            " of Thái Nguyên province, sample data)",
            criteria=[
                services.CriterionSpec(c.code, c.name, c.max_points, c.kind, c.component, c.name_en)
                for c in source.criteria.order_by("order", "code")
            ],
            band_scheme=BandScheme.objects.get(name=DEFAULT_BAND_SCHEME),
            participants=units,
            source_note=DEMO_NOTE,
            source_note_en=DEMO_NOTE_EN,
        )
        AppraiserAssignment.objects.get_or_create(user=appraiser, framework=framework, field=None, unit=None)
        _demo_cycle(framework, units, editor, appraiser, finalised=2 if block == "department" else 0)


def _demo_cycle(framework: Framework, units: list[Unit], editor, appraiser, finalised: int) -> None:
    """Take the units through the round, each as far as its step; with
    ``finalised``, on to the finalisation phase, that many units' scores fixed."""
    now = timezone.now()
    round_ = cycle.round_open(
        framework=framework,
        deadlines=cycle.Deadlines(*(now + timedelta(days=days) for days in (1, 14, 21, 28))),
        user=editor,
    )
    leaves = list(framework.criteria.filter(is_leaf=True).order_by("order", "code"))
    steps = {}  # unit code -> how far it got: 0 nothing, 1 half, 2 submitted, 3 returned, 4 explained
    for position, unit in enumerate(units):
        pattern = [4, 4, 4, 3, 2, 1] if finalised else [0, 1, 1, 2, 2, 3, 3, 4, 4, 2, 3, 4]
        steps[unit.code] = pattern[position % len(pattern)]
        assessment = round_.units.get(unit=unit)
        done = leaves if steps[unit.code] >= 2 else leaves[: len(leaves) // 2] if steps[unit.code] == 1 else []
        entries = [
            cycle.SelfEntry(
                leaf.code,
                _invented(leaf.max_points, framework.slug, unit.code, leaf.code),
                explanation="Báo cáo CCHC năm 2025 (mẫu)",
            )
            for leaf in done
        ]
        cycle.self_scores_set(unit=assessment, entries=entries)
        if steps[unit.code] >= 2:
            cycle.unit_submit(unit=assessment)
    yesterday = now - timedelta(days=1)
    cycle.round_deadlines_set(
        round=round_,
        deadlines=cycle.Deadlines(
            yesterday, now + timedelta(days=14), now + timedelta(days=21), now + timedelta(days=28)
        ),
        user=editor,
    )
    cycle.round_phase_close(round=round_, user=editor)  # appraisal
    for unit in units:
        assessment = round_.units.select_related("round", "unit").get(unit=unit)
        if steps[unit.code] < 3:
            continue
        entries = []
        for position, leaf in enumerate(leaves):
            self_points = _invented(leaf.max_points, framework.slug, unit.code, leaf.code)  # as self-assessed above
            if position % 7 == 3:  # about one criterion in seven adjusted down
                lowered = max(Decimal(0), self_points - leaf.max_points / 4).quantize(Decimal("0.01"), ROUND_HALF_UP)
                entries.append(appraisal.AppraisalEntry(leaf.code, lowered, "Tài liệu kiểm chứng chưa đầy đủ (mẫu)"))
            else:
                entries.append(appraisal.AppraisalEntry(leaf.code, self_points))
        appraisal.appraisals_set(unit=assessment, entries=entries, user=appraiser)
        appraisal.appraisal_return(unit=assessment, user=appraiser)
        if steps[unit.code] >= 4:
            adjusted = [leaf.code for position, leaf in enumerate(leaves) if position % 7 == 3]
            texts = dict.fromkeys(adjusted, "Đơn vị bổ sung báo cáo quý IV (mẫu)")
            appraisal.explanations_set(unit=assessment, texts=texts)
            appraisal.unit_explained(unit=assessment)
    if finalised:
        cycle.round_phase_close(round=round_, user=editor)  # explanation
        cycle.round_phase_close(round=round_, user=editor)  # finalisation
        for unit in units[:finalised]:
            assessment = round_.units.select_related("round", "unit").get(unit=unit)
            appraisal.finalise(unit=assessment, user=appraiser)
        return
    half_done = round_.units.filter(unit__code=units[1].code).select_related("round", "unit")
    for assessment in half_done:  # the demo respondent's commune: reopened to try it
        cycle.unit_reopen(
            unit=assessment,
            until=now + timedelta(days=7),
            reason="Dữ liệu mẫu: mở lại để thử tự đánh giá",
            user=editor,
        )
