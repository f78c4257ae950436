"""Tables of typed cells as CSV and XLSX files (the public downloads say what goes in
them: ``public.tables``), and a blank scoring template that ``import_scores`` reads back.

Values stay typed until the last step: numbers as ``Decimal`` or ``int``, so a
spreadsheet gets real numbers (a negative change is −4.21, not text), and a
``Decimal`` becomes a float only when written to an XLSX cell. No text runs as a
formula in the spreadsheet that opens a download, whatever a unit or criterion
is named (``=HYPERLINK(…)``): a CSV quotes every cell and every text cell goes
through ``safe_text``; an XLSX marks every text cell as a string.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from django.db.models import QuerySet
from django.utils import translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from cchc_portal.numbers import local_decimal
from scoring import engine
from scoring.models import Framework, Score
from scoring.services.common import ScoringInputError, framework_named
from scoring.spreadsheets import labels

# Characters that make a spreadsheet read a cell as a formula (or, for tab and
# carriage return, let one slip past a naive check): OWASP's CSV injection list.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may start a cell inside a text: at its start, and after any
# character that some reading of the file takes as a separator or a line end. A
# Vietnamese CSV opened with commas splits "x,=2+3" at its comma, quotes or not
# (a spreadsheet honours a quote only at a cell's start); the spaces and quotes
# that may come first are skipped, as a spreadsheet that trims cells would.
_FORMULA_START = re.compile(r"(?:^|(?<=[,;\t\r\n]))[ \"]*(?=[=+\-@\t\r])")

_TEMPLATE_FIRST_SCORE_ROW = 4  # title, headers, maxima, then one row per unit

_DECIMAL_FORMAT = "0.00"
_TEXT_FORMAT = "@"
_BOLD = Font(bold=True)
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
# The earliest time a zip file can record; a workbook's time when its data has none.
_ZIP_EPOCH = datetime(1980, 1, 1)

Cell = str | int | Decimal | None


def safe_text(value: str) -> str:
    """CSV text that no spreadsheet runs as a formula, whichever separator it
    reads the file with: an apostrophe before every formula start (= + - @, tab
    or carriage return) at the text's start or after a comma, semicolon, tab or
    line break, spaces and quotes between ("'=HYPERLINK(…)", "x,'=2+3,"). Only
    for text cells: numbers are written as numbers and never pass through here."""
    return _FORMULA_START.sub(lambda start: f"{start.group()}'", value)


def sheet_title(text: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\,
    not starting or ending with an apostrophe, not blank; a longer name is cut
    at the last whole word that fits, never inside one."""
    words = " ".join(text.translate(_SHEET_NAME_FORBIDDEN).split())
    title = words[:31]
    if len(words) > 31 and words[31] != " " and " " in title:
        title = title.rsplit(" ", 1)[0]
    title = title.strip().strip("'").strip()
    return title or "Sheet"


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return local_decimal(value, 2)
    if isinstance(value, int):
        return str(value)
    return safe_text(value)


