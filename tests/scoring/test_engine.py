"""DESIGN §3 by hand-computed cases. Pure functions: no database."""

from decimal import Decimal as D

import pytest

from scoring import engine
from scoring.engine import NOT_APPLICABLE, CriterionNode

# A small framework: field 1 (40) = 1.1 (25) + 1.2 (15); field 2 (60) = 2.1 (60);
# field 3: bonus 3.1 (5); field 4: penalty 4.1 (10).
TREE = [
    CriterionNode("1", D("40")),
    CriterionNode("1.1", D("25")),
    CriterionNode("1.2", D("15")),
    CriterionNode("2", D("60")),
    CriterionNode("2.1", D("60")),
    CriterionNode("3", D("5"), engine.BONUS),
    CriterionNode("3.1", D("5"), engine.BONUS),
    CriterionNode("4", D("10"), engine.PENALTY),
    CriterionNode("4.1", D("10"), engine.PENALTY),
]


def test_parent_points_are_the_sum_of_children_and_fields_are_top_level():
    totals = engine.unit_totals(TREE, {"1.1": D("20.50"), "1.2": D("12.25"), "2.1": D("50")})
    assert totals.field_points == {"1": D("32.75"), "2": D("50.00"), "3": D("0.00"), "4": D("0.00")}
    assert totals.total_points == D("82.75")
    assert totals.applicable_max == D("100.00")
    assert totals.index == D("82.75")  # all applicable, maxima add to 100: index = total


def test_not_applicable_criterion_leaves_the_maximum_and_index_is_normalised_to_100():
    # 1.2 does not apply: applicable max 85; (20 + 51) / 85 × 100 = 83.529… → 83.53
    totals = engine.unit_totals(TREE, {"1.1": D("20"), "1.2": NOT_APPLICABLE, "2.1": D("51")})
    assert totals.applicable_max == D("85.00")
    assert totals.total_points == D("71.00")
    assert totals.index == D("83.53")


def test_not_entered_counts_zero_but_stays_applicable():
    totals = engine.unit_totals(TREE, {"1.1": D("25"), "2.1": D("60")})
    assert totals.applicable_max == D("100.00")
    assert totals.index == D("85.00")


def test_bonus_adds_and_penalty_subtracts_without_changing_the_maximum():
    # normal 80 + bonus 3 − penalty 2.5 = 80.50 out of 100
    totals = engine.unit_totals(TREE, {"1.1": D("20"), "1.2": D("10"), "2.1": D("50"), "3.1": D("3"), "4.1": D("2.5")})
    assert totals.total_points == D("80.50")
    assert totals.applicable_max == D("100.00")
    assert totals.index == D("80.50")
    assert totals.field_points["3"] == D("3.00")
    assert totals.field_points["4"] == D("2.50")


def test_index_is_clamped_to_100_and_to_0():
    over = engine.unit_totals(TREE, {"1.1": D("25"), "1.2": D("15"), "2.1": D("60"), "3.1": D("5")})
    assert over.total_points == D("105.00")
    assert over.index == D("100.00")
    under = engine.unit_totals(TREE, {"1.1": D("3"), "4.1": D("10")})
    assert under.total_points == D("-7.00")
    assert under.index == D("0.00")


def test_index_rounds_half_up_where_float_rounds_to_even():
    # 160.25 / 200 × 100 = 80.125 exactly; half-up gives 80.13.
    assert round(160.25 / 200 * 100, 2) == 80.12  # what float arithmetic would publish
    assert engine.index_from(D("160.25"), D("200")) == D("80.13")
    # 1.005 is the classic: float holds 1.00499999…, so round(1.005, 2) == 1.0
    assert round(1.005, 2) == 1.0
    assert engine.round_half_up(D("1.005")) == D("1.01")
    # just below a half stays down: 2 / 3 × 100 = 66.666… → 66.67; 1 / 8 = 12.5 → 12.50
    assert engine.index_from(D("2"), D("3")) == D("66.67")
    assert engine.index_from(D("0.125"), D("1")) == D("12.50")


