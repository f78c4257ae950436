"""Copying a round to another year: the same tree, the participants as they
stand then, nothing scored."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from scoring import services
from scoring.models import Criterion, Framework, Result, Revision, Score
from tests.factories import UnitFactory, make_framework, publish, score
from units.models import UnitLineage

pytestmark = pytest.mark.django_db

TREE = (
    ("1", "60"),
    ("1.2", "25", "normal", "survey"),  # out of code order: the order is copied, not re-sorted
    ("1.1", "35"),
    ("2", "40"),
    ("3", "5", "bonus"),
    ("4", "2", "penalty"),
)
EVE, CHANGE = date(2023, 6, 30), date(2023, 7, 1)


def tree(framework):
    return list(
        framework.criteria.order_by("order").values_list(
            "code", "name", "max_points", "kind", "component", "order", "is_leaf", "parent__code"
        )
    )


def ended(**fields):
    return UnitFactory(valid_to=EVE, **fields)


def successor(*predecessors, kind, **fields):
    unit = UnitFactory(valid_from=CHANGE, **fields)
    for predecessor in predecessors:
        UnitLineage.objects.create(predecessor=predecessor, successor=unit, kind=kind, effective_date=CHANGE)
    return unit


def test_the_copy_has_the_same_tree_and_settings_and_no_scores(admin_user):
    unit = UnitFactory()
    source = make_framework(year=2022, units=[unit], rows=TREE)
    services.scores_set(framework=source, entries=[score(unit, "1.1", "30"), score(unit, "1.2", "20")])
    publish(source)
    copy = services.framework_copy(source=source, year=2023, user=admin_user)
    assert tree(copy) == tree(source)
    assert (copy.name, copy.slug) == ("Chỉ số CCHC 2023", "cchc-2023-70-district")
    same = ["index_id", "scope", "block", "block_name", "mode", "band_scheme_id"]
    assert [getattr(copy, field) for field in same] == [getattr(source, field) for field in same]
    assert not copy.is_published
    assert not Score.objects.filter(criterion__framework=copy).exists()
    assert not Result.objects.filter(framework=copy).exists()
    assert Revision.objects.get(framework=copy).user == admin_user
    assert Score.objects.filter(criterion__framework=source).count() == 2  # the source is untouched


def test_a_name_without_the_year_gets_it_appended_and_a_given_name_and_slug_are_kept():
    source = make_framework(year=2022)
    source.name = "Chỉ số CCHC các huyện"
    source.save()
    assert services.framework_copy(source=source, year=2023).name == "Chỉ số CCHC các huyện 2023"
    older = services.framework_copy(source=source, year=2020, name="CCHC cũ", slug="cchc-cu")
    assert (older.year, older.name, older.slug) == (2020, "CCHC cũ", "cchc-cu")


def test_participants_in_force_are_carried_over_and_an_ended_one_without_successor_is_dropped():
    kept, gone = UnitFactory(), ended()
    source = make_framework(year=2022, units=[kept, gone])
    copy = services.framework_copy(source=source, year=2023)
    assert list(copy.participants.all()) == [kept]


def test_an_ended_unit_is_replaced_by_its_successor_by_rename():
    old = ended(code="690", name="Thị xã Phổ Yên")
    new = successor(old, kind=UnitLineage.Kind.RENAME, code="691", name="Thành phố Phổ Yên")
    copy = services.framework_copy(source=make_framework(year=2022, units=[old]), year=2023)
    assert list(copy.participants.all()) == [new]


def test_a_merged_pair_is_replaced_by_its_one_successor_and_a_split_unit_by_both_parts():
    first, second, divided = ended(), ended(), ended()
    merged = successor(first, second, kind=UnitLineage.Kind.MERGE)
    parts = [successor(divided, kind=UnitLineage.Kind.SPLIT) for _part in range(2)]
    copy = services.framework_copy(source=make_framework(year=2022, units=[first, second, divided]), year=2023)
    assert set(copy.participants.all()) == {merged, *parts}


def test_an_existing_round_or_the_sources_own_year_is_refused_and_nothing_is_written():
    source = make_framework(year=2022, rows=TREE)
    make_framework(year=2023)
    counts = Framework.objects.count(), Criterion.objects.count(), Revision.objects.count()
    for year in (2023, 2022):
        with pytest.raises(services.ScoringInputError, match=f"{year}"):
            services.framework_copy(source=source, year=year)
    assert (Framework.objects.count(), Criterion.objects.count(), Revision.objects.count()) == counts


def test_the_admin_action_copies_to_the_next_year_and_reports_a_refusal(admin_client):
    unit = UnitFactory()
    source = make_framework(year=2022, units=[unit], rows=TREE)
    blocked = make_framework(year=2022, block="commune")
    make_framework(year=2023, block="commune")
    response = admin_client.post(
        reverse("admin:scoring_framework_changelist"),
        {"action": "copy_to_next_year", "_selected_action": [source.pk, blocked.pk]},
    )
    assert response.status_code == 302
    copy = Framework.objects.get(year=2023, block="district")
    assert tree(copy) == tree(source) and list(copy.participants.all()) == [unit]
    levels = {message.level_tag: str(message) for message in get_messages(response.wsgi_request)}
    assert reverse("admin:scoring_framework_change", args=[copy.pk]) in levels["success"]
    assert "cchc-2023-70-commune" in levels["error"]
    assert Framework.objects.filter(block="commune").count() == 2
