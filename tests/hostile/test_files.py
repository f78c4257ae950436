"""Hostile spreadsheets: arbitrary bytes under every suffix, zip bombs, entity
expansion and external entities, truncated and malformed archives, oversized
files, megabyte cells, formula text and absurd numbers. Every one is refused
with a clear message (or, for formula text, stored as plain text) and nothing
is written."""

import io
import time
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from scoring.models import Criterion, Framework, Result, Revision, Score
from scoring.spreadsheets import writers as exports
from scoring.spreadsheets.imports import LONG_COLUMNS, criteria_from_file, results_from_file, scores_from_file
from scoring.spreadsheets.reader import TableError, Upload, grid, read_table
from scoring.spreadsheets.units import unit_rows_from_file
from tests.hostile.test_cells import HOSTILE
from tests.scoring.samples import DATA, SLUG
from units.models import Unit

SAMPLE_XLSX = (DATA / "scores_wide.xlsx").read_bytes()
SAMPLE_ODS = (DATA / "scores_wide.ods").read_bytes()


@pytest.fixture(autouse=True)
def _english():
    # The new messages are not translated yet: English msgids are what a test can name.
    with translation.override("en"):
        yield


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezipped(data: bytes, replace: dict[str, bytes], *, add: dict[str, bytes] | None = None) -> bytes:
    """The archive ``data`` with some members replaced and others added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, content in (add or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in (Unit, Framework, Criterion, Score, Result, Revision)}


def refused(command: str, path, *arguments, **options) -> str:
    """The error of ``command`` on ``path``, checked to have written nothing."""
    before = counts()
    with pytest.raises(CommandError) as error:
        call_command(command, str(path), *arguments, **options)
    assert counts() == before
    return "\n".join(line.strip() for line in str(error.value).splitlines() if line.strip())


# --- arbitrary bytes ------------------------------------------------------

zipped = st.builds(
    lambda data, position, junk: data[:position] + junk + data[position + len(junk) :],
    st.sampled_from([SAMPLE_XLSX, SAMPLE_ODS]),
    st.integers(min_value=0, max_value=len(SAMPLE_ODS)),
    st.binary(min_size=1, max_size=64),
)
any_bytes = st.one_of(st.binary(max_size=2000), zipped, st.builds(lambda data: b"PK\x03\x04" + data, st.binary()))


@HOSTILE
@given(any_bytes, st.sampled_from([".csv", ".xlsx", ".ods", ".CSV", ".txt", ""]))
def test_any_bytes_under_any_suffix_read_as_rows_or_a_table_error(data, suffix):
    try:
        rows = grid(Upload("upload" + suffix, data))
    except TableError as error:
        assert error.messages and all(error.messages)
    else:
        assert all(isinstance(row, list) for row in rows)


@HOSTILE
@given(st.lists(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(["Mã đơn vị", "Mã tiêu chí", "Điểm", "="])))))
def test_any_csv_text_reads_as_a_table_or_a_table_error(rows):
    data = "\n".join(";".join(row) for row in rows).encode()
    try:
        read_table(Upload("scores.csv", data), LONG_COLUMNS)
    except TableError as error:
        assert error.messages


@pytest.mark.django_db
@HOSTILE
@given(st.binary(max_size=600), st.sampled_from(["", "Mã đơn vị;Mã tiêu chí;Điểm\n", "Mã đơn vị;1.1;2.1\n"]))
def test_any_bytes_as_a_scores_or_criteria_file_are_rows_or_a_table_error(framework, data, header):
    upload = Upload("scores.csv", header.encode() + data)
    for read in (lambda: scores_from_file(upload, framework), lambda: criteria_from_file(upload)):
        try:
            read()
        except TableError as error:
            assert error.messages and all(error.messages)


# --- hand-made hostile files ----------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_unpacked(db, tmp_path, settings):
    bomb = rezipped(xlsx([["code", "name", "kind"]]), {}, add={"xl/media/zeros.bin": bytes(50 * 2**20)})
    assert len(bomb) < 100_000  # 50 MB of zeros deflate to about 50 KB
    settings.IMPORT_MAX_UNPACKED_BYTES = 10 * 2**20
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    # This process's CPU time, what unpacking would cost, however busy the machine is.
    started = time.process_time()
    assert refused("import_units", path) == "bomb.xlsx unpacks to more than the allowed size"
    assert time.process_time() - started < 2


def test_a_zip_that_lies_about_its_sizes_does_not_unpack_without_bound():
    # The bomb check trusts the sizes the archive declares; calamine must still
    # refuse a member larger than it claims (the CRC fails at its end).
    book = xlsx([["code", "name", "kind"], ["01", "A", "tỉnh"]])
    sheet = zipfile.ZipFile(io.BytesIO(book)).read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"<sheetData>", b"<sheetData>" + b" " * (20 * 2**20))
    liar = bytearray(rezipped(book, {"xl/worksheets/sheet1.xml": padded}))
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local and central file sizes
        start = 0
        while (start := liar.find(header, start)) != -1:
            name_start = start + (30 if header == b"PK\x03\x04" else 46)
            if liar[name_start : name_start + 24] == b"xl/worksheets/sheet1.xml":
                liar[start + offset : start + offset + 4] = len(sheet).to_bytes(4, "little")
            start += 4
    started = time.process_time()
    with pytest.raises(TableError, match="is a damaged spreadsheet"):
        grid(Upload("liar.xlsx", bytes(liar)))
    assert time.process_time() - started < 5


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">
<si><t>&lol9;</t></si><si><t>&xxe;</t></si></sst>"""


