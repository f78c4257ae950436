"""A grid save recomputes only what it can move (``unit_results_update``): the
same results as the full recompute, by hand on ties and on the next round, and
on random edits (hypothesis)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import engine, services
from scoring.models import Result, Score
from scoring.services.results import RECOMPUTED
from tests.factories import UnitFactory, make_framework, publish, score
from tests.scoring.test_services import ROWS  # 1 (40) = 1.1 (25) + 1.2 (15); 2 (60); 3 bonus (5); 4 penalty (10)
from units.models import UnitLineage

pytestmark = pytest.mark.django_db

LEAVES = {"1.1": D(25), "1.2": D(15), "2.1": D(60), "3.1": D(5), "4.1": D(10)}
COLUMNS = ("unit__code", *RECOMPUTED)  # every column a recompute writes


def stored(framework):
    return {row.pop("unit__code"): row for row in Result.objects.filter(framework=framework).values(*COLUMNS)}


def figures(framework, units, *names):
    got = stored(framework)
    return [tuple(got[unit.code][name] for name in names) for unit in units]


def edit(framework, cells, reason="Phúc khảo"):
    """Type {(unit, criterion code): value} into a grid and save, each cell from
    the value stored now."""
    criteria = dict(framework.criteria.values_list("code", "pk"))
    stored_now = {
        (cell.criterion_id, cell.unit_id): engine.NOT_APPLICABLE if cell.not_applicable else cell.points
        for cell in Score.objects.filter(criterion__framework=framework)
    }
    edits = [
        services.ScoreEdit(criteria[code], unit.pk, stored_now.get((criteria[code], unit.pk)), value)
        for (unit, code), value in cells.items()
    ]
    return services.scores_edit(framework=framework, edits=edits, reason=reason if framework.is_published else "")


def test_a_save_that_breaks_a_tie_reranks_the_block_and_the_next_years_rank_changes():
    a, b, c = UnitFactory.create_batch(3)
    this_year = make_framework(year=2022, units=[a, b, c])
    services.scores_set(framework=this_year, entries=[score(a, "1", "80"), score(b, "1", "80"), score(c, "1", "70")])
    publish(this_year)
    next_year = make_framework(year=2023, units=[a, b, c])
    services.scores_set(framework=next_year, entries=[score(a, "1", "75"), score(b, "1", "90"), score(c, "1", "75.50")])
    # 2022: a 80 (1, tied), b 80 (1, tied), c 70 (3). 2023: b 90 (1), c 75.50 (2), a 75 (3).
    assert figures(next_year, (a, b, c), "delta_rank") == [(-2,), (0,), (1,)]

    with CaptureQueriesContext(connection) as queries:
        edit(this_year, {(a, "1"): D("69.99")})
    assert any("RANK() OVER" in query["sql"] for query in queries), "the block is ranked in the database"
    # 2022 now: b 80 (1, alone), c 70 (2), a 69.99 (3).
    assert figures(this_year, (a, b, c), "rank", "tied") == [(3, False), (1, False), (2, False)]
    assert figures(this_year, (a,), "index", "band", "delta_index") == [(D("69.99"), "Trung bình", None)]
    # 2023 against it: a 3rd after 3rd (0), c 2nd after 2nd (0), b 1st after 1st (0); a's index up 5.01.
    assert figures(next_year, (a, b, c), "delta_rank") == [(0,), (0,), (0,)]
    assert figures(next_year, (a,), "delta_index", "field_deltas") == [(D("5.01"), {"1": "5.01"})]


def test_a_unit_whose_cells_are_all_not_applicable_loses_its_rank_and_the_others_move_up():
    a, b, c = UnitFactory.create_batch(3)
    framework = make_framework(units=[a, b, c], rows=(("1", "100"), ("1.1", "100")))
    services.scores_set(
        framework=framework, entries=[score(a, "1.1", "90"), score(b, "1.1", "80"), score(c, "1.1", "80")]
    )
    edit(framework, {(a, "1.1"): engine.NOT_APPLICABLE})
    assert figures(framework, (a, b, c), "index", "rank", "tied", "band") == [
        (None, None, False, ""),
        (D(80), 1, True, "Tốt"),
        (D(80), 1, True, "Tốt"),
    ]
    edit(framework, {(a, "1.1"): D("80")})
    assert figures(framework, (a, b, c), "rank", "tied") == [(1, True)] * 3


def save_queries(unit_count):
    units = UnitFactory.create_batch(unit_count)
    framework = make_framework(units=units, scope=str(unit_count))
    entries = [score(unit, "1", str(50 + n % 7)) for n, unit in enumerate(units)]
    services.scores_set(framework=framework, entries=entries)
    with CaptureQueriesContext(connection) as queries:
        edit(framework, {(units[0], "1"): D("99")})
    return len(queries)


def test_a_cell_save_runs_the_same_number_of_queries_for_5_and_60_units():
    assert save_queries(5) == save_queries(60)


@pytest.fixture
def three_rounds():
    """2021 and 2022 published, 2023 a draft, with a rename (old → renamed in 2022)
    and a merger (first + second → merged in 2022), over the ROWS tree."""
    units = UnitFactory.create_batch(6)
    old, renamed, first, second, merged = UnitFactory.create_batch(5)
    UnitLineage.objects.create(predecessor=old, successor=renamed, kind="rename", effective_date=date(2022, 1, 1))
    for part in (first, second):
        UnitLineage.objects.create(predecessor=part, successor=merged, kind="merge", effective_date=date(2022, 1, 1))
    rounds = []
    for year, members in ((2021, [*units, old, first, second]), (2022, [*units, renamed, merged])):
        framework = make_framework(year=year, units=members, rows=ROWS)
        services.scores_set(
            framework=framework,
            entries=[
                score(unit, code, str((maximum * ((n * 3 + i + year) % 5)) / 4))
                for n, unit in enumerate(members)
                for i, (code, maximum) in enumerate(LEAVES.items())
            ],
        )
        publish(framework, day=f"{year + 1}-03-01")
        rounds.append(framework)
    following = make_framework(year=2023, units=[*units, renamed, merged], rows=ROWS)
    services.scores_set(
        framework=following,
        entries=[score(unit, "2.1", str(30 + n % 3)) for n, unit in enumerate([*units, renamed, merged])],
    )
    return rounds[1], following, [*units, renamed, merged]


# A few values per leaf, so that ties, blanks and not-applicable cells are frequent.
VALUES = {"blank": None, "not applicable": engine.NOT_APPLICABLE, "zero": D(0), "a cent": D("0.01")}
VALUE = st.sampled_from([*VALUES, "half", "maximum"])
EDIT = st.tuples(st.integers(0, 7), st.sampled_from(sorted(LEAVES)), VALUE)


def typed(value, maximum):
    return {"half": (maximum / 2).quantize(D("0.01")), "maximum": maximum}.get(value, VALUES.get(value))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(EDIT, min_size=1, max_size=5), min_size=1, max_size=4))
def test_saves_give_the_results_of_a_full_recompute(three_rounds, batches):
    framework, following, units = three_rounds
    with transaction.atomic():  # each example starts from the fixture's rounds
        for batch in batches:  # a save of one to five cells; the last value typed in a cell wins
            edit(framework, {(units[unit], code): typed(value, LEAVES[code]) for unit, code, value in batch})
        saved = stored(framework), stored(following)
        services.framework_results_recompute(framework=framework)  # and the following round, which compares with it
        assert (stored(framework), stored(following)) == saved
        transaction.set_rollback(True)