def test_round_half_up_goes_away_from_zero_for_negative_changes():
    assert engine.round_half_up(D("-0.125")) == D("-0.13")
    assert engine.round_half_up(D("-0.124")) == D("-0.12")


def test_no_applicable_criterion_means_no_index():
    tree = [CriterionNode("1", D("10"))]
    totals = engine.unit_totals(tree, {"1": NOT_APPLICABLE})
    assert totals.applicable_max == D("0.00")
    assert totals.index is None


def test_equal_indexes_share_rank_and_next_rank_skips():
    ranks = engine.competition_ranks(
        {
            "a": D("93.91"),
            "b": D("88.10"),
            "c": D("88.10"),
            "d": D("80.00"),
            "e": D("80.00"),
            "f": D("80.00"),
            "g": D("70"),
        }
    )
    assert ranks == {
        "a": (1, False),
        "b": (2, True),
        "c": (2, True),
        "d": (4, True),
        "e": (4, True),
        "f": (4, True),
        "g": (7, False),
    }


def test_ties_are_decided_on_the_rounded_index():
    # 80.124 and 80.115 both round to 80.12 (half-up: 80.115 → 80.12): a tie as published.
    first = engine.index_from(D("80.124"), D("100"))
    second = engine.index_from(D("80.115"), D("100"))
    assert first == second == D("80.12")
    assert engine.competition_ranks({"x": first, "y": second}) == {"x": (1, True), "y": (1, True)}


def test_unit_without_index_is_unranked():
    assert engine.competition_ranks({"a": None, "b": D("50")}) == {"a": (None, False), "b": (1, False)}


DEFAULT_BANDS = [("Xuất sắc", D("90")), ("Tốt", D("80")), ("Khá", D("70")), ("Trung bình", D("50")), ("Yếu", D("0"))]


@pytest.mark.parametrize(
    ("index", "band"),
    [
        ("100", "Xuất sắc"),
        ("90.00", "Xuất sắc"),
        ("89.99", "Tốt"),
        ("80.00", "Tốt"),
        ("79.99", "Khá"),
        ("70.56", "Khá"),  # Ngân Sơn 2022, "xếp loại khá"
        ("70.00", "Khá"),
        ("69.99", "Trung bình"),
        ("50.00", "Trung bình"),
        ("49.99", "Yếu"),
        ("0", "Yếu"),
    ],
)
def test_bands_at_their_exact_bounds(index, band):
    assert engine.band_for(D(index), DEFAULT_BANDS) == band


def test_national_bands_leave_indexes_below_c_without_band():
    national = [("A", D("90")), ("B", D("80")), ("C", D("70"))]
    assert engine.band_for(D("90"), national) == "A"
    assert engine.band_for(D("70"), national) == "C"
    assert engine.band_for(D("69.99"), national) == ""
    assert engine.band_for(None, national) == ""


def test_rank_delta_is_positive_when_moving_up():
    assert engine.rank_delta(5, 11) == 6  # Đồng Phú 2022: from 11th to 5th, "tăng 6 bậc"
    assert engine.rank_delta(9, 5) == -4  # Phú Lương 2017: from 5th to 9th, "giảm 4 bậc"
    assert engine.rank_delta(3, 3) == 0
    assert engine.rank_delta(3, None) is None


def test_index_and_field_deltas_match_fields_by_code():
    assert engine.delta(D("13.96"), D("9.75")) == D("4.21")
    assert engine.delta(D("8.10"), D("8.40")) == D("-0.30")
    assert engine.delta(D("1"), None) is None
    assert engine.field_deltas({"4": D("13.96"), "9": D("1")}, {"4": D("9.75")}) == {"4": D("4.21"), "9": None}
    assert engine.field_deltas({"4": D("13.96")}, None) == {"4": None}


