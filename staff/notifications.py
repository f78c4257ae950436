"""The assessment round's notifications (DESIGN §9): who hears of what, by mail
through Django's email framework (EMAIL_URL) and in the workspace
(``/staff/notifications/``). A user hears of each event once (``Notification.key``):
a phase opening, a deadline two days ahead (``manage.py send_reminders`` for cron,
and the task queue: ``reminder_queue``), an appraisal returned, an explanation
finished."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from assessments.models import AssessmentRound, Phase, UnitAssessment
from staff.models import AppraiserAssignment, Notification, StaffRole

User = get_user_model()
REMINDER_AHEAD = timedelta(days=2)


def respondents(unit_ids: Iterable[int]):
    """The units' own people."""
    return User.objects.filter(
        is_active=True, staff_roles__role=StaffRole.Role.UNIT_RESPONDENT, staff_roles__unit_id__in=list(unit_ids)
    ).distinct()


def appraisers(framework, unit_id: int | None = None):
    """Who appraises in ``framework`` (for ``unit_id``, when given): its assigned
    appraisers, or without any, the province editors of its scope."""
    assigned = AppraiserAssignment.objects.filter(framework=framework)
    if unit_id is not None:
        assigned = assigned.filter(Q(unit=None) | Q(unit_id=unit_id))
    users = User.objects.filter(is_active=True, pk__in=assigned.values("user"))
    if users.exists():
        return users
    return User.objects.filter(
        is_active=True, staff_roles__role=StaffRole.Role.PROVINCE_EDITOR, staff_roles__unit__code=framework.scope
    ).distinct()


def notify(users, *, key: str, subject: str, body: str, path: str = "") -> int:
    """Record each user's notification of ``key`` unless they already had it, and
    mail the new ones once the transaction commits. Returns how many are new."""
    new = []
    for user in users:
        try:
            with transaction.atomic():
                new.append(
                    Notification.objects.create(
                        user=user, key=key[:200], subject=subject[:300], body=body, url=path[:300]
                    )
                )
        except IntegrityError:  # had it already
            continue
    if new:
        transaction.on_commit(lambda: _mail([item.pk for item in new]))
    return len(new)


def _mail(ids: list[int]) -> None:
    """Mail the notifications to the users who have an address; mark them sent."""
    pending = Notification.objects.filter(pk__in=ids, sent_at=None).select_related("user").exclude(user__email="")
    messages, sent = [], []
    for item in pending:
        link = f"\n\n{settings.PORTAL_URL}{item.url}" if item.url else ""
        messages.append(EmailMessage(item.subject, item.body + link, to=[item.user.email]))
        sent.append(item.pk)
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
        Notification.objects.filter(pk__in=sent).update(sent_at=timezone.now())


def _when(value) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def phase_opened(round_: AssessmentRound) -> int:
    """Tell those with work in the phase that just opened, and by when."""
    framework, phase = round_.framework, round_.phase
    with translation.override(settings.LANGUAGE_CODE):
        if phase == Phase.SELF_ASSESSMENT:
            users = respondents(round_.units.values_list("unit_id", flat=True))
            path = reverse("staff:dashboard")
        elif phase == Phase.EXPLANATION:
            returned = round_.units.filter(status=UnitAssessment.Status.RETURNED).values_list("unit_id", flat=True)
            users, path = respondents(returned), reverse("staff:dashboard")
        elif phase in (Phase.APPRAISAL, Phase.FINALISATION):
            users, path = appraisers(framework), reverse("staff:dashboard")
        else:
            return 0
        subject = _("%(framework)s: the %(phase)s phase is open") % {
            "framework": framework.name,
            "phase": round_.get_phase_display(),
        }
        body = _("The %(phase)s phase of %(framework)s is open until %(deadline)s.") % {
            "phase": round_.get_phase_display(),
            "framework": framework.name,
            "deadline": _when(round_.deadline(phase)),
        }
        sent = notify(users, key=f"phase:{round_.pk}:{phase}", subject=subject, body=body, path=path)
    reminder_queue(round_)
    return sent


