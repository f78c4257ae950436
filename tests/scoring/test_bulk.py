"""The bulk writes the imports use, on SQLite (executemany) and PostgreSQL (COPY)."""

from decimal import Decimal as D
from itertools import product

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scoring.models import Result, Score
from scoring.services import bulk
from units.models import Unit

# Text COPY and CSV must carry as it is: separators, quotes, line breaks, a backslash, "\N".
AWKWARD_NOTES = ["", "a, b; c", 'say "KAD"', "line 1\nline 2\r\nline 3", "tab\there", "C:\\path", "\\N", "=1+2"]

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="foreign keys are swapped only on PostgreSQL"
)


def _cells(framework, notes):
    """A score row per note, each on its own (criterion, unit) cell, in COLUMNS' order."""
    leaves = framework.criteria.filter(is_leaf=True).order_by("code")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    cells = product(leaves, Unit.objects.order_by("code"))
    return [
        (criterion.id, unit.id, None if number % 3 == 0 else D("1.25"), number % 3 == 0, None, note, now)
        for number, ((criterion, unit), note) in enumerate(zip(cells, notes, strict=False))
    ]


COLUMNS = ("criterion_id", "unit_id", "points", "not_applicable", "self_assessed_points", "note", "updated_at")


def _stored(framework):
    return set(
        Score.objects.filter(criterion__framework=framework).values_list(
            "criterion_id", "unit_id", "points", "not_applicable", "self_assessed_points", "note"
        )
    )


def test_inserted_rows_read_back_exactly_whatever_their_text(framework):
    rows = _cells(framework, AWKWARD_NOTES)
    bulk.rows_insert(Score, COLUMNS, rows)
    assert _stored(framework) == {row[:6] for row in rows}
    assert "" in {note for *_cell, note in _stored(framework)}  # empty text stays empty, not NULL


def test_an_upsert_updates_the_rows_it_matches_and_inserts_the_others(framework):
    first, second = Unit.objects.order_by("code")[:2]
    [leaf] = framework.criteria.filter(code="1.1")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    bulk.rows_insert(Score, COLUMNS, [(leaf.id, first.id, D("1.00"), False, None, "old", now)])
    bulk.rows_upsert(
        Score,
        COLUMNS,
        [
            (leaf.id, first.id, D("2.50"), False, D("3.00"), 'new "note"', now),
            (leaf.id, second.id, None, True, None, "", now),
        ],
        conflict=("criterion_id", "unit_id"),
        update=("points", "not_applicable", "self_assessed_points", "note"),
    )
    assert _stored(framework) == {
        (leaf.id, first.id, D("2.50"), False, D("3.00"), 'new "note"'),
        (leaf.id, second.id, None, True, None, ""),
    }


def test_json_columns_are_stored_as_json(framework):
    unit = Unit.objects.get(code="689")
    bulk.rows_upsert(
        Result,
        ("framework_id", "unit_id", "field_points", "field_deltas", "unit_name", "tied", "band", "is_sample"),
        [(framework.id, unit.id, '{"1": "13.96"}', '{"1": null}', 'Đồng Xoài, "TP"', True, "Tốt", False)],
        conflict=("framework_id", "unit_id"),
        update=("field_points", "field_deltas", "unit_name", "tied", "band"),
    )
    result = Result.objects.get(framework=framework, unit=unit)
    assert (result.field_points, result.field_deltas, result.unit_name, result.tied) == (
        {"1": "13.96"},
        {"1": None},
        'Đồng Xoài, "TP"',
        True,
    )


def _foreign_keys():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [Score._meta.db_table],
        )
        return cursor.fetchall()


@needs_postgresql
def test_a_large_insert_checks_the_foreign_keys_once_and_keeps_them(framework, monkeypatch):
    monkeypatch.setattr(bulk, "SET_BASED_CHECK_ROWS", 1)
    before = _foreign_keys()
    # A change the transaction has not yet checked (a deferred key) must not stop the swap.
    Score.objects.create(criterion=framework.criteria.get(code="1.1"), unit=Unit.objects.get(code="689"))
    rows = [row for row in _cells(framework, ["", "", ""]) if row[1] != Unit.objects.get(code="689").id]
    bulk.rows_insert(Score, COLUMNS, rows)
    assert len(before) == 2 and all(validated for _name, _definition, validated in before)
    assert _foreign_keys() == before
    assert _stored(framework) >= {row[:6] for row in rows}


@needs_postgresql
def test_a_large_insert_naming_a_missing_unit_fails_and_keeps_the_foreign_keys(framework, monkeypatch):
    monkeypatch.setattr(bulk, "SET_BASED_CHECK_ROWS", 1)
    before = _foreign_keys()
    [row] = _cells(framework, [""])
    missing = Unit.objects.order_by("-id").first().id + 1000
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.rows_insert(Score, COLUMNS, [row, (row[0], missing, *row[2:])])
    assert _foreign_keys() == before
    assert _stored(framework) == set()


@needs_postgresql
def test_a_small_insert_into_a_large_table_keeps_the_per_row_checks(framework, monkeypatch):
    monkeypatch.setattr(bulk, "SET_BASED_CHECK_ROWS", 1)
    rows = _cells(framework, ["", "", "", ""])
    bulk.rows_insert(Score, COLUMNS, rows[:3])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Score._meta.db_table}")  # the planner now counts 3 rows
    monkeypatch.setattr(bulk, "SET_BASED_CHECK_SHARE", 1 / 2)  # 1 new row of 4 is less than half
    with CaptureQueriesContext(connection) as queries:
        bulk.rows_insert(Score, COLUMNS, rows[3:])
    assert not [query for query in queries if "DROP CONSTRAINT" in query["sql"]]
    assert _stored(framework) == {row[:6] for row in rows}
