"""The round's notifications, delivered through a real SMTP server started by the
test (aiosmtpd): a phase opening, a deadline two days ahead, an appraisal
returned, an explanation finished; each reaches each user once, and shows in the
workspace."""

import email
import email.header
import importlib.machinery
import importlib.metadata
import importlib.util
import socket
import sys
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import services
from assessments.models import AssessmentRound
from staff.models import Notification

pytestmark = pytest.mark.django_db


def _aiosmtpd_controller():
    """aiosmtpd's ``Controller``. aiosmtpd imports atpublic's top-level module
    ``public``, which the portal's app of that name shadows: it is imported with
    atpublic's module in that place, and the app's is put back."""
    location = str(importlib.metadata.distribution("atpublic").locate_file(""))
    spec = importlib.machinery.PathFinder.find_spec("public", [location])
    atpublic = importlib.util.module_from_spec(spec)
    ours = {name: module for name, module in sys.modules.items() if name == "public" or name.startswith("public.")}
    for name in ours:
        del sys.modules[name]
    sys.modules["public"] = atpublic
    try:
        spec.loader.exec_module(atpublic)
        from aiosmtpd.controller import Controller
    finally:
        for name in [name for name in sys.modules if name == "public" or name.startswith("public.")]:
            del sys.modules[name]
        sys.modules.update(ours)
    return Controller


class Inbox:
    """What the SMTP server received: (recipients, subject) per message."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
        self.messages.append((sorted(envelope.rcpt_tos), subject))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    controller = _aiosmtpd_controller()(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


@pytest.fixture
def mailed(world):
    for name, user in world.users.items():
        user.email = f"{name}@example.org"
        user.save()
    return world


def day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).strftime("%d/%m/%Y")


def test_each_event_reaches_each_user_once_by_mail_and_in_the_workspace(
    client, mailed, inbox, django_capture_on_commit_callbacks
):
    world = mailed
    client.force_login(world.users["province_editor"])
    deadlines = {"self_assessment": day(1), "appraisal": day(14), "explanation": day(21), "finalisation": day(28)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:round", args=[world.framework.slug]), {"step": "open", **deadlines})
    assert inbox.messages == [
        (["unit_respondent@example.org"], "Chỉ số CCHC 2022: giai đoạn tự đánh giá đã mở"),
    ]
    round_ = AssessmentRound.objects.get()

    # The self-assessment ends tomorrow night: a reminder, once however often cron runs.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(inbox.messages) == 2 and inbox.messages[1][0] == ["unit_respondent@example.org"]
    assert "kết thúc" in inbox.messages[1][1]

    unit = round_.units.get(unit=world.ours)
    entries = [services.SelfEntry(code, D("10"), explanation="x") for code in ("1.1", "1.2", "2")]
    services.self_scores_set(unit=unit, entries=entries)
    services.unit_submit(unit=unit)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:round", args=[world.framework.slug]), {"step": "close"})  # appraisal opens
    assert inbox.messages[2] == (["province_editor@example.org"], "Chỉ số CCHC 2022: giai đoạn thẩm định đã mở")

    key = {c.code: c.pk for c in world.framework.criteria.filter(is_leaf=True)}
    appraise = reverse("staff:appraisal", args=[world.framework.slug, world.ours.code])
    data = {f"a-{key['1.1']}": "10", f"a-{key['1.2']}": "5", f"c-{key['1.2']}": "Thiếu", f"a-{key['2']}": "10"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(appraise, data | {"return": "1"})
    assert inbox.messages[3][0] == ["unit_respondent@example.org"] and "thẩm định" in inbox.messages[3][1]

    client.force_login(world.users["unit_respondent"])
    own = reverse("staff:self_assessment", args=[world.framework.slug, world.ours.code])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(own, {f"x-{key['1.2']}": "Đã bổ sung", "finish": "1"})
    assert inbox.messages[4][0] == ["province_editor@example.org"] and "giải trình" in inbox.messages[4][1]
    assert len(inbox.messages) == 5

    page = client.get(reverse("staff:notifications")).content.decode()
    assert "giai đoạn tự đánh giá đã mở" in page and own in page
    assert Notification.objects.filter(user=world.users["unit_respondent"], sent_at__isnull=False).count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker closes a connection in a transaction
def test_the_task_queue_sends_each_reminder_when_due_and_once(
    client, mailed, inbox, django_capture_on_commit_callbacks
):
    world = mailed
    client.force_login(world.users["province_editor"])
    deadlines = {"self_assessment": day(10), "appraisal": day(14), "explanation": day(21), "finalisation": day(28)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:round", args=[world.framework.slug]), {"step": "open", **deadlines})
    round_ = AssessmentRound.objects.get()
    queued = DBTaskResult.objects.get(task_path="staff.notifications.reminders_due")
    assert queued.run_after == round_.self_deadline - timedelta(days=2)  # eight days from now

    def work():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    work()
    assert len(inbox.messages) == 1  # the opening only: the reminder waits for its day
    # The editor shortens the phase to tomorrow: a reminder for the new deadline, now.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("staff:round", args=[world.framework.slug]),
            {"step": "deadlines", **deadlines, "self_assessment": day(1)},
        )
    work()
    assert len(inbox.messages) == 2 and "kết thúc" in inbox.messages[1][1]
    # The first task's day comes: the reminder of the same deadline is not sent again.
    DBTaskResult.objects.filter(pk=queued.pk).update(run_after=timezone.now())
    work()
    assert len(inbox.messages) == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
