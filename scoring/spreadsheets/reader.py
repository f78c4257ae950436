"""Reading spreadsheets as people really make them (DESIGN §5).

xlsx and ods are read with calamine (python-calamine, the engine pandas uses,
called directly: pandas' DataFrame and per-cell conversions would double the
time of a national file), csv with the standard library (comma, semicolon or
tab; UTF-8 with or without a BOM). Title rows above the header row are
skipped: the header row is the first one naming every required column.
Headers match without regard to case, diacritics, spacing and punctuation, in
Vietnamese or English. Every row keeps its number as the
spreadsheet shows it, so errors can name it.
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cchc_portal.text import fold
from scoring.spreadsheets.extent import Limits, SheetTooLarge, SheetUnreadable, column_letters, sheet_extent

HEADER_SEARCH_ROWS = 30
_ZIP_MAGIC = b"PK\x03\x04"
_NOT_WORD = re.compile(r"[^a-z0-9]+")


class TableError(ValueError):
    """Problems with a file as a whole or with its cells; ``messages`` lists each."""

    def __init__(self, messages: Sequence[str]):
        super().__init__("\n".join(messages))
        self.messages = list(messages)


def header_key(text) -> str:
    """ "Mã cấp trên (*)" -> "ma cap tren"; "parent_code" -> "parent code"."""
    return " ".join(_NOT_WORD.split(fold(str(text)))).strip()


@dataclass(frozen=True)
class Column:
    """A column the reader looks for: its field name and the headers it goes by."""

    field: str
    headers: tuple[str, ...]
    required: bool = False

    @property
    def keys(self) -> set[str]:
        return {header_key(text) for text in (self.field, *self.headers)}


class Row(NamedTuple):  # a tuple: a national file has 400,000 rows to build
    number: int  # as the spreadsheet shows it (1-based, title rows counted)
    cells: Mapping[Hashable, object]  # field -> raw cell value (None when blank)


@dataclass
class Table:
    headers: dict[Hashable, str]  # field -> the header as written in the file
    rows: list[Row]

    def where(self, row: Row, field: Hashable) -> str:
        """ "dòng 7, cột Mã cấp trên" for messages."""
        return _("row %(row)s, column %(column)s") % {"row": row.number, "column": self.headers.get(field, field)}


@dataclass(frozen=True)
class Upload:
    """A file received in memory (the admin's upload): its name, which tells the
    format as a path's suffix does, and its bytes."""

    name: str
    data: bytes

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix

    def __bool__(self) -> bool:
        return bool(self.data)


Source = Path | str | Upload  # what the readers read: a path, or an upload


def source_name(source: Source) -> str:
    """The file's name, for messages."""
    return source.name if isinstance(source, Upload) else Path(source).name


def _check_size(path: Path | Upload) -> None:
    """Refuse an oversized file before reading any of it."""
    size = len(path.data) if isinstance(path, Upload) else path.stat().st_size
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise TableError(
            [
                _("%(file)s is %(size)s MB; the limit is %(limit)s MB")
                % {
                    "file": path.name,
                    "size": number_format(size / 2**20, 1),
                    "limit": number_format(limit / 2**20, 0),
                }
            ]
        )


def _beyond(limits: Limits, where: str, row: int, column: int, rows: int, columns: int) -> str:
    """Which limit the cell or line ``where`` at ``row``, ``column`` passes, the
    grid then being ``rows`` by ``columns``."""
    if row > limits.rows:
        return _("%(where)s is beyond row %(limit)s: at most %(limit)s rows are read") % {
            "where": where,
            "limit": number_format(limits.rows, force_grouping=True),
        }
    if column > limits.columns:
        return _("%(where)s is beyond column %(letters)s (%(limit)s): at most %(limit)s columns are read") % {
            "where": where,
            "letters": column_letters(limits.columns),
            "limit": number_format(limits.columns, force_grouping=True),
        }
    return _(
        "%(where)s makes the grid %(rows)s rows by %(columns)s columns, %(cells)s cells: "
        "at most %(limit)s cells are read"
    ) % {
        "where": where,
        "rows": number_format(rows, force_grouping=True),
        "columns": number_format(columns, force_grouping=True),
        "cells": number_format(rows * columns, force_grouping=True),
        "limit": number_format(limits.cells, force_grouping=True),
    }


def _csv_grid(path: Path | Upload, data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError([_("%(file)s is not UTF-8 text: save it as CSV UTF-8") % {"file": path.name}]) from error
    # The delimiter that gives the widest row among the first ones: the header row.
    # (csv.Sniffer is misled by title rows such as "DANH MỤC CƠ QUAN, ĐƠN VỊ;;;".)
    sample = text[:20_000].splitlines()[:50]
    delimiter = max(
        ",;\t", key=lambda candidate: max((len(row) for row in csv.reader(sample, delimiter=candidate)), default=0)
    )
    # newline="": a lone carriage return ends a line (old Mac files) instead of
    # breaking the reader, and line breaks inside quoted cells are kept.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    limits = Limits.from_settings()
    rows: list[list] = []
    columns = cells = 0
    try:
        for row in reader:
            # The limits as the rows stream; blank is empty or spaces (text cells
            # only), and a row is checked whole in C (str.strip gives "" for a
            # blank cell) and rebuilt only when it has a blank cell: a national
            # file has 1.2 million cells.
            width = len(row)
            columns, cells = max(columns, width), cells + width
            if len(rows) >= limits.rows or width > limits.columns or cells > limits.cells:
                line = _("line %(line)s") % {"line": number_format(reader.line_num, force_grouping=True)}
                beyond = _beyond(limits, line, len(rows) + 1, width, len(rows) + 1, columns)
                raise TableError([f"{path.name}: {beyond}"])
            rows.append(row if all(map(str.strip, row)) else [cell if cell.strip() else None for cell in row])
    except csv.Error as error:  # a cell over csv.field_size_limit() is the one error the default dialect raises
        raise TableError(
            [
                _("%(file)s, line %(line)s: a cell is longer than %(limit)s characters")
                % {"file": path.name, "line": reader.line_num, "limit": number_format(csv.field_size_limit())}
            ]
        ) from error
    return rows


def _sheet_grid(path: Path | Upload, data: bytes, sheet: str | None) -> list[list]:
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:  # xlsx and ods are zip files: refuse zip bombs before unpacking
        unpacked = sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as error:
        # NotImplementedError: a zip version or compression the standard library does not know.
        raise TableError([_("%(file)s is a damaged spreadsheet") % {"file": path.name}]) from error
    if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise TableError([_("%(file)s unpacks to more than the allowed size") % {"file": path.name}])
    _sheet_extent_check(path, data, sheet)  # before calamine builds any grid

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [item for item in book.sheets_metadata if item.typ == SheetTypeEnum.WorkSheet]
        names = [item.name for item in sheets]
        if sheet is None:  # the first sheet a reader sees
            visible = [item.name for item in sheets if item.visible == SheetVisibleEnum.Visible]
            sheet = (visible or names or [None])[0]
        if sheet not in names:
            raise TableError(
                [
                    _("%(file)s has no sheet named %(sheet)s; its sheets: %(sheets)s")
                    % {"file": path.name, "sheet": sheet, "sheets": ", ".join(names)}
                ]
            )
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except CalamineError as error:
        raise TableError([_("%(file)s is a damaged spreadsheet") % {"file": path.name}]) from error
    # Blank cells read as "": the common case is tested first, then text of spaces.
    return [
        [None if value == "" or (type(value) is str and value.isspace()) else value for value in row] for row in rows
    ]


def _sheet_extent_check(path: Path | Upload, data: bytes, sheet: str | None) -> None:
    """Refuse a sheet whose grid would pass the limits (``sheet_extent``)."""
    limits = Limits.from_settings()
    try:
        sheet_extent(zipfile.ZipFile(io.BytesIO(data)), sheet, limits)
    except SheetUnreadable as error:
        raise TableError([_("%(file)s is a damaged spreadsheet") % {"file": path.name}]) from error
    except SheetTooLarge as error:
        cell = f"{column_letters(error.column)}{error.row}"
        where = _("the declared size (up to cell %(cell)s)") if error.declared else _("cell %(cell)s")
        where %= {"cell": cell}
        beyond = _beyond(limits, where, error.row, error.column, error.rows, error.columns)
        raise TableError(
            [_("%(file)s, sheet %(sheet)s: %(beyond)s") % {"file": path.name, "sheet": error.sheet, "beyond": beyond}]
        ) from error


def grid(path: Source, *, sheet: str | None = None) -> list[list]:
    """Every row of the file's (first or named) sheet, blank cells as None."""
    path = path if isinstance(path, Upload) else Path(path)
    _check_size(path)
    data = path.data if isinstance(path, Upload) else path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if data.startswith(_ZIP_MAGIC):
            raise TableError([_("%(file)s is named .csv but is a spreadsheet") % {"file": path.name}])
        rows = _csv_grid(path, data)
    elif suffix in (".xlsx", ".ods"):
        if not data.startswith(_ZIP_MAGIC):
            raise TableError([_("%(file)s is not an %(format)s file") % {"file": path.name, "format": suffix[1:]}])
        rows = _sheet_grid(path, data, sheet)
    else:
        raise TableError([_("%(file)s: use an xlsx, ods or csv file") % {"file": path.name}])
    return rows


def find_table(
    rows: list[list],
    columns: Sequence[Column],
    *,
    dynamic: Callable[[object], Hashable | None] | None = None,
    accept: Callable[[set], bool] | None = None,
    expected: str | None = None,
) -> Table:
    """The rows below the header row, as {field: value}. Columns the reader does
    not know are ignored; fully blank rows are skipped. ``dynamic`` names
    columns the caller recognises by their header (criterion codes) and
    ``accept`` decides whether a row of found fields is the header row (default:
    it names every required column); ``expected`` then says what it looks for."""
    wanted = {key: column.field for column in columns for key in column.keys}
    required = {column.field for column in columns if column.required}
    accept = accept or required.issubset
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {}
        for position, value in enumerate(cells):
            if value is None:
                continue
            field = wanted.get(header_key(value)) or (dynamic(value) if dynamic else None)
            if field is not None and field not in found.values():
                found[position] = field
        if accept(set(found.values())):
            headers = {field: text(cells[position]) for position, field in found.items()}
            width = len(cells)
            start = index + 2 if index + 1 < len(rows) and _numbers_columns(rows[index + 1]) else index + 1
            kept = [  # the rows that are not blank, as wide as the header row
                (number, cells if len(cells) >= width else cells + [None] * (width - len(cells)))
                for number, cells in enumerate(rows[start:], start=start + 1)
                if cells.count(None) != len(cells)
            ]
            # Each row's fields, built by C loops (map, zip, itemgetter) rather than a comprehension.
            fields, pick = list(found.values()), _picker(list(found))
            values = map(pick, (cells for _number, cells in kept))
            cells = map(dict, map(zip, repeat(fields), values))
            return Table(headers, list(map(Row, (number for number, _cells in kept), cells)))
    names = expected or ", ".join(f"{column.headers[0]} ({column.field})" for column in columns if column.required)
    raise TableError(
        [
            _("no header row naming the columns %(columns)s in the first %(rows)s rows")
            % {"columns": names, "rows": HEADER_SEARCH_ROWS}
        ]
    )


def _picker(positions: list[int]) -> Callable[[list], tuple]:
    """The cells at ``positions`` of a row, as a tuple (itemgetter gives a bare
    value for a single position)."""
    if len(positions) == 1:
        return lambda cells: (cells[positions[0]],)
    return itemgetter(*positions)


_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,3})\)?$")


