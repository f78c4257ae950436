"""A ranking's methodology, read from its framework: the worked example of the
index and of a criterion not applicable (hand-computed here, and the same as the
engine's), the bands with their bounds, the first tie, and how last year's
results were matched (a rename carried, a merger new)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring import engine, methodology, services
from scoring.models import Framework
from tests.factories import UnitFactory, make_framework, publish, score
from units.models import UnitLineage

pytestmark = pytest.mark.django_db

# 1 (60) = 1.1 (35) + 1.2 (25); 2 (40) = 2.1 (40); 3 bonus (5); 4 penalty (10)
ROWS = (
    ("1", "60"),
    ("1.1", "35"),
    ("1.2", "25"),
    ("2", "40"),
    ("2.1", "40"),
    ("3", "5", "bonus"),
    ("3.1", "5", "bonus"),
    ("4", "10", "penalty"),
    ("4.1", "10", "penalty"),
)


def test_the_worked_example_is_the_first_units_index_then_without_its_largest_criterion():
    first, second, third, fourth = UnitFactory.create_batch(4)
    framework = make_framework(units=[first, second, third, fourth], rows=ROWS)
    entries = [
        # 30 + 20 + 36 + 3 bonus − 2 penalty = 87 of 100: 87,00
        *(score(first, code, value) for code, value in (("1.1", "30"), ("1.2", "20"), ("2.1", "36"))),
        score(first, "3.1", "3"),
        score(first, "4.1", "2"),
        # two tied at 70,00, then one at 50,00
        *(score(unit, "2.1", "28") for unit in (second, third)),
        *(score(unit, "1.1", "35") for unit in (second, third)),
        score(second, "1.2", "7"),
        score(third, "1.2", "7"),
        score(fourth, "2.1", "40"),
        score(fourth, "1.2", "10"),
    ]
    services.scores_set(framework=framework, entries=entries)
    with CaptureQueriesContext(connection) as queries:
        method = methodology.method_for(Framework.objects.get(pk=framework.pk))
    assert len(queries) <= 8

    example = method.example
    assert (example.total_points, example.applicable_max, example.index) == (D("87.00"), D("100.00"), D("87.00"))
    # 2.1 is the largest normal leaf (40): without it 30 + 20 + 3 − 2 = 51 of 60, 85,00.
    assert example.criterion.code == "2.1" and example.criterion_points == D("36")
    assert (example.na_total_points, example.na_applicable_max, example.na_index) == (
        D("51.00"),
        D("60.00"),
        D("85.00"),
    )
    assert method.normal_max == D("100") and [c.code for c in method.bonus] == ["3.1"]
    assert [c.code for c in method.penalty] == ["4.1"]
    # 35 + 7 + 28 = 70 for both: rank 2 shared, the next is 4.
    assert (method.tie.rank, method.tie.index, len(method.tie.names), method.tie.next_rank) == (2, D("70.00"), 2, 4)
    assert [(band.label, band.lower, band.upper) for band in method.bands] == [
        ("Xuất sắc", D("90"), None),
        ("Tốt", D("80"), D("90")),
        ("Khá", D("70"), D("80")),
        ("Trung bình", D("50"), D("70")),
        ("Yếu", D("0"), D("50")),
    ]


def test_a_framework_of_published_results_gets_a_made_up_unit_computed_by_the_engine():
    unit = UnitFactory()
    framework = make_framework(units=[unit], rows=ROWS, mode=Framework.Mode.PUBLISHED)
    example = methodology.method_for(framework).example
    # ¾ of 1.1 (26,25) and 1.2 (18,75), ½ of 2.1, the largest (20), ½ of the bonus (2,50), no penalty:
    # 26,25 + 18,75 + 20 + 2,50 = 67,50 of 100; without 2.1: 47,50 of 60 = 79,17 (79,1666…).
    assert example.unit_name == "" and example.criterion.code == "2.1"
    assert (example.total_points, example.index) == (D("67.50"), D("67.50"))
    assert (example.na_total_points, example.na_applicable_max, example.na_index) == (
        D("47.50"),
        D("60.00"),
        D("79.17"),
    )
    scores = {"1.1": D("26.25"), "1.2": D("18.75"), "2.1": D("20"), "3.1": D("2.50"), "4.1": D("0")}
    nodes = [engine.CriterionNode(c.code, c.max_points, c.kind) for c in framework.criteria.all()]
    assert engine.unit_totals(nodes, scores).index == example.index


def test_the_matching_counts_units_compared_directly_through_a_rename_and_new():
    kept, old, first, second = UnitFactory.create_batch(4)
    renamed, merged = UnitFactory(name="Thị xã Mới"), UnitFactory(name="Huyện Hợp Nhất")
    UnitLineage.objects.create(predecessor=old, successor=renamed, kind="rename", effective_date=date(2022, 1, 1))
    for predecessor in (first, second):
        UnitLineage.objects.create(
            predecessor=predecessor, successor=merged, kind="merge", effective_date=date(2022, 1, 1)
        )
    before = make_framework(year=2021, units=[kept, old, first, second])
    services.scores_set(framework=before, entries=[score(unit, "1", "70") for unit in (kept, old, first, second)])
    publish(before)
    after = make_framework(year=2022, units=[kept, renamed, merged])
    services.scores_set(framework=after, entries=[score(unit, "1", "80") for unit in (kept, renamed, merged)])
    matching = methodology.method_for(after).matching
    assert (matching.previous, matching.same_unit, matching.renamed, matching.without) == (before, 1, 1, 1)
    assert methodology.method_for(before).matching.previous is None
