"""Properties of the arithmetic over many generated inputs (hypothesis)."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from scoring import engine

points = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
positive_max = st.decimals(min_value="0.01", max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False, allow_infinity=False))
def test_round_half_up_agrees_with_decimal_half_up_on_exact_values(value):
    assert engine.round_half_up(value) == value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@given(points, positive_max)
def test_index_is_the_exactly_rounded_ratio_within_0_and_100(total, applicable_max):
    index = engine.index_from(total, applicable_max)
    exact = Fraction(total) * 100 / Fraction(applicable_max)
    assert Decimal(0) <= index <= Decimal(100)
    if exact <= 100:
        assert abs(Fraction(index) - exact) <= Fraction(1, 200)  # within half a hundredth
        assert index.as_tuple().exponent == -2


@given(st.dictionaries(st.integers(0, 50), st.decimals(0, 100, places=2, allow_nan=False), max_size=30))
def test_rank_is_one_plus_the_number_of_strictly_better_indexes(indexes):
    ranks = engine.competition_ranks(indexes)
    for key, index in indexes.items():
        rank, tied = ranks[key]
        assert rank == 1 + sum(1 for other in indexes.values() if other > index)
        assert tied == (sum(1 for other in indexes.values() if other == index) > 1)


@given(st.lists(st.tuples(points, st.booleans()), min_size=1, max_size=12))
def test_not_applicable_leaves_scale_the_index_to_the_applicable_maximum(cells):
    criteria = [engine.CriterionNode(str(n + 1), Decimal(1000)) for n in range(len(cells))]
    scores = {str(n + 1): engine.NOT_APPLICABLE if skipped else value for n, (value, skipped) in enumerate(cells)}
    totals = engine.unit_totals(criteria, scores)
    applicable = [value for value, skipped in cells if not skipped]
    assert totals.applicable_max == Decimal(1000) * len(applicable)
    assert totals.total_points == sum(applicable, Decimal(0))
    expected = engine.index_from(totals.total_points, totals.applicable_max) if applicable else None
    assert totals.index == expected
