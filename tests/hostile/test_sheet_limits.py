"""Sheets too large to build: a few kilobytes of xlsx or ods can ask the reader for
billions of cells (one value at XFD1048576, a row repeated a million times). They
are refused before the grid is built, through every entry point (the staff
editor, the admin's imports in the request and in the background, the
commands), with a message naming the cell and the limit; the process lives on
and its memory stays small."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from scoring.models import ImportJob
from scoring.spreadsheets.extent import Limits, SheetTooLarge, column_letters, sheet_extent
from scoring.spreadsheets.reader import TableError, Upload, grid
from staff.models import StaffRole
from tests.hostile.test_cells import HOSTILE as PROPERTY
from tests.hostile.test_files import counts, refused, rezipped
from tests.scoring.samples import SLUG, framework_import
from tests.staff.conftest import user_with
from tests.staff.test_framework_editor import scratch
from units.models import Unit

ROOT = Path(__file__).resolve().parents[2]
HEADER = ("Mã", "Tên", "Điểm tối đa")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # the readers' tests name their English words
        yield


def _cell(reference: str, value: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'


def _blank_book() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Điểm"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BLANK_BOOK = _blank_book()


def xlsx(sheet_data: str, *, dimension: str | None = None) -> bytes:
    """An xlsx whose one sheet, Điểm, holds ``sheet_data`` (the rows' XML)."""
    dimension_xml = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension_xml}<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    return rezipped(BLANK_BOOK, {"xl/worksheets/sheet1.xml": sheet.encode()})


def ods(table_rows: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Điểm">'
        f"{table_rows}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
            zipfile.ZIP_DEFLATED,
        )
    return buffer.getvalue()


def _header_row() -> str:
    return (
        '<row r="1">'
        + "".join(_cell(f"{letter}1", text) for letter, text in zip("ABC", HEADER, strict=True))
        + "</row>"
    )


def _ods_cell(text: str, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{repeated}><text:p>{text}</text:p></table:table-cell>'


# The three hostile shapes of the issue, each a few kilobytes.
FAR_CELL = xlsx(_header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension="A1:C1")
DECLARED = xlsx(_header_row(), dimension="A1:XFD1048576")
REPEATED = ods(
    "<table:table-row>"
    + "".join(map(_ods_cell, HEADER))
    + '</table:table-row><table:table-row table:number-rows-repeated="1000000">'
    + _ods_cell("1", repeat=3)
    + "</table:table-row>"
)
HOSTILE = {
    "far.xlsx": (
        FAR_CELL,
        "far.xlsx, sheet Điểm: cell XFD1048576 is beyond row 500,000: at most 500,000 rows are read",
    ),
    "declared.xlsx": (
        DECLARED,
        "declared.xlsx, sheet Điểm: the declared size (up to cell XFD1048576) is beyond row 500,000: "
        "at most 500,000 rows are read",
    ),
    "repeated.ods": (
        REPEATED,
        "repeated.ods, sheet Điểm: cell C1000001 is beyond row 500,000: at most 500,000 rows are read",
    ),
}
hostile = pytest.mark.parametrize("name", list(HOSTILE))


@hostile
def test_a_sheet_too_large_is_refused_naming_its_cell_and_the_limit(name):
    data, message = HOSTILE[name]
    assert len(data) < 5_000
    with pytest.raises(TableError) as error:
        grid(Upload(name, data))
    assert error.value.messages == [message]


def test_the_limits_are_settings_and_hold_to_the_cell(settings):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS, settings.IMPORT_MAX_CELLS = 4, 3, 10
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 5))
    assert len(grid(Upload("rows.xlsx", xlsx(rows)))) == 4  # 4 rows, 1 column: within every limit
    with pytest.raises(TableError) as error:
        grid(Upload("rows.xlsx", xlsx(rows + '<row r="5"><c r="A5"><v>5</v></c></row>')))
    assert error.value.messages == ["rows.xlsx, sheet Điểm: cell A5 is beyond row 4: at most 4 rows are read"]
    with pytest.raises(TableError) as error:
        grid(Upload("wide.xlsx", xlsx('<row r="1"><c r="D1"><v>1</v></c></row>')))
    assert error.value.messages == ["wide.xlsx, sheet Điểm: cell D1 is beyond column C (3): at most 3 columns are read"]
    with pytest.raises(TableError) as error:  # 4 rows of 3 columns: 12 cells
        grid(Upload("cells.xlsx", xlsx(rows + '<row r="4"><c r="C4"><v>1</v></c></row>')))
    assert error.value.messages == [
        "cells.xlsx, sheet Điểm: cell C4 makes the grid 4 rows by 3 columns, 12 cells: at most 10 cells are read"
    ]


