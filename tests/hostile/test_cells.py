"""Hostile cell text and absurd numbers through every cell parser: each gives a
value of its documented type or ``ValueError``, never another exception, and
the short cuts read as the general parser does."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import engine
from scoring.spreadsheets.imports import code_like, parse_points
from scoring.spreadsheets.reader import parse_date, parse_number, shown, text
from staff.grids import parse_cell

# Deterministic and quick: the whole hostile set stays well under a minute.
HOSTILE = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

ABSURD = [
    "1e308",
    "-1e308",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "9" * 500,
    "-0",
    "1,2,3",
    "1..2",
    "0x10",
    "1_000",
    "١٢",  # Arabic-Indic digits
    "༣",  # a Tibetan digit
    "=1+2",
    '=CMD("calc")',
    "+1",
    "@SUM(A1)",
    "\t1",
    "\r1",
    "1\x00",
    "",
    " ",
]
cell_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(ABSURD),
    st.text(alphabet="0123456789.,-+ \u00a0\u2212'eE", max_size=30),
)
cell_values = st.one_of(
    cell_text,
    st.floats(),  # NaN, ±inf, ±0.0, 1e308 and the subnormals included
    st.integers(min_value=-(10**600), max_value=10**600),
    st.decimals(),
    st.booleans(),
    st.none(),
    st.dates(),
)


def _number_or_refusal(parse, value):
    try:
        return parse(value)
    except ValueError:
        return ValueError


@HOSTILE
@given(cell_values)
def test_parse_number_gives_a_finite_decimal_or_a_value_error(value):
    number = _number_or_refusal(parse_number, value)
    assert number is ValueError or (isinstance(number, Decimal) and number.is_finite())


@HOSTILE
@given(cell_values)
def test_parse_points_agrees_with_parse_number_whenever_it_gives_a_number(value):
    points = _number_or_refusal(parse_points, value)
    if points is None or points is engine.NOT_APPLICABLE or points is ValueError:
        return
    assert points.is_finite()
    assert points == parse_number(value)


@HOSTILE
@given(cell_values)
def test_parse_date_gives_a_date_none_or_a_value_error(value):
    day = _number_or_refusal(parse_date, value)
    assert day is None or day is ValueError or isinstance(day, date)


@HOSTILE
@given(cell_text)
def test_a_typed_grid_cell_is_none_not_applicable_a_number_or_a_value_error(typed):
    value = _number_or_refusal(parse_cell, typed)
    assert value is None or value is engine.NOT_APPLICABLE or value is ValueError or value.is_finite()


@HOSTILE
@given(cell_values)
def test_text_and_code_like_never_fail_and_text_holds_no_control_character(value):
    cell = text(value)
    assert not any(ord(character) < 32 or ord(character) == 127 for character in cell)
    assert len(shown(value)) <= 61
    code = code_like(value)
    assert code is None or isinstance(code, str)


@pytest.mark.parametrize("value", [1e308, -1e308, 1e27, 1.7976931348623157e308, 123456789012345678.0])
def test_a_huge_spreadsheet_float_is_a_number_not_an_overflow(value):
    # Regression (found by bench/fuzz.py): value * 100 overflowed to infinity, and
    # above 1e26 the quantize exceeded Decimal's 28 digits.
    assert parse_number(value) == Decimal(repr(value))
    assert parse_points(value) == Decimal(repr(value))


@pytest.mark.parametrize("value", ["༣", "١٢", "١٢,٥"])
def test_digits_of_other_scripts_are_no_score(value):
    # Regression (found by bench/fuzz.py): the plain-number short cut's \d took
    # "༣" for 3 where parse_number refuses it.
    with pytest.raises(ValueError):
        parse_points(value)
    assert code_like(value) is None


@pytest.mark.parametrize(
    "value", ["1e308", "NaN", "inf", "-inf", "1,2,3", "0x10", "1_000", "=1+2", "@1", "--1", "+-1", "1 2 3 4,5,6"]
)
def test_absurd_number_text_is_refused(value):
    with pytest.raises(ValueError):
        parse_number(value)
    with pytest.raises(ValueError):
        parse_points(value)


@pytest.mark.parametrize(
    ("value", "expected"), [("-0", Decimal(0)), (-0.0, Decimal(0)), ("9" * 500, Decimal("9" * 500))]
)
def test_negative_zero_and_long_digit_strings_read_exactly(value, expected):
    # Exact reading is the parser's job; the range check (0..maximum) refuses them later.
    assert parse_number(value) == expected


def test_nan_and_infinity_are_refused_in_every_type():
    for value in (float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")):
        with pytest.raises(ValueError):
            parse_number(value)


def test_a_typed_cell_longer_than_thirty_characters_is_refused_before_parsing():
    with pytest.raises(ValueError):
        parse_cell("1" * 31)
    with pytest.raises(ValueError):
        parse_cell("9" * 1_000_000)


def test_control_characters_are_dropped_from_text_cells():
    assert text("Huyện\x00 Đồng\x01Phú\x7f\x1b") == "Huyện ĐồngPhú"
    assert text("a\u00a0\u00a0b\tc") == "a b c"


@pytest.mark.parametrize("value", ["1 0", "1'0", "12 34", "1 2345", "1 234 56", "1234 567", "1 234,5 6", "1 234.567,8"])
def test_digits_parted_by_spaces_or_apostrophes_other_than_in_thousands_are_refused(value):
    # Regression: every space and apostrophe was dropped first, so "1 0" and "1'0" read as 10.
    with pytest.raises(ValueError):
        parse_number(value)
    with pytest.raises(ValueError):
        parse_points(value)
    with pytest.raises(ValueError):
        parse_cell(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 234,5", Decimal("1234.5")),
        ("1 234.5", Decimal("1234.5")),
        ("1'234'567.25", Decimal("1234567.25")),
        ("1\u00a0234\u202f567", Decimal("1234567")),
        ("417\u2009983", Decimal("417983")),
        (" 13,96\u00a0", Decimal("13.96")),
        ("- 1 234", Decimal("-1234")),
    ],
)
def test_thousands_parted_by_spaces_or_apostrophes_are_read(value, expected):
    assert parse_number(value) == expected


@HOSTILE
@given(
    st.integers(min_value=1, max_value=10**12),
    st.sampled_from([" ", "\u00a0", "\u202f", "\u2009", "'"]),
    st.integers(min_value=1, max_value=12),
)
def test_a_separator_is_read_only_between_groups_of_three(number, separator, position):
    digits = str(number)
    grouped = f"{int(digits):,}".replace(",", separator)
    assert parse_number(grouped) == number
    if position < len(digits) and (len(digits) - position) % 3:
        with pytest.raises(ValueError):
            parse_number(digits[:position] + separator + digits[position:])
