"""Properties of the arithmetic over many generated inputs (hypothesis)."""

from decimal import ROUND_HALF_UP, Decimal, localcontext

from hypothesis import given
from hypothesis import strategies as st

from scoring import engine

points = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
positive_max = st.decimals(min_value="0.01", max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False, allow_infinity=False))
def test_round_half_up_agrees_with_decimal_half_up_on_exact_values(value):
    assert engine.round_half_up(value) == value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@given(points, positive_max)
def test_index_is_the_exactly_rounded_ratio_clamped_to_100(total, applicable_max):
    # Reference: 60 significant digits, far more than a ratio of two 2-decimal
    # numbers needs to settle its third decimal, then Decimal's own half-up.
    with localcontext() as context:
        context.prec = 60
        reference = (total * 100 / applicable_max).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert engine.index_from(total, applicable_max) == min(reference, Decimal(100))


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