def test_a_csv_is_held_to_the_same_limits_as_it_streams(settings):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS, settings.IMPORT_MAX_CELLS = 3, 4, 9
    assert len(grid(Upload("ok.csv", b"a;b;c\n1;2;3\n4;5;6\n"))) == 3
    cases = {
        b"a;b\n1;2\n3;4\n5;6\n": "rows.csv: line 4 is beyond row 3: at most 3 rows are read",
        b"a;b;c;d;e\n": "rows.csv: line 1 is beyond column D (4): at most 4 columns are read",
        b'a;b;c;d\n1;"2\n2";3;4\n5;6;7;8\n': (
            "rows.csv: line 4 makes the grid 3 rows by 4 columns, 12 cells: at most 9 cells are read"
        ),
    }
    for data, message in cases.items():
        with pytest.raises(TableError) as error:
            grid(Upload("rows.csv", data))
        assert error.value.messages == [message]


@pytest.mark.parametrize(
    "cells",
    [
        '<c r="Z9"><v>1</v></c>',  # the regular shape, counted in C
        '<c t="n" r="Z9"><v>1</v></c>',  # the reference not first: read element by element
        '<c r="A9"><v>1</v></c><c r="Y9"/><c><v>1</v></c>',  # without a reference: after the one before
    ],
)
def test_every_shape_of_cell_is_placed_where_the_reader_puts_it(settings, cells):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS, settings.IMPORT_MAX_CELLS = 9, 25, 1_000
    data = xlsx(f'<row r="1"><c r="A1"><v>1</v></c></row><row r="9">{cells}</row>')
    with pytest.raises(TableError) as error:
        grid(Upload("shape.xlsx", data))
    assert error.value.messages == [
        "shape.xlsx, sheet Điểm: cell Z9 is beyond column Y (25): at most 25 columns are read"
    ]
    settings.IMPORT_MAX_COLUMNS = 26
    assert len(grid(Upload("shape.xlsx", data))[8]) == 26


@pytest.mark.parametrize(
    "row",
    [
        '<row r="9"><c r="A9" s="1"/><c r="Z9" s="1"/></row>',  # styled but empty cells: not in the grid
        '<row r="9"><c r="A9"><v>1</v></c></row><row r="300"><c r="Z300" s="2"></c></row>',
    ],
)
def test_empty_styled_cells_beyond_the_limits_do_not_refuse_a_sheet(settings, row):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS = 10, 3
    rows = grid(Upload("styled.xlsx", xlsx('<row r="1"><c r="A1"><v>1</v></c></row>' + row)))
    assert len(rows) <= 9 and max(map(len, rows)) == 1


def test_a_second_reference_on_a_cell_is_not_trusted():
    # calamine takes the last of two r attributes: the scan must not take the first.
    data = xlsx('<row r="1"><c r="A1" r="XFD1048576"><v>1</v></c></row>')
    with pytest.raises(TableError) as error:
        grid(Upload("twice.xlsx", data))
    assert error.value.messages == ["twice.xlsx is a damaged spreadsheet"]


def test_an_ods_cell_repeated_across_the_columns_is_refused(settings):
    data = ods("<table:table-row>" + _ods_cell("x", repeat=16_384) + "</table:table-row>")
    with pytest.raises(TableError) as error:
        grid(Upload("wide.ods", data))
    assert error.value.messages == [
        "wide.ods, sheet Điểm: cell XFD1 is beyond column ALL (1,000): at most 1,000 columns are read"
    ]