def table_csv(headers: list[str], rows: list[list[Cell]]) -> bytes:
    """A table of typed cells as CSV, UTF-8 with a BOM (so Excel reads the diacritics).
    Vietnamese: a decimal comma, hence semicolons between cells, as a Vietnamese
    spreadsheet writes them; English: a dot and commas. Every cell in double
    quotes, numbers too (a spreadsheet still reads "-5,00" as a number), so that
    no separator inside a cell splits it; text made safe (``safe_text``)."""
    delimiter = ";" if get_format("DECIMAL_SEPARATOR") == "," else ","
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL)
    writer.writerow([safe_text(header) for header in headers])
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _write(sheet: Worksheet, row: int, column: int, value: Cell, *, text_format: bool = False):
    """One cell: a Decimal as a float shown with two places, an int as is, text
    as a string cell (and kept text when edited with ``text_format``, so "1.1"
    never turns into a number)."""
    if isinstance(value, str):
        # A control character (typed into a name through the admin) would make openpyxl refuse the whole file.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif isinstance(value, Decimal):
        value = float(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        # openpyxl makes "=…" a formula and "#N/A" an error; a string cell shows
        # the text as it is, without the apostrophe a CSV needs.
        cell.data_type = "s"
    if isinstance(value, float):
        cell.number_format = _DECIMAL_FORMAT
    elif text_format:
        cell.number_format = _TEXT_FORMAT
    return cell


def _title_row(sheet: Worksheet, title: str, width: int) -> None:
    _write(sheet, 1, 1, title).font = Font(bold=True, size=13)
    if width > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def _header_row(sheet: Worksheet, row: int, headers: list[str]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = _write(sheet, row, column, header, text_format=True)
        cell.font = _BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _fit_columns(sheet: Worksheet, *, from_row: int, widest: int = 40) -> None:
    """Column widths from their contents below the title (a long title would
    otherwise widen the first column), between 6 and ``widest`` characters."""
    for column in sheet.iter_cols(min_row=from_row):
        lengths = [len(f"{cell.value:.2f}" if isinstance(cell.value, float) else str(cell.value)) for cell in column]
        letter = get_column_letter(column[0].column)
        sheet.column_dimensions[letter].width = min(max([6, *lengths]) + 2, widest)


def frameworks_time(frameworks: Iterable[Framework]) -> datetime | None:
    """When the figures of these frameworks last changed: the latest of their
    results' recomputation, publication and correction times (None without
    any). A workbook carries it as its time instead of the clock's, so that the
    same data makes the same bytes, before and after a backup is restored."""
    times = []
    for framework in frameworks:
        publication = getattr(framework, "publication", None)
        times += [framework.results_updated_at]
        if publication is not None:
            times += [publication.published_at, publication.corrected_at]
    return max(filter(None, times), default=None)


def table_xlsx(
    about: Sequence[tuple[str, str]],
    sheet_name: str,
    headers: list[str],
    rows: list[list[Cell]],
    *,
    modified: datetime | None = None,
) -> bytes:
    """A table of typed cells as an XLSX workbook: its header row first (row 1),
    bold and frozen above the data, so that a program reads it as it is; numbers
    as numeric cells (decimals shown with two places), text as string cells
    (never a formula, whatever it starts with), column widths fitted to the
    contents. A second sheet holds ``about``, (label, text) rows: the title, the
    decision, the source, the licence. ``modified``: the workbook's time
    (``frameworks_time``); 1 January 1980 if None."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(sheet_name)
    _header_row(sheet, 1, headers)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _write(sheet, row_number, column, value)
    sheet.freeze_panes = "A2"
    _fit_columns(sheet, from_row=1)
    about_title = sheet_title(_("About this table"))
    info = book.create_sheet(about_title if about_title != sheet.title else f"{about_title[:27]} (2)")
    for row_number, (label, text) in enumerate(about, start=1):
        _write(info, row_number, 1, label).font = _BOLD
        _write(info, row_number, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 100
    return _workbook_bytes(book, modified)


class _ZipFileAt(ZipFile):
    """A zip file written with one time on every member, not the clock's (nor a
    temporary file's: openpyxl writes each worksheet to one, then adds it)."""

    def __init__(self, file, when: datetime):
        super().__init__(file, "w", ZIP_DEFLATED, allowZip64=True)
        self._date_time = when.timetuple()[:6]

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, ZipInfo):
            zinfo_or_arcname = ZipInfo(zinfo_or_arcname, date_time=self._date_time)
            zinfo_or_arcname.compress_type = self.compression
            zinfo_or_arcname.external_attr = 0o600 << 16  # as ZipFile.writestr gives a name
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as file:
            self.writestr(arcname or os.path.basename(filename), file.read(), compress_type, compresslevel)


def _workbook_bytes(book: Workbook, modified: datetime | None = None) -> bytes:
    """The workbook's bytes, the same for the same contents and ``modified``:
    openpyxl's own save would stamp the document properties and every zip
    member with the clock. Times in UTC, as the document properties mean them."""
    when = _ZIP_EPOCH
    if modified is not None:
        when = max(modified.astimezone(UTC).replace(tzinfo=None, microsecond=0), _ZIP_EPOCH)
    book.properties.created = book.properties.modified = when
    buffer = io.BytesIO()
    ExcelWriter(book, _ZipFileAt(buffer, when)).save()
    return buffer.getvalue()


def _score_validation(column: str, maximum: Decimal, last_row: int) -> DataValidation:
    """A number from 0 to the column's maximum (row 3) with at most two decimals,
    or KAD. IF, not AND, guards the number checks: AND evaluates all its
    arguments, and ROUND("KAD") is an error that would reject KAD."""
    first = f"{column}{_TEMPLATE_FIRST_SCORE_ROW}"
    formula = (
        f"IF(ISNUMBER({first}),AND({first}>=0,{first}<={column}$3,ROUND({first},2)={first}),"
        f'{first}="{labels.NOT_APPLICABLE}")'
    )
    maximum_text = f"{maximum:.2f}".replace(".", ",")
    return DataValidation(
        type="custom",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Điểm không hợp lệ",
        error=(
            f"Nhập một số từ 0 đến {maximum_text} (điểm tối đa ở dòng 3), nhiều nhất 2 chữ số thập phân, "
            f"hoặc {labels.NOT_APPLICABLE} nếu tiêu chí không áp dụng cho đơn vị."
        ),
        showInputMessage=True,
        promptTitle="Điểm",
        prompt=f"0 đến {maximum_text}, hoặc {labels.NOT_APPLICABLE}",
        sqref=f"{first}:{column}{last_row}",
    )


def _scores_sheet(sheet: Worksheet, framework: Framework, leaves: list, units: list, stored: dict) -> None:
    width = 2 + len(leaves)
    _title_row(sheet, f"Phiếu nhập điểm: {framework.name}", width)
    _header_row(sheet, 2, [labels.UNIT_CODE, labels.UNIT_NAME, *(leaf.code for leaf in leaves)])
    _write(sheet, 3, 1, labels.MAXIMUM).font = _BOLD
    last_row = _TEMPLATE_FIRST_SCORE_ROW + len(units) - 1
    for column, leaf in enumerate(leaves, start=3):
        _write(sheet, 3, column, leaf.max_points).font = _BOLD
        if units:
            sheet.add_data_validation(_score_validation(get_column_letter(column), leaf.max_points, last_row))
    for row, unit in enumerate(units, start=_TEMPLATE_FIRST_SCORE_ROW):
        _write(sheet, row, 1, unit.code, text_format=True)
        _write(sheet, row, 2, unit.name)
        for column, leaf in enumerate(leaves, start=3):
            value = stored.get((leaf.pk, unit.pk))
            if value is engine.NOT_APPLICABLE:
                _write(sheet, row, column, labels.NOT_APPLICABLE)
            elif value is not None:
                _write(sheet, row, column, value)
            sheet.cell(row=row, column=column).number_format = _DECIMAL_FORMAT
    sheet.freeze_panes = f"C{_TEMPLATE_FIRST_SCORE_ROW}"
    _fit_columns(sheet, from_row=2)


def _criteria_sheet(sheet: Worksheet, criteria: list) -> None:
    _header_row(sheet, 1, [labels.CRITERION_CODE, labels.CRITERION_NAME, labels.MAXIMUM, labels.KIND])
    with translation.override("vi"):
        for row, criterion in enumerate(criteria, start=2):
            _write(sheet, row, 1, criterion.code, text_format=True)
            _write(sheet, row, 2, criterion.name).alignment = Alignment(indent=criterion.depth)
            _write(sheet, row, 3, criterion.max_points)
            _write(sheet, row, 4, str(criterion.get_kind_display()))
    sheet.freeze_panes = "A2"
    _fit_columns(sheet, from_row=1, widest=80)


def scoring_template_xlsx(framework: Framework, *, units: QuerySet | None = None, filled: bool = False) -> bytes:
    """A scoring sheet for a computed framework, in Vietnamese whatever the
    language. Sheet "Điểm": a title, then the header row (Mã đơn vị, Tên đơn vị,
    one column per leaf criterion headed by its code as text), a row of maxima
    headed "Điểm tối đa", and one row per participant ordered by code (``units``:
    only those); each score cell accepts a number from 0 to its maximum or KAD
    (not applicable), blank unless ``filled``: then each holds what is stored.
    Sheet "Tiêu chí": the whole criteria tree for reference. Raises
    ScoringInputError for a published-mode framework, which takes results, not
    scores. Two queries, three filled."""
    if framework.mode != Framework.Mode.COMPUTED:
        raise ScoringInputError(
            [
                _("framework %(framework)s takes published results, not scores")
                % {"framework": framework_named(framework)}
            ]
        )
    criteria = list(framework.criteria.order_by("order", "code"))
    units = list((framework.participants.all() if units is None else units).order_by("code"))
    stored = {}
    if filled:
        cells = Score.objects.filter(criterion__framework=framework, unit__in=[unit.pk for unit in units])
        stored = {
            (criterion_id, unit_id): engine.NOT_APPLICABLE if not_applicable else points
            for criterion_id, unit_id, points, not_applicable in cells.values_list(
                "criterion_id", "unit_id", "points", "not_applicable"
            )
        }
    book = Workbook()
    book.active.title = labels.SCORES_SHEET
    leaves = [criterion for criterion in criteria if criterion.is_leaf]
    _scores_sheet(book.active, framework, leaves, units, stored)
    _criteria_sheet(book.create_sheet(labels.CRITERIA_SHEET), criteria)
    return _workbook_bytes(book)
