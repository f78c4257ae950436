"""Locked means locked: grid saves fired together with "send for review" or a
publication, each from its own connection, as six people and a reviewer would.
A save either commits before the event or is refused after it; no revision ever
lands after a submission, and none without a reason after a publication. The
services read the framework's state under its row lock (``framework_lock``); a
view's earlier read is never trusted. On PostgreSQL, whose row locks are what
is tested (SQLite takes one lock for the whole database)."""

import threading
from datetime import date

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from scoring import services
from scoring.models import Framework, FrameworkEvent, Revision
from tests.staff.test_grids import grid_url

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
    pytest.mark.slow,
]
SAVERS = 6
ROUNDS = 5


def race(actions) -> list:
    """Run every action at once, each in a thread with its own connection."""
    start = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(position, action):
        try:
            start.wait(timeout=60)
            outcomes[position] = action()
        except Exception as error:
            outcomes[position] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def savers(world, value: int) -> list:
    """Six grid saves, each of its own cell (no edit conflict), each signed in anew."""
    cells = [(unit, code) for unit in (world.ours, world.theirs) for code in ("1.1", "1.2", "2")]
    actions = []
    for unit, code in cells[:SAVERS]:
        client = Client()
        client.force_login(world.users["province_editor"])
        criterion = world.framework.criteria.get(code=code)
        name = f"c-{unit.pk}-{criterion.pk}"
        stored = criterion.scores.get(unit=unit).points
        data, url = {name: str(value), "o-" + name: f"{stored:.2f}"}, grid_url(world, unit)
        actions.append(lambda client=client, url=url, data=data: client.post(url, data).status_code)
    return actions


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_save_lands_after_the_framework_is_sent_for_review(world):
    reviewer = world.users["reviewer"]
    submitter = Client()
    submitter.force_login(world.users["province_editor"])
    workflow = reverse("staff:workflow", args=[world.framework.slug])
    for round_number in range(ROUNDS):
        before = set(Revision.objects.values_list("pk", flat=True))
        outcomes = race([*savers(world, 11 + round_number), lambda: submitter.post(workflow, {"step": "submit"})])
        assert all(not isinstance(outcome, Exception) for outcome in outcomes), outcomes
        submitted = FrameworkEvent.objects.filter(action=FrameworkEvent.Action.SUBMITTED).latest("pk")
        revisions = Revision.objects.exclude(pk__in=before)
        assert not revisions.filter(created_at__gt=submitted.created_at).exists()
        assert Framework.objects.get(pk=world.framework.pk).in_review
        services.framework_return(framework=world.framework, user=reviewer, note="vòng sau")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_save_without_a_reason_lands_after_the_publication(world):
    administrator = world.users["administrator"]
    for round_number in range(ROUNDS):
        before = set(Revision.objects.values_list("pk", flat=True))
        stale = Framework.objects.get(pk=world.framework.pk)  # read as a draft, as a view would

        def publish(stale=stale, number=round_number):
            return services.framework_publish(
                framework=stale, decision_number=f"{number}/QĐ-UBND", decision_date=date(2023, 3, 29)
            )

        outcomes = race([*savers(world, 11 + round_number), publish])
        assert all(not isinstance(outcome, Exception) for outcome in outcomes), outcomes
        published = FrameworkEvent.objects.filter(action=FrameworkEvent.Action.PUBLISHED).latest("pk")
        late = Revision.objects.exclude(pk__in=before).filter(created_at__gt=published.created_at)
        assert not late.filter(reason="").exists()
        services.framework_unpublish(framework=world.framework, user=administrator)