def test_empty_rows_repeated_to_the_end_of_an_ods_sheet_are_no_cells():
    # LibreOffice writes the rest of a sheet as one empty row repeated a million times.
    data = ods(
        "<table:table-row>"
        + "".join(map(_ods_cell, HEADER))
        + '</table:table-row><table:table-row table:number-rows-repeated="1048575">'
        + '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    assert grid(Upload("tail.ods", data)) == [list(HEADER)]


# --- every entry point ----------------------------------------------------------


@pytest.fixture
def vietnamese(_english):
    """The language the commands and pages speak by default."""
    with translation.override("vi"):
        yield


def in_vietnamese(name: str) -> str:
    """The reader's refusal as the commands and the pages give it (the test above
    pins its English words)."""
    with pytest.raises(TableError) as error:
        grid(Upload(name, HOSTILE[name][0]))
    return error.value.messages[0]


@hostile
def test_the_commands_refuse_them_and_write_nothing(vietnamese, framework, tmp_path, name):
    data, message = HOSTILE[name][0], in_vietnamese(name)
    path = tmp_path / name
    path.write_bytes(data)
    assert refused("import_units", path) == message
    assert refused("import_scores", path, framework=SLUG) == message
    assert refused("import_framework", path, index="cchc", year=2030, scope="70", block="district") == message
    assert message in refused("import_results", path, framework=SLUG)


@hostile
def test_the_staff_editor_refuses_them_as_a_criteria_file(vietnamese, client, framework, name):
    data, message = HOSTILE[name][0], escape(in_vietnamese(name))
    client.force_login(user_with(StaffRole.Role.PROVINCE_EDITOR, Unit.objects.get(code="70")))
    before = counts()
    response = client.post(
        reverse("staff:framework_new"),
        scratch(year="2031", criteria_text="", criteria_file=SimpleUploadedFile(name, data)),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("background", [False, True], ids=["in the request", "in the background"])
@hostile
def test_the_admin_imports_refuse_them(
    vietnamese, admin_client, framework, settings, django_capture_on_commit_callbacks, name, background
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.IMPORT_BACKGROUND_BYTES = 0 if background else 10 * 2**20
    data, message = HOSTILE[name][0], escape(in_vietnamese(name))
    published = framework_import(mode="published", slug="ket-qua-2021", year=2021)
    before = counts()
    for url, target in (("admin:scoring_score_import", framework), ("admin:scoring_result_import", published)):
        upload = SimpleUploadedFile(name, data)
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                reverse(url), {"framework": target.pk, "import_file": upload, "format": "0", "resource": "0"}
            )
        page = admin_client.get(response.url) if background else response
        assert message in page.content.decode()
    assert counts() == before
    if background:
        assert list(ImportJob.objects.values_list("status", flat=True)) == ["invalid", "invalid"]


def test_a_refused_sheet_leaves_the_process_alive_and_small(tmp_path):
    """In a process of its own: without the limits, the far cell aborts it
    ("memory allocation of 549755813888 bytes failed") and the repeated row
    takes gigabytes; with them, each is refused in well under 100 MB more than
    the process needs to start."""
    for name, (data, _message) in HOSTILE.items():
        (tmp_path / name).write_bytes(data)
    script = (
        "import django, json, resource, sys\n"
        "django.setup()\n"
        "from scoring.spreadsheets.reader import TableError, grid\n"
        "start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "refused = []\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        grid(path)\n"
        "    except TableError as error:\n"
        "        refused += error.messages\n"
        "print(json.dumps({'refused': refused, 'start': start,"
        " 'peak': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))\n"
    )
    result = subprocess.run(  # noqa: S603 - the test's own interpreter and script
        [sys.executable, "-c", script, *(str(tmp_path / name) for name in HOSTILE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"DJANGO_SETTINGS_MODULE": "cchc_portal.settings", "PATH": "/usr/bin:/bin", "DEBUG": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["refused"]) == len(HOSTILE)
    assert (report["peak"] - report["start"]) * 1024 < 100 * 2**20, report  # ru_maxrss counts kilobytes


# --- the scan never reads a sheet smaller than the reader builds it -----------------

_cells = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=12),  # row
        st.integers(min_value=1, max_value=12),  # column
        st.sampled_from(["first", "later", "none"]),  # where the reference stands: first, after t, absent
        st.booleans(),  # holds a value
    ),
    max_size=12,
)


def _sheet_xml(cells) -> str:
    rows: dict[int, list] = {}
    for row, column, reference, value in cells:
        rows.setdefault(row, []).append((column, reference, value))
    parts = []
    for row in sorted(rows):
        cells_xml = []
        for column, reference, value in rows[row]:
            ref = f'r="{column_letters(column)}{row}"'
            attributes = {"first": f" {ref}", "later": f' t="n" {ref}', "none": ""}[reference]
            cells_xml.append(f"<c{attributes}><v>1</v></c>" if value else f"<c{attributes}/>")
        parts.append(f'<row r="{row}">{"".join(cells_xml)}</row>')
    return "".join(parts)


@PROPERTY
@given(_cells, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=12))
def test_a_sheet_the_scan_lets_through_is_no_larger_than_the_limits(cells, max_rows, max_columns):
    from python_calamine import CalamineWorkbook

    data = xlsx(_sheet_xml(cells))
    limits = Limits(max_rows, max_columns, 10_000)
    try:
        sheet_extent(zipfile.ZipFile(io.BytesIO(data)), "Điểm", limits)
    except SheetTooLarge:
        return  # refused: the scan may err on the large side, never on the small one
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Điểm").to_python(skip_empty_area=False)
    assert len(rows) <= max_rows and max(map(len, rows), default=0) <= max_columns
