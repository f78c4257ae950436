"""The audit history selectors over hand-computed revisions: an import, a hand
edit, a correction after publication."""

from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model

from scoring import history, services
from scoring.engine import NOT_APPLICABLE as NA
from scoring.models import Framework, Revision, Score
from tests.factories import UnitFactory, make_framework, publish, score

pytestmark = pytest.mark.django_db

# 1 (40) = 1.1 (25) + 1.2 (15); 2 (60) = 2.1 (60)
ROWS = (("1", "40"), ("1.1", "25"), ("1.2", "15"), ("2", "60"), ("2.1", "60"))


@pytest.fixture
def trail():
    """Three revisions of one framework, oldest first:
    1. Lan imports a (1.1 20, 1.2 10, 2.1 50) and b (1.1 25, 2.1 44.5): five cells created.
    2. Minh edits by hand: a 1.1 20 → 22, b 1.2 created not applicable, b 2.1 44.5 → 45.
    3. After publication Lan corrects: a 1.1 22 → 21, b 1.1 25 → not applicable."""
    lan, minh = (get_user_model().objects.create_user(name) for name in ("lan", "minh"))
    a, b = UnitFactory.create_batch(2)
    framework = make_framework(units=[a, b], rows=ROWS)
    writes = [
        (lan, "", "diem-2022.xlsx", [("a", "1.1", "20"), ("a", "1.2", "10"), ("a", "2.1", "50"),
                                     ("b", "1.1", "25"), ("b", "2.1", "44.5")]),
        (minh, "Sửa lỗi nhập", "form", [("a", "1.1", "22"), ("b", "1.2", "NA"), ("b", "2.1", "45")]),
        (lan, "Đính chính", "form", [("a", "1.1", "21"), ("b", "1.1", "NA")]),
    ]  # fmt: skip
    units = {"a": a, "b": b}
    for number, (user, reason, source, cells) in enumerate(writes, start=1):
        if number == 3:
            publish(framework)
        services.scores_set(
            framework=framework,
            entries=[score(units[unit], code, value) for unit, code, value in cells],
            user=user,
            reason=reason,
            source=source,
        )
    revisions = list(Revision.objects.filter(framework=framework).order_by("pk"))
    return framework, a, b, revisions


def changes(page):
    return [(row.unit_code, row.criterion_code, row.old, row.new, row.created) for row in page]


def test_framework_history_lists_revisions_newest_first_with_user_counts_and_correction(
    trail, django_assert_num_queries
):
    framework, _a, _b, revisions = trail
    with django_assert_num_queries(2):  # count, page with users
        page = history.framework_history(framework=framework)
        got = [
            (r.pk, r.user.username, r.reason, r.source, r.cells_created, r.cells_changed, r.corrects_published)
            for r in page
        ]
    first, second, third = (revision.pk for revision in revisions)
    assert got == [
        (third, "lan", "Đính chính", "form", 0, 2, True),
        (second, "minh", "Sửa lỗi nhập", "form", 1, 2, False),
        (first, "lan", "", "diem-2022.xlsx", 5, 0, False),
    ]


def test_framework_history_is_paged(trail):
    framework, _a, _b, revisions = trail
    page = history.framework_history(framework=framework, page_number=2, per_page=2)
    assert (page.paginator.count, page.paginator.num_pages) == (3, 2)
    assert [revision.pk for revision in page] == [revisions[0].pk]


def test_an_import_shows_each_created_cell_with_its_value_at_creation(trail, django_assert_num_queries):
    _framework, a, b, revisions = trail
    with django_assert_num_queries(2):  # count, page
        page = history.revision_changes(revision=revisions[0])
    # a 1.1 was 20 at creation: the old value of its first later change (20 → 22),
    # not of its second (22 → 21) nor its current 21; a 1.2 and b 2.1's first change too.
    assert changes(page) == [
        (a.code, "1.1", None, D("20"), True),
        (a.code, "1.2", None, D("10"), True),
        (a.code, "2.1", None, D("50"), True),
        (b.code, "1.1", None, D("25"), True),
        (b.code, "2.1", None, D("44.5"), True),
    ]
    assert (page[0].unit_name, page[0].criterion_name) == (a.name, "Tiêu chí 1.1")


def test_a_hand_edit_shows_old_and_new_values_and_a_created_not_applicable_cell(trail):
    _framework, a, b, revisions = trail
    assert changes(history.revision_changes(revision=revisions[1])) == [
        (a.code, "1.1", D("20"), D("22"), False),
        (b.code, "1.2", None, NA, True),
        (b.code, "2.1", D("44.5"), D("45"), False),
    ]
    assert changes(history.revision_changes(revision=revisions[2])) == [
        (a.code, "1.1", D("22"), D("21"), False),
        (b.code, "1.1", D("25"), NA, False),
    ]


def test_revision_changes_are_paged_in_unit_then_criterion_order(trail):
    _framework, a, b, revisions = trail
    page = history.revision_changes(revision=revisions[0], page_number=2, per_page=2)
    assert (page.paginator.count, page.paginator.num_pages) == (5, 3)
    assert [(row.unit_code, row.criterion_code) for row in page] == [(a.code, "2.1"), (b.code, "1.1")]