def test_previous_result_is_the_unit_itself_or_its_single_rename_predecessor():
    has_previous = {"A", "OLD"}
    assert engine.previous_unit_for("A", [], has_previous) == "A"
    assert engine.previous_unit_for("NEW", [("OLD", engine.RENAME)], has_previous) == "OLD"
    assert engine.previous_unit_for("NEW", [], has_previous) is None


def test_unit_with_nothing_entered_has_no_index():
    totals = engine.unit_totals(TREE, {"1.2": NOT_APPLICABLE})
    assert totals.index is None
    assert totals.applicable_max == D("85.00")
    # one entered zero is a score of zero
    assert engine.unit_totals(TREE, {"2.1": D("0")}).index == D("0.00")


def test_only_links_to_units_ranked_last_round_count():
    # merged in 2010 from units long gone: continues its own result
    assert engine.previous_unit_for("A", [("X", engine.MERGE), ("Y", engine.MERGE)], {"A"}) == "A"
    # renamed from OLD, and a merger of long ago: OLD is its single recent predecessor
    assert engine.previous_unit_for("NEW", [("OLD", engine.RENAME), ("X", engine.MERGE)], {"OLD"}) == "OLD"


def test_merged_or_split_unit_has_no_previous_result():
    has_previous = {"A", "B", "M"}
    assert engine.previous_unit_for("M", [("A", engine.MERGE), ("B", engine.MERGE)], has_previous) is None
    assert engine.previous_unit_for("S", [("A", engine.SPLIT)], has_previous) is None
    # two renames into one unit are no single predecessor either
    assert engine.previous_unit_for("N", [("A", engine.RENAME), ("B", engine.RENAME)], has_previous) is None


def test_tree_errors_name_each_problem():
    bad = [
        CriterionNode("1", D("10")),
        CriterionNode("1.1", D("4")),
        CriterionNode("1.2", D("5")),
        CriterionNode("2.1", D("3")),
        CriterionNode("1.3", D("1"), engine.BONUS),
    ]
    errors = engine.tree_errors(bad)
    assert len(errors) == 2  # 1's maximum 10 does equal 4 + 5 + 1
    assert errors[0] == "tiêu chí 2.1: không có tiêu chí cha 2"
    assert "1.3" in errors[1] and "bonus" in errors[1]
    assert engine.tree_errors(TREE) == []


def test_tree_errors_report_a_parent_maximum_that_is_not_the_sum():
    errors = engine.tree_errors(
        [CriterionNode("1", D("10")), CriterionNode("1.1", D("4")), CriterionNode("1.2", D("5"))]
    )
    assert len(errors) == 1
    assert "1" in errors[0] and "10" in errors[0] and "9" in errors[0]


def test_summary_counts_mean_median_moves_and_bands():
    rows = [
        (D("93.91"), 6, True, "Xuất sắc"),
        (D("88.10"), -1, True, "Tốt"),
        (D("88.10"), 0, True, "Tốt"),
        (D("70.56"), None, False, "Khá"),
    ]
    summary = engine.summarise(rows, [label for label, _ in DEFAULT_BANDS])
    assert summary.count == 4
    # (93.91 + 88.10 + 88.10 + 70.56) / 4 = 340.67 / 4 = 85.1675 → 85.17
    assert summary.mean == D("85.17")
    assert summary.median == D("88.10")
    assert (summary.minimum, summary.maximum) == (D("70.56"), D("93.91"))
    assert (summary.up, summary.down, summary.unchanged, summary.new) == (1, 1, 1, 1)
    assert summary.bands == {"Xuất sắc": 1, "Tốt": 2, "Khá": 1, "Trung bình": 0, "Yếu": 0}


def test_summary_median_of_an_even_count_rounds_half_up():
    summary = engine.summarise([(D("80.01"), None, False, ""), (D("80.02"), None, False, "")], [])
    assert summary.median == D("80.02")  # 80.015 → 80.02
    assert engine.summarise([], []).mean is None