def _cells(rows) -> list:
    return [cell for row in rows for cell in row if cell is not None]


def test_entity_expansion_and_external_entities_in_an_xlsx_are_not_followed():
    book = xlsx([["Mã", "Tên", "Loại"], ["text one", "text two", "tỉnh"]])
    # openpyxl writes text inline: the entities go into the sheet itself, and into the shared strings.
    sheet = zipfile.ZipFile(io.BytesIO(book)).read("xl/worksheets/sheet1.xml")
    declaration, body = sheet.split(b"?>", 1) if sheet.startswith(b"<?xml") else (b"", sheet)
    doctype = BILLION_LAUGHS.split(b"?>", 1)[1].split(b"<sst")[0]
    body = body.replace(b"text one", b"&lol9;").replace(b"text two", b"&xxe;")
    sheet = (declaration + b"?>" if declaration else b"") + doctype + body
    hostile = rezipped(book, {"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": BILLION_LAUGHS})
    started = time.process_time()
    try:
        cells = _cells(grid(Upload("laughs.xlsx", hostile)))
    except TableError as error:
        assert error.messages == ["laughs.xlsx is a damaged spreadsheet"]
    else:  # read safely: the entities stay unexpanded, no file is read
        assert all(len(str(cell)) < 1000 for cell in cells)
        assert not any("root:" in str(cell) for cell in cells)
    assert time.process_time() - started < 2


def test_entity_expansion_in_an_ods_is_not_followed():
    content = BILLION_LAUGHS.split(b"<sst")[0] + (
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        b'<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string">'
        b'<text:p>&lol9;</text:p></table:table-cell><table:table-cell office:value-type="string">'
        b"<text:p>&xxe;</text:p></table:table-cell></table:table-row></table:table>"
        b"</office:spreadsheet></office:body></office:document-content>"
    )
    hostile = rezipped(SAMPLE_ODS, {"content.xml": content})
    try:
        cells = _cells(grid(Upload("laughs.ods", hostile)))
    except TableError as error:
        assert error.messages == ["laughs.ods is a damaged spreadsheet"]
    else:
        assert all(len(str(cell)) < 1000 for cell in cells)
        assert not any("root:" in str(cell) for cell in cells)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cut.xlsx", SAMPLE_XLSX[: len(SAMPLE_XLSX) // 2], "cut.xlsx is a damaged spreadsheet"),
        ("cut.ods", SAMPLE_ODS[:-100], "cut.ods is a damaged spreadsheet"),
        ("bad.ods", rezipped(SAMPLE_ODS, {"content.xml": b"<office:document-content><table:table"}), None),
        ("bad.xlsx", rezipped(SAMPLE_XLSX, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"}), None),
        ("nul.xlsx", rezipped(SAMPLE_XLSX, {"xl/workbook.xml": b"\x00" * 100}), "nul.xlsx is a damaged spreadsheet"),
        ("empty.xlsx", b"PK\x03\x04", "empty.xlsx is a damaged spreadsheet"),
        # A zip of an unknown version: the standard library raised NotImplementedError (found by bench/fuzz.py).
        ("future.ods", SAMPLE_ODS.replace(b"PK\x01\x02\x14\x00\x14\x00", b"PK\x01\x02\x14\x00\xf8\x00", 1), None),
    ],
)
def test_truncated_and_malformed_archives_are_damaged_spreadsheets(name, data, message):
    try:
        rows = grid(Upload(name, data))
    except TableError as error:
        assert error.messages == [message or f"{name} is a damaged spreadsheet"]
    else:  # calamine may read what it can of a broken sheet, but never invents a header
        assert message is None
        with pytest.raises(TableError, match="no header row"):
            read_table(Upload(name, data), LONG_COLUMNS)
        assert isinstance(rows, list)