def _numbers_columns(cells: list) -> bool:
    """Whether a row only numbers the columns above it — "(1) (2) (3)" or 1 2 3,
    as Vietnamese forms print under the header row — and is no data."""
    numbers = [_COLUMN_NUMBER.match(text(value)) for value in cells if value is not None]
    if len(numbers) < 3 or not all(numbers):
        return False
    values = [int(match.group(1)) for match in numbers]
    return values == list(range(values[0], values[0] + len(values)))


def read_table(path: Source, columns: Sequence[Column], *, sheet: str | None = None) -> Table:
    """``find_table`` over the rows of a file."""
    return find_table(grid(path, sheet=sheet), columns)


# Control characters other than whitespace: no name holds them, PostgreSQL
# refuses NUL and openpyxl refuses the rest when the text is exported again.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0E, 0x0F, *range(0x10, 0x1C), 0x7F])
_CONTROLS[0xA0] = " "
SHOWN_MAX = 60  # characters of a cell a message quotes


def text(value) -> str:
    """A cell as text: 695.0 typed by a spreadsheet reads "695"; spaces
    collapsed, control characters dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).translate(_CONTROLS).split())


def shown(value) -> str:
    """A cell as a message quotes it: its text, cut after ``SHOWN_MAX`` characters
    (a cell of a megabyte must not make a megabyte of messages)."""
    cell = text(value)
    return cell if len(cell) <= SHOWN_MAX else cell[:SHOWN_MAX] + "…"


def too_long(limit: int) -> str:
    """The reason a text cell is refused: longer than its column holds."""
    return _("longer than %(max)s characters") % {"max": number_format(limit)}


def parse_date(value) -> date | None:
    """A date cell: a spreadsheet date, ISO "2025-07-01" or Vietnamese "1/7/2025"."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(raw)


