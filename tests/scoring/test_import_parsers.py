"""Property-based tests of the cell and header parsers the importers rest on."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import engine
from scoring.spreadsheets.imports import CriterionCodes, code_like, parse_points
from scoring.spreadsheets.reader import header_key, parse_number

amounts = st.decimals(min_value=0, max_value=999_999, places=2, allow_nan=False, allow_infinity=False)


def vietnamese(value: Decimal) -> str:
    """ "1.234,5" : dots between thousands, a decimal comma."""
    whole, _dot, fraction = f"{value:,.2f}".partition(".")
    return whole.replace(",", ".") + "," + fraction


@given(amounts)
def test_a_number_reads_back_the_same_in_every_way_people_write_it(value):
    assert parse_number(f"{value:.2f}") == value
    assert parse_number(f"{value:,.2f}") == value
    assert parse_number(vietnamese(value)) == value
    assert parse_number(vietnamese(value).replace(".", "\u00a0")) == value
    assert parse_number(f" {value:.2f}\u00a0") == value


@given(amounts)
def test_a_spreadsheet_float_reads_as_the_two_place_amount_it_stands_for(value):
    assert parse_points(float(value)) == value
    assert parse_points(float(value) + 1e-12) == value  # binary noise of a formula


@given(st.text(alphabet="0123456789.,", min_size=1, max_size=12))
def test_text_of_digits_and_separators_is_a_number_or_a_clear_refusal(raw):
    try:
        number = parse_number(raw)
    except ValueError:
        return
    assert number.is_finite() and number >= 0


@given(st.text(max_size=20).filter(lambda raw: not any(ch.isdigit() for ch in raw)))
def test_text_without_digits_is_never_a_number(raw):
    with pytest.raises(ValueError):
        parse_number(raw)


@pytest.mark.parametrize("token", ["KAD", "kad", " N/A ", "NA", "Không áp dụng", "KHÔNG ÁP DỤNG"])
def test_not_applicable_tokens(token):
    assert parse_points(token) is engine.NOT_APPLICABLE


@given(st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=3))
def test_a_criterion_code_is_found_in_every_header_form(parts):
    code = ".".join(map(str, parts))
    for header in (code, f"{code}.", f"TC {code}", f"Tiêu chí {code}", f"{code}. Công khai thủ tục"):
        assert code_like(header) == code


@given(st.integers(min_value=1, max_value=30), st.integers(min_value=1, max_value=99))
def test_a_code_typed_as_a_number_resolves_unless_two_codes_share_the_number(field, leaf):
    code = f"{field}.{leaf}"
    assert CriterionCodes([str(field), code]).resolve(float(code)) == (code, None)
    if leaf % 10 == 0:  # 1.10 and 1.1 are the same number
        resolved, why = CriterionCodes([code, f"{field}.{leaf // 10}"]).resolve(float(code))
        assert resolved is None and why


@given(st.text(max_size=30))
def test_header_keys_ignore_case_diacritics_and_punctuation(header):
    key = header_key(header)
    assert key == header_key(header.upper()) or not header.isascii()
    assert key == key.strip() and "  " not in key


def test_header_keys_of_vietnamese_headers():
    assert header_key("Mã ĐƠN VỊ (*)") == header_key("ma don vi") == "ma don vi"
    assert header_key("unit_code") == "unit code"
