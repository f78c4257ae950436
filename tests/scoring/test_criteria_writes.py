"""Writing a criteria tree: level by level with each row's parent and leaf flag
set as it is inserted (no statement grows with the tree), edits in place in
batches of fixed size, and a cap on the criteria of one framework, for the
service, a criteria file and the typed box alike."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from scoring import services
from scoring.models import Criterion
from scoring.spreadsheets.imports import criteria_from_file
from scoring.spreadsheets.reader import TableError, Upload
from staff.forms import criteria_from_text
from tests.factories import criteria, make_framework

pytestmark = pytest.mark.django_db


def tree(fields: int, leaves: int) -> list[tuple[str, str]]:
    rows = []
    for field in range(1, fields + 1):
        rows.append((str(field), str(leaves)))
        rows += [(f"{field}.{leaf}", "1") for leaf in range(1, leaves + 1)]
    return rows


def criterion_writes(queries) -> list[str]:
    return [query["sql"] for query in queries if re.match(r'\s*(INSERT INTO|UPDATE) "scoring_criterion"', query["sql"])]


def test_a_tree_listed_in_any_order_is_linked_and_keeps_its_order():
    framework = make_framework(rows=(("1.2.1", "5"), ("1", "15"), ("1.1", "10"), ("1.2", "5"), ("2", "0")))
    stored = {c.code: c for c in framework.criteria.select_related("parent")}
    assert {code: c.parent.code if c.parent else None for code, c in stored.items()} == {
        "1.2.1": "1.2",
        "1": None,
        "1.1": "1",
        "1.2": "1",
        "2": None,
    }
    assert sorted(code for code, c in stored.items() if c.is_leaf) == ["1.1", "1.2.1", "2"]
    assert [c.code for c in framework.criteria.order_by("order")] == ["1.2.1", "1", "1.1", "1.2", "2"]


def test_creating_a_tree_inserts_a_level_at_a_time_whatever_its_size():
    counts = []
    for fields in (4, 8):  # 44 and 88 criteria: two levels each
        with CaptureQueriesContext(connection) as queries:
            make_framework(year=2000 + fields, rows=tree(fields, 10))
        writes = criterion_writes(queries)
        assert all(sql.startswith("INSERT") for sql in writes)  # no UPDATE: parents are set on insert
        counts.append((len(queries), len(writes)))
    assert counts[0] == counts[1]
    assert counts[0][1] == 2


def test_an_edit_in_place_updates_in_batches_of_fixed_size():
    framework = make_framework(rows=tree(50, 8))  # 450 criteria
    renamed = [
        services.CriterionSpec(c.code, f"{c.name} (mới)", c.max_points, c.kind, c.component)
        for c in framework.criteria.order_by("order")
    ]
    with CaptureQueriesContext(connection) as queries:
        assert services.framework_criteria_set(framework=framework, criteria=renamed)
    updates = criterion_writes(queries)
    # At most 200 rows an UPDATE (fewer on SQLite, whose statements hold fewer parameters):
    # six columns (name, English name, maximum, kind, component, order) of a CASE branch a row each.
    assert len(updates) >= 3
    assert all(sql.count(" WHEN ") <= 6 * 200 for sql in updates)
    assert Criterion.objects.filter(framework=framework, name__endswith="(mới)").count() == 450


@pytest.fixture
def three_at_most(settings):
    settings.FRAMEWORK_MAX_CRITERIA = 3
    with translation.override("en"):
        yield


@pytest.mark.usefixtures("three_at_most")
def test_the_service_refuses_more_criteria_than_a_framework_holds():
    with pytest.raises(services.ScoringInputError) as error:
        make_framework(rows=(("1", "3"), ("1.1", "1"), ("1.2", "1"), ("1.3", "1")))
    assert error.value.messages == ["4 criteria: a framework holds at most 3"]
    framework = make_framework(rows=(("1", "2"), ("1.1", "1"), ("1.2", "1")))
    with pytest.raises(services.ScoringInputError):
        services.framework_criteria_set(framework=framework, criteria=criteria(*tree(1, 3)))
    assert framework.criteria.count() == 3


@pytest.mark.usefixtures("three_at_most")
def test_a_criteria_file_or_typed_box_with_too_many_is_refused_before_its_rows_are_checked():
    rows = "".join(f"{n};x;mười\n" for n in range(1, 5_001))  # every maximum bad: one message, not 5,000
    with pytest.raises(TableError) as error:
        criteria_from_file(Upload("tieu-chi.csv", ("Mã tiêu chí;Tiêu chí;Điểm tối đa\n" + rows).encode()))
    assert error.value.messages == ["tieu-chi.csv: 5,000 criteria: a framework holds at most 3"]
    assert criteria_from_text(rows + "\n\n") == ([], ["5,000 criteria: a framework holds at most 3"])


def test_the_editor_shows_the_limit(client, settings):
    from staff.models import StaffRole
    from tests.staff.conftest import user_with
    from tests.staff.test_framework_editor import scratch
    from units.models import Unit

    settings.FRAMEWORK_MAX_CRITERIA = 3
    province = Unit.objects.create(code="70", name="Tỉnh Bình Phước", kind=Unit.Kind.PROVINCE)
    client.force_login(user_with(StaffRole.Role.PROVINCE_EDITOR, province))
    response = client.post(reverse("staff:framework_new"), scratch(criteria_text="1;A;3\n1.1;B;1\n1.2;C;1\n1.3;D;1"))
    assert response.status_code == 400
    assert "4 tiêu chí: mỗi bộ tiêu chí có tối đa 3 tiêu chí" in response.content.decode()