def test_an_oversized_file_is_refused_before_it_is_read(db, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 2**20
    path = tmp_path / "big.csv"
    path.write_bytes(b"code;name;kind\n" + b"01;A;tinh\n" * 200_000)
    assert refused("import_units", path) == "big.csv is 1.9 MB; the limit is 1 MB"


def test_a_csv_cell_of_a_megabyte_is_refused_with_its_line(db, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("code;name;kind\n01;A;tỉnh\n02;" + "x" * 2**20 + ";tỉnh\n", encoding="utf-8")
    assert refused("import_units", path) == "huge.csv, line 3: a cell is longer than 131072 characters"


def test_a_spreadsheet_cell_of_a_megabyte_is_refused_as_too_long_and_quoted_short(db, tmp_path):
    path = tmp_path / "huge.xlsx"
    path.write_bytes(xlsx([["Mã", "Tên", "Loại"], ["01", "A" * 2**20, "tỉnh"], ["02", "B", "tỉnh"]]))
    message = refused("import_units", path)
    assert message == f"row 2, column Tên, value '{'A' * 60}…': longer than 200 characters"


def test_a_lone_carriage_return_ends_a_line_as_old_spreadsheets_write_them():
    # Regression (found by bench/fuzz.py): csv raised "new-line character seen in unquoted field".
    rows = grid(Upload("mac.csv", b"code;name;kind\r01;A;tinh\r02;B\x00;tinh"))
    assert rows == [["code", "name", "kind"], ["01", "A", "tinh"], ["02", "B\x00", "tinh"]]


def test_control_characters_in_names_are_dropped_on_import(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes("Mã;Tên;Loại\n01;Tỉnh\x00 A\x07;tỉnh\n".encode())
    call_command("import_units", str(path))
    assert Unit.objects.get(code="01").name == "Tỉnh A"


def test_formula_text_in_a_name_is_stored_as_plain_text_and_exported_safely(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text('Mã;Tên;Loại\n01;"=CMD(""/C calc"")!A1";tỉnh\n02;@SUM(1+1);tỉnh\n03;-2+3;tỉnh\n', encoding="utf-8")
    call_command("import_units", str(path))
    names = dict(Unit.objects.values_list("code", "name"))
    assert names == {"01": '=CMD("/C calc")!A1', "02": "@SUM(1+1)", "03": "-2+3"}
    headers, rows = ["Mã", "Tên"], [[code, name] for code, name in sorted(names.items())]
    exported = exports.table_csv(headers, rows).decode("utf-8-sig").splitlines()
    assert exported[1:] == ['"01","\'=CMD(""/C calc"")!A1"', '"02","\'@SUM(1+1)"', '"03","\'-2+3"']
    sheet = openpyxl.load_workbook(io.BytesIO(exports.table_xlsx([("T", "T")], "T", headers, rows))).active
    assert [(cell.value, cell.data_type) for cell in sheet["B"][1:]] == [
        ('=CMD("/C calc")!A1', "s"),
        ("@SUM(1+1)", "s"),
        ("-2+3", "s"),
    ]


def test_a_name_with_control_characters_still_exports_as_xlsx():
    # Regression: a name typed with a control character through the admin made
    # openpyxl refuse the whole download (IllegalCharacterError, a 500).
    content = exports.table_xlsx([("T\x01", "T\x02")], "T", ["Tên"], [["Huyện\x01 A\x1b"]])
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert (book.active["A2"].value, book.worksheets[1]["A1"].value) == ("Huyện A", "T")


# --- absurd numbers through the importers -----------------------------------


@pytest.mark.parametrize("value", ["1e308", "NaN", "inf", "9" * 500, "1,2,3", "=1+2", "@1", "+-1", "0x10"])
def test_absurd_points_are_refused_by_cell_with_nothing_written(framework, tmp_path, value):
    path = tmp_path / "scores.csv"
    path.write_text(f'Mã đơn vị;Mã tiêu chí;Điểm;Ghi chú\n689;1.1;"{value}";\n689;1.2;3;\n', encoding="utf-8")
    message = refused("import_scores", path, framework=SLUG)
    shown = value if len(value) <= 60 else value[:60] + "…"
    reason = "above the maximum 4.00" if value == "9" * 500 else "not a number, and not KAD (không áp dụng)"
    assert f"row 2, column Điểm, value '{shown}': " in message
    assert reason in message


@pytest.mark.parametrize("value", ["1e308", "1E+27", "1e999", "-1e999", "NaN", "-0"])
def test_absurd_spreadsheet_numbers_are_refused_by_cell(framework, value):
    # Written into the sheet's XML as they are: openpyxl itself writes NaN and infinity as blank.
    book = xlsx([["Mã đơn vị", "1.1", "1.2"], ["689", 12345.678, 3]])
    sheet = zipfile.ZipFile(io.BytesIO(book)).read("xl/worksheets/sheet1.xml")
    hostile = rezipped(book, {"xl/worksheets/sheet1.xml": sheet.replace(b"12345.678", value.encode())})
    upload = Upload("scores.xlsx", hostile)
    if value == "-0":  # negative zero is zero: a valid score
        assert scores_from_file(upload, framework).cells[0][2] == Decimal(0)
        return
    with pytest.raises(TableError) as error:
        scores_from_file(upload, framework)
    assert len(error.value.messages) == 1
    assert error.value.messages[0].startswith("row 2, column 1.1, value ")
    assert error.value.messages[0].endswith(("not a number, and not KAD (không áp dụng)", "above the maximum 4.00"))


@pytest.fixture
def published_framework(binh_phuoc):
    from tests.scoring.samples import framework_import

    return framework_import(mode="published", slug="published-2022")


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("Xếp hạng", "9" * 500, "not a whole number from 1 to 99999"),
        ("Xếp hạng", "100000", "not a whole number from 1 to 99999"),
        ("Xếp hạng", "-0", "not a whole number from 1 to 99999"),
        ("Chỉ số", "1e308", "not a number"),
    ],
)
def test_absurd_results_are_refused_by_cell(published_framework, column, value, reason):
    # Regression: a rank of 10**500 reached the database (an integer overflow, a 500).
    cells = {"Chỉ số": "90,5", "Xếp hạng": "1", column: value}
    data = f"Mã đơn vị;Chỉ số;Xếp hạng\n689;{cells['Chỉ số']};{cells['Xếp hạng']}\n".encode()
    with pytest.raises(TableError) as error:
        results_from_file(Upload("results.csv", data), published_framework)
    shown = value if len(value) <= 60 else value[:60] + "…"
    assert error.value.messages == [f"row 2, column {column}, value '{shown}': {reason}"]


def test_a_criterion_code_or_name_longer_than_its_column_is_refused(db, tmp_path):
    path = tmp_path / "criteria.csv"
    long_code = ".".join(["1"] * 11)
    path.write_text(f"Mã tiêu chí;Tiêu chí;Điểm tối đa\n{long_code};A;10\n2;{'x' * 501};10\n", encoding="utf-8")
    message = refused("import_framework", path, index="cchc", year=2022, scope="70", block="district", mode="published")
    assert f"row 2, column Mã tiêu chí, value '{long_code}': longer than 20 characters" in message
    assert "row 3, column Tiêu chí, value '" + "x" * 60 + "…': longer than 500 characters" in message


def test_the_units_reader_takes_an_upload_as_well_as_a_path():
    # A header row without units named the file through Path(upload): a TypeError.
    with pytest.raises(TableError, match=r"units\.csv has a header row but no units below it"):
        unit_rows_from_file(Upload("units.csv", "Mã;Tên;Loại\n".encode()))