_DIGITS = re.compile(r"\d+")
# Spaces of every kind a spreadsheet or a keyboard puts between thousands, and the
# apostrophe of Swiss-style "1'234".
_SPACES = " \u00a0\u202f\u2009"
_SPACED_SEPARATORS = re.compile(f"[{_SPACES}']")
# A whole part grouped by them: 1 to 3 digits, then groups of exactly 3 ("1 234 567"),
# optionally a decimal part; "1 0", "1'0" and "12 34" are no thousands groups.
_SPACED_NUMBER = re.compile(f"[0-9]{{1,3}}(?:[{_SPACES}'][0-9]{{3}})+(?:[.,][0-9]+)?")


def parse_number(value) -> Decimal:
    """A number cell as an exact ``Decimal``: a spreadsheet number, or text with a
    decimal comma or dot and optional thousands separators ("13,96", "13.96",
    "1.234,5", "1,234.5", "1 234,5"). With both separators the last one is the
    decimal mark; a single separator used once is the decimal mark, used twice
    or more it separates thousands. Thousands groups, whichever the separator
    (dot, comma, space, apostrophe), have 3 digits after a first of 1 to 3: "1 0"
    and "1'0" are refused, not read as 10. A float a formula left with binary noise
    (13.959999999999999) reads as the 2-place value it stands for. Raises
    ``ValueError`` for anything else, booleans included."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(value)
        number = Decimal(repr(value))
        # Binary noise only below 1e15, where a float still holds cents: above,
        # value * 100 may overflow and the quantize exceed Decimal's 28 digits.
        if abs(value) < 1e15:
            cents = round(value * 100)
            if number != number.quantize(Decimal("0.01")) and abs(value * 100 - cents) < 1e-6:
                number = Decimal(cents) / 100
        return number
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(value)
        return value
    raw = str(value).replace("\u2212", "-").strip(_SPACES)
    sign = ""
    if raw[:1] in "+-" and raw:
        sign, raw = raw[0].replace("+", ""), raw[1:].lstrip(_SPACES)
    if _SPACED_SEPARATORS.search(raw):
        if not _SPACED_NUMBER.fullmatch(raw):
            raise ValueError(value)
        raw = _SPACED_SEPARATORS.sub("", raw)
    if not raw or not all(part.isdigit() and part.isascii() for part in re.split(r"[.,]", raw) if part) or ".." in raw:
        raise ValueError(value)
    commas, dots = raw.count(","), raw.count(".")
    if commas and dots:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
    elif commas == 1 or dots == 1:
        decimal_mark = "," if commas else "."
    else:
        decimal_mark = ""  # none, or a separator used several times: thousands only
    whole, _mark, fraction = raw.rpartition(decimal_mark) if decimal_mark else (raw, "", "")
    thousands = whole.replace(",", "").replace(".", "")
    grouped = whole.split("," if "," in whole else ".")
    if len(grouped) > 1 and (not 1 <= len(grouped[0]) <= 3 or any(len(group) != 3 for group in grouped[1:])):
        raise ValueError(value)  # "1,23,4": not thousands groups
    if not thousands and not fraction:
        raise ValueError(value)
    return Decimal(f"{sign}{thousands or '0'}.{fraction}" if fraction else sign + thousands)