def test_unit_history_lists_every_change_and_creation_newest_first(trail, django_assert_num_queries):
    framework, _a, b, revisions = trail
    with django_assert_num_queries(2):  # changes, created cells
        rows = history.unit_history(unit=b, frameworks=Framework.objects.all())
        got = [
            (row.revision_id, row.user.username, row.framework.slug, row.criterion_code, row.old, row.new, row.created)
            for row in rows
        ]
    first, second, third = (revision.pk for revision in revisions)
    assert got == [
        (third, "lan", framework.slug, "1.1", D("25"), NA, False),
        # within a revision, in criterion order: the created cell before the changed one
        (second, "minh", framework.slug, "1.2", None, NA, True),
        (second, "minh", framework.slug, "2.1", D("44.5"), D("45"), False),
        (first, "lan", framework.slug, "1.1", None, D("25"), True),
        (first, "lan", framework.slug, "2.1", None, D("44.5"), True),
    ]
    assert [(row.reason, row.source) for row in rows[:2]] == [("Đính chính", "form"), ("Sửa lỗi nhập", "form")]
    assert rows[0].made_at == revisions[2].created_at
    assert rows[0].criterion_name == "Tiêu chí 1.1"


def test_unit_history_leaves_out_frameworks_not_given(trail, django_assert_num_queries):
    framework, a, _b, _revisions = trail
    later = make_framework(year=2023, units=[a], rows=ROWS)
    services.scores_set(framework=later, entries=[score(a, "2.1", "55")], source="diem-2023.xlsx")
    every = history.unit_history(unit=a, frameworks=Framework.objects.all())
    assert [(row.framework.year, row.criterion_code, row.old, row.new) for row in every] == [
        (2023, "2.1", None, D("55")),
        (2022, "1.1", D("22"), D("21")),
        (2022, "1.1", D("20"), D("22")),
        (2022, "1.1", None, D("20")),
        (2022, "1.2", None, D("10")),
        (2022, "2.1", None, D("50")),
    ]
    assert every[0].user is None
    with django_assert_num_queries(2):
        only_2022 = history.unit_history(unit=a, frameworks=Framework.objects.filter(pk=framework.pk))
    assert only_2022 == every[1:]
    assert history.unit_history(unit=a, frameworks=Framework.objects.none()) == []


def test_a_cell_created_again_after_deletion_starts_from_its_new_value():
    a = UnitFactory()
    framework = make_framework(units=[a], rows=ROWS)
    services.scores_set(framework=framework, entries=[score(a, "1.1", "20")])
    services.scores_set(framework=framework, entries=[score(a, "1.1", "22")])
    services.scores_delete(scores=Score.objects.filter(criterion__framework=framework))
    services.scores_set(framework=framework, entries=[score(a, "1.1", "5")], reason="Nhập lại")
    # The deleted cell's change (20 → 22) is older than the new cell: not its value at creation.
    recreated = Revision.objects.filter(framework=framework).order_by("pk").last()
    assert changes(history.revision_changes(revision=recreated)) == [(a.code, "1.1", None, D("5"), True)]
    assert [(row.old, row.new, row.created) for row in history.unit_history(unit=a, frameworks=[framework])] == [
        (None, D("5"), True),
        (D("22"), None, False),  # the deletion
        (D("20"), D("22"), False),
    ]


def test_deleting_cells_is_a_revision_with_each_cells_old_value_and_a_published_one_needs_a_reason():
    lan = get_user_model().objects.create_user("lan")
    a, b = UnitFactory.create_batch(2)
    framework = make_framework(units=[a, b], rows=ROWS)
    services.scores_set(framework=framework, entries=[score(a, "1.1", "20"), score(a, "2.1", "NA")])
    services.scores_set(framework=framework, entries=[score(b, "2.1", "30")])
    deleted = services.scores_delete(scores=Score.objects.filter(unit=a), user=lan, source="admin")
    assert deleted == 2
    revision = Revision.objects.filter(framework=framework).order_by("pk").last()
    assert (revision.user, revision.source, revision.cells_changed, revision.results_before) == (lan, "admin", 2, None)
    assert changes(history.revision_changes(revision=revision)) == [
        (a.code, "1.1", D("20"), None, False),
        (a.code, "2.1", NA, None, False),
    ]
    publish(framework)
    with pytest.raises(services.ScoringInputError, match="hãy ghi lý do"):
        services.scores_delete(scores=Score.objects.filter(unit=b))
    assert Score.objects.filter(unit=b).exists()
    services.scores_delete(scores=Score.objects.filter(unit=b), reason="Nhập nhầm đơn vị")
    correction = Revision.objects.filter(framework=framework).order_by("pk").last()
    assert correction.reason == "Nhập nhầm đơn vị"
    assert correction.results_before[b.code] == {"index": "30.00", "rank": 1}