def appraisal_returned(unit: UnitAssessment) -> int:
    round_, framework = unit.round, unit.round.framework
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(framework)s: the appraisal of %(unit)s is back") % {
            "framework": framework.name,
            "unit": unit.unit.name,
        }
        body = _("The appraisers adjusted some criteria. Explain them by %(deadline)s.") % {
            "deadline": _when(round_.explanation_deadline)
        }
        path = reverse("staff:self_assessment", args=[framework.slug, unit.unit.code])
        return notify(respondents([unit.unit_id]), key=f"returned:{unit.pk}", subject=subject, body=body, path=path)


def explanation_arrived(unit: UnitAssessment) -> int:
    round_, framework = unit.round, unit.round.framework
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(framework)s: %(unit)s has explained") % {"framework": framework.name, "unit": unit.unit.name}
        body = _("%(unit)s has answered its appraisal. Final scores are due by %(deadline)s.") % {
            "unit": unit.unit.name,
            "deadline": _when(round_.final_deadline),
        }
        path = reverse("staff:appraisal", args=[framework.slug, unit.unit.code])
        users = appraisers(framework, unit.unit_id)
        return notify(users, key=f"explained:{unit.pk}", subject=subject, body=body, path=path)


def reminders(now=None) -> int:
    """Remind, two days ahead of a phase's deadline, those who still have work in
    it: units not yet submitted, appraisals not yet returned, explanations not
    finished. A moved deadline is a new reminder; the same one, never twice."""
    now = now or timezone.now()
    sent = 0
    rounds = AssessmentRound.objects.exclude(phase=Phase.CLOSED).select_related("framework")
    for round_ in rounds:
        deadline = round_.deadline(round_.phase)
        if not now <= deadline <= now + REMINDER_AHEAD:
            continue
        pending = {
            Phase.SELF_ASSESSMENT: UnitAssessment.Status.SELF_ASSESSING,
            Phase.APPRAISAL: UnitAssessment.Status.SUBMITTED,
            Phase.EXPLANATION: UnitAssessment.Status.RETURNED,
            Phase.FINALISATION: UnitAssessment.Status.EXPLAINED,
        }[round_.phase]
        units = list(round_.units.filter(status=pending).values_list("unit_id", flat=True))
        if not units:
            continue
        if round_.phase in (Phase.SELF_ASSESSMENT, Phase.EXPLANATION):
            users = respondents(units)
        else:
            users = appraisers(round_.framework)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("%(framework)s: the %(phase)s phase ends on %(deadline)s") % {
                "framework": round_.framework.name,
                "phase": round_.get_phase_display(),
                "deadline": _when(deadline),
            }
            body = _("%(count)s units still have work in this phase.") % {"count": len(units)}
            key = f"reminder:{round_.pk}:{round_.phase}:{deadline.isoformat()}"
            sent += notify(users, key=key, subject=subject, body=body, path=reverse("staff:dashboard"))
    return sent


@task()
def reminders_due() -> int:
    """``reminders`` from the task queue (``manage.py db_worker``): what
    ``send_reminders`` does from cron, either or both, each reminder once."""
    return reminders()


def reminder_queue(round_: AssessmentRound) -> None:
    """Queue ``reminders_due`` for two days before the deadline of the round's
    phase (at once when that is nearer), when the transaction commits. A moved
    deadline queues another; the earlier run then finds nothing due. A task
    backend that cannot wait (``supports_defer``) leaves it to cron."""
    if round_.phase == Phase.CLOSED or not reminders_due.get_backend().supports_defer:
        return
    when = max(round_.deadline(round_.phase) - REMINDER_AHEAD, timezone.now())
    transaction.on_commit(lambda: reminders_due.using(run_after=when).enqueue())
