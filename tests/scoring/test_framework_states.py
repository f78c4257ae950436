"""Every write checks the framework's state under its lock, whatever the caller
read before: a framework in review takes no write at all, a draft's settings,
bands and participants change only in draft, and a published one takes
corrections with a reason. Each service is given a stale copy read while the
framework was a draft, as a view that read it a moment before would."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from scoring import services
from scoring.models import BandScheme, Framework, FrameworkEvent, Result, Revision, Score
from tests.factories import UnitFactory, criteria, make_framework, publish, score

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def stale():
    """A scored draft, read as a view reads it, then sent for review behind its back."""
    units = [UnitFactory(code="689"), UnitFactory(code="690")]
    framework = make_framework(units=units, rows=(("1", "100"), ("1.1", "60"), ("1.2", "40")))
    services.scores_set(framework=framework, entries=[score(u, c, "30") for u in units for c in ("1.1", "1.2")])
    stale = Framework.objects.get(pk=framework.pk)
    services.framework_submit(framework=framework)
    assert stale.status == Framework.Status.DRAFT  # what the caller believes
    return stale


def _cell(framework):
    return Score.objects.filter(criterion__framework=framework).select_related("criterion", "unit").first()


WRITES = {
    "scores_set": lambda f: services.scores_set(framework=f, entries=[score(f.participants.first(), "1.1", "7")]),
    "scores_edit": lambda f: services.scores_edit(
        framework=f,
        edits=[services.ScoreEdit(_cell(f).criterion_id, _cell(f).unit_id, Decimal(30), Decimal(7))],
    ),
    "scores_delete": lambda f: services.scores_delete(scores=Score.objects.filter(criterion__framework=f)),
    "framework_criteria_set": lambda f: services.framework_criteria_set(
        framework=f, criteria=criteria(("1", "100"), ("1.1", "50"), ("1.2", "50"))
    ),
    "framework_details_set": lambda f: services.framework_details_set(
        framework=f, name="Tên mới", block_name="", band_scheme=f.band_scheme
    ),
    "framework_bands_set": lambda f: services.framework_bands_set(
        framework=f, bands=[("A", Decimal(90)), ("B", Decimal(0))]
    ),
    "framework_participants_set": lambda f: services.framework_participants_set(
        framework=f, units=[*f.participants.all(), UnitFactory(code="691")]
    ),
    "framework_submit": lambda f: services.framework_submit(framework=f),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_framework_in_review_takes_no_write_whatever_the_caller_read(stale, write):
    before = (
        list(Score.objects.values_list("points", flat=True)),
        Revision.objects.count(),
        list(Result.objects.values_list("index", flat=True)),
        FrameworkEvent.objects.count(),
    )
    with pytest.raises(services.ScoringInputError) as error:
        WRITES[write](stale)
    assert error.value.messages[0].endswith("is in review: it cannot be changed") or error.value.messages == [
        f"framework “{stale.name}” is in review: it cannot be submitted for review"  # its title, not its slug
    ]
    after = (
        list(Score.objects.values_list("points", flat=True)),
        Revision.objects.count(),
        list(Result.objects.values_list("index", flat=True)),
        FrameworkEvent.objects.count(),
    )
    assert after == before


def test_published_results_are_refused_in_review_too():
    framework = make_framework(mode=Framework.Mode.PUBLISHED, units=[UnitFactory(code="689")])
    stale = Framework.objects.get(pk=framework.pk)
    Framework.objects.filter(pk=framework.pk).update(in_review=True)
    row = services.PublishedResultRow(unit_code="689", unit_name="", index=Decimal("90.5"))
    with pytest.raises(services.ScoringInputError, match="is in review: it cannot be changed"):
        services.published_results_set(framework=stale, rows=[row])
    assert not Result.objects.exists()


@pytest.mark.parametrize("write", ["framework_bands_set", "framework_participants_set"])
def test_a_published_frameworks_bands_and_participants_stay_as_published(stale, write):
    services.framework_publish(framework=stale, decision_number="1/QĐ-UBND", decision_date=date(2023, 3, 29))
    with pytest.raises(services.ScoringInputError, match="is published: it cannot be changed"):
        WRITES[write](stale)


def test_a_published_framework_may_be_renamed_but_keeps_its_band_scheme(stale):
    services.framework_publish(framework=stale, decision_number="1/QĐ-UBND", decision_date=date(2023, 3, 29))
    assert WRITES["framework_details_set"](stale)
    other = BandScheme.objects.exclude(pk=stale.band_scheme_id).first()
    with pytest.raises(services.ScoringInputError) as error:
        services.framework_details_set(framework=stale, name="Tên mới", block_name="", band_scheme=other)
    assert error.value.messages == ["framework “Tên mới” is published: it keeps the bands it was published with"]
    assert Framework.objects.get(pk=stale.pk).band_scheme_id == stale.band_scheme_id


def test_a_correction_after_a_publication_the_caller_did_not_see_needs_a_reason(stale):
    services.framework_publish(framework=stale, decision_number="1/QĐ-UBND", decision_date=date(2023, 3, 29))
    with pytest.raises(services.ScoringInputError, match="give the reason for this correction"):
        WRITES["scores_set"](stale)
    entries = [score(stale.participants.first(), "1.1", "7")]
    assert services.scores_set(framework=stale, entries=entries, reason="Sai sót nhập liệu") == 1


def test_publishing_twice_is_refused_by_state(stale):
    services.framework_publish(framework=stale, decision_number="1/QĐ-UBND", decision_date=date(2023, 3, 29))
    with pytest.raises(services.ScoringInputError) as error:
        publish(stale, decision="2/QĐ-UBND")
    assert error.value.messages == [f"framework “{stale.name}” is published: it cannot be published"]
    assert FrameworkEvent.objects.filter(action=FrameworkEvent.Action.PUBLISHED).count() == 1


def test_a_draft_takes_every_write(stale):
    services.framework_return(framework=stale, note="sửa")
    services.scores_set(framework=stale, entries=[score(stale.participants.first(), "1.1", "7")])
    assert services.framework_details_set(
        framework=stale, name="Tên mới", block_name="", band_scheme=BandScheme.objects.first()
    )
    assert Framework.objects.get(pk=stale.pk).name == "Tên mới"
