"""Downloads carry no active content: names that a spreadsheet would run as
formulas, in units, criteria, bands and rankings, come out of every CSV as text
whichever separator the CSV is opened with, and out of every XLSX as string
cells; numbers, negative ones included, stay numbers."""

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from scoring.spreadsheets import writers as exports
from tests.hostile.samples import hostile_rounds, named_units
from tests.hostile.test_cells import ABSURD, HOSTILE

pytestmark = pytest.mark.django_db

NAMES = ("x,=2+3,", "a;=1+1;b", '=HYPERLINK("http://e")', "+1", "@SUM(A1)")
# Each name as a CSV shows it: an apostrophe before every formula start.
SHOWN = ("x,'=2+3,", "a;'=1+1;b", '\'=HYPERLINK("http://e")', "'+1", "'@SUM(A1)")
# What makes a spreadsheet read a cell as a formula, after any spaces and quotes.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


@pytest.fixture
def rounds():
    return hostile_rounds(
        units=named_units(NAMES),
        criterion_names=NAMES,
        band_labels=("=Tốt", "Khá;-1"),
        framework_name="@Chỉ số {year};=1+1",
    )


def read(data: bytes, delimiter: str) -> list[list[str]]:
    """The CSV as a spreadsheet opened with ``delimiter`` splits it (line breaks
    inside a cell end a line when it is read with the wrong separator)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def formula_cells(data: bytes) -> list[str]:
    """Every cell a reading with a comma or a semicolon gives that a spreadsheet
    would run as a formula: one starting (after spaces and quotes) with a formula
    character, other than a number such as "-20,00"."""
    return [
        cell
        for delimiter in ",;"
        for row in read(data, delimiter)
        for cell in row
        if cell.lstrip(' "').startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)
    ]


def download(client, url, kind, **params):
    response = client.get(url, {**params, "format": kind})
    assert response.status_code == 200
    return response.content


def downloads(client, rounds):
    """(name, url, query) of the ranking, a unit profile and the compare page, in both languages."""
    framework, units = rounds
    codes = ",".join(unit.code for unit in units[:4])
    with translation.override("vi"):
        pages = [
            ("ranking", framework.get_absolute_url(), {}),
            ("profile", units[0].get_absolute_url(), {}),
            ("compare", reverse("public:compare"), {"units": codes}),
        ]
    return [(name, prefix + url, params) for prefix in ("", "/en") for name, url, params in pages]


def test_no_csv_cell_is_a_formula_read_with_either_separator(client, rounds):
    for name, url, params in downloads(client, rounds):
        data = download(client, url, "csv", **params)
        assert formula_cells(data) == [], f"{name} {url}"


def test_the_vietnamese_ranking_csv_shows_the_names_and_keeps_the_numbers(client, rounds):
    framework, _units = rounds
    rows = read(download(client, framework.get_absolute_url(), "csv"), ";")
    header = rows[0]
    # A criterion's name follows its code: only what follows a separator needs the apostrophe.
    assert header[8::2] == [
        "1. x,'=2+3, (20,00)",
        "2. a;'=1+1;b (20,00)",
        '3. =HYPERLINK("http://e") (20,00)',
        "4. +1 (20,00)",
        "5. @SUM(A1) (20,00)",
    ]
    by_name = {row[3]: row for row in rows[1:]}
    assert set(by_name) == set(SHOWN)
    first = by_name["x,'=2+3,"]  # 90 in 2021, 70 in 2022: last of five, down 4
    assert first[:8] == ["5", "", first[2], "x,'=2+3,", "70,00", "Khá;'-1", "-20,00", "-4"]
    assert first[8:10] == ["14,00", "-4,00"]  # a field's points and change, numbers as written
    assert by_name["'@SUM(A1)"][5] == "'=Tốt"


def test_the_english_profile_and_compare_csvs_show_the_names(client, rounds):
    _framework, units = rounds
    rows = read(download(client, f"/en/units/{units[0].code}/", "csv"), ",")
    # No English name: the Vietnamese, made safe, and marked.
    assert [row[1] for row in rows[1:]] == ["'@Chỉ số 2022;'=1+1 [VI]", "'@Chỉ số 2021;'=1+1 [VI]"]
    assert rows[1][2] == "70.00" and rows[1][7:9] == ["-20.00", "-4"]
    # Then the field scores, each column named with the field as written (made safe).
    assert rows[0][9] == "1. x,'=2+3, [VI]" and rows[1][9] == "14.00"
    codes = ",".join(unit.code for unit in units[:4])
    rows = read(download(client, "/en/compare/", "csv", units=codes), ",")
    assert rows[0][2::3] == [f"{shown}: Index" for shown in SHOWN[:4]]


def test_no_xlsx_cell_is_a_formula_and_names_read_as_named(client, rounds):
    for name, url, params in downloads(client, rounds):
        book = openpyxl.load_workbook(io.BytesIO(download(client, url, "xlsx", **params)))
        cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
        assert [cell.coordinate for cell in cells if cell.data_type == "f"] == [], f"{name} {url}"
        texts = {cell.value for cell in cells if isinstance(cell.value, str)}
        if name == "ranking":
            assert set(NAMES) <= texts  # no apostrophe: a string cell shows the name as it is
        if name != "compare":  # the compare table has no change columns
            numbers = [cell.value for cell in cells if cell.data_type == "n" and cell.value is not None]
            assert any(number < 0 for number in numbers), f"{name} {url}: no negative change left a number"


@HOSTILE
@given(st.lists(st.one_of(st.sampled_from(ABSURD + list(NAMES)), st.text(alphabet=',;="+-@ \t\r\nab', max_size=12))))
def test_any_text_is_no_formula_in_a_csv_of_either_language(texts):
    texts = [ILLEGAL_CHARACTERS_RE.sub("", text) for text in texts]
    for language in ("vi", "en"):
        with translation.override(language):
            # As in every table: a rank or a year first, then text and numbers.
            data = exports.table_csv(["Hạng", *texts, "±"], [[1, *texts, -2], [None, *reversed(texts), None]])
        assert formula_cells(data) == []
