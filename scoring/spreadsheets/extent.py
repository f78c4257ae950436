"""How far a spreadsheet's cells reach, found before the reader builds its grid.

calamine (the xlsx and ods reader) builds a sheet as one dense grid from A1 to
its farthest cell: a 5 KB xlsx with one value at XFD1048576 asks for 17 billion
cells and aborts the process, and an ods row repeated a million times costs the
same. So the sheet's XML is streamed first, a megabyte at a time, through expat
(no tree is built and no entity expanded): the declared dimension is checked
when it is read, then every occupied cell's position as it comes, and the scan
stops at the first cell beyond the limits. Only a sheet within them is handed
to calamine. The scan errs on the large side (a cell counts as soon as it holds
anything, a sheet it cannot place counts whole), never on the small one.
"""

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from operator import itemgetter
from xml.parsers import expat

from django.conf import settings

_CHUNK = 2**20
# What a damaged archive raises as it is read: a bad header or checksum, a truncated or
# corrupt stream, a compression or an encryption the standard library does not know.
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError)
_CELL_REFERENCE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_RANGE_END = re.compile(r"(?:^|:)([^:]+)$")


@dataclass(frozen=True)
class Limits:
    """The largest grid a sheet may make: rows, columns, and their product."""

    rows: int
    columns: int
    cells: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS, settings.IMPORT_MAX_CELLS)


class SheetTooLarge(Exception):
    """A cell (1-based ``row`` and ``column``) that would grow the grid past the
    limits, to ``rows`` by ``columns``; ``declared`` when the sheet's dimension
    says so before any cell was read."""

    def __init__(self, sheet: str, row: int, column: int, rows: int, columns: int, *, declared: bool = False):
        super().__init__(f"{sheet}!{column_letters(column)}{row}")
        self.sheet, self.row, self.column, self.rows, self.columns = sheet, row, column, rows, columns
        self.declared = declared


class SheetUnreadable(Exception):
    """XML the scan cannot read (malformed, or a document type declaration)."""


def column_letters(column: int) -> str:
    """28 -> "AB", as a spreadsheet names its columns."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters or "A"


def _reference(text: str) -> tuple[int, int] | None:
    """ "AB12" -> (12, 28); None for anything else."""
    match = _CELL_REFERENCE.match(text.strip())
    if match is None:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


class _Extent:
    """The rows and columns the occupied cells of the sheet being read span from
    A1, refused as soon as they pass the limits; the cells of sheets read before
    (an ods's, all built at once) count towards the limit of cells."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.sheet = ""
        self.rows = self.columns = self.earlier_cells = 0

    def next_sheet(self, name: str) -> None:
        self.earlier_cells += self.rows * self.columns
        self.sheet, self.rows, self.columns = name, 0, 0

    def reach(self, row: int, column: int) -> None:
        """An occupied cell: the grid grows to hold it."""
        if row > self.rows or column > self.columns:
            self.check(row, column)
            self.rows, self.columns = max(row, self.rows), max(column, self.columns)

    def fits(self, row: int, column: int) -> bool:
        """Whether the grid grown to hold this cell stays within the limits."""
        rows, columns = max(row, self.rows), max(column, self.columns)
        limits = self.limits
        return rows <= limits.rows and columns <= limits.columns and self.earlier_cells + rows * columns <= limits.cells

    def check(self, row: int, column: int, *, declared: bool = False) -> None:
        """Refuse a grid grown to hold this cell that would pass the limits."""
        if not self.fits(row, column):
            rows, columns = max(row, self.rows), max(column, self.columns)
            raise SheetTooLarge(self.sheet, row, column, rows, columns, declared=declared)


def _local(name: str) -> str:
    return name.rpartition(" ")[2]  # the parser reports "namespace local"


def _parse(archive: zipfile.ZipFile, part: str, start, end=None) -> None:
    """Stream one XML part of the archive through expat with these handlers."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_args):
        raise SheetUnreadable(part)

    parser.StartDoctypeDeclHandler = refuse  # no spreadsheet has one; entities would come with it
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise SheetUnreadable(part) from error


def _xlsx_scan(archive: zipfile.ZipFile, part: str, extent: _Extent) -> None:
    """The declared ``<dimension ref="A1:D40">``, then each cell holding a value,
    a formula or text (``<v>``, ``<f>``, ``<is>``), at its ``r`` reference or,
    without one, after the previous cell of its row; a cell's own reference
    wins over its row's, as in calamine."""
    if _xlsx_regular_scan(archive, part, extent):
        return
    position = {"row": 0, "column": 0, "counted": True}

    def start(name, attributes):
        tag = _local(name)
        if tag == "row":
            number = attributes.get("r", "")
            position["row"] = int(number) if number.isdigit() else position["row"] + 1
            position["column"] = 0
        elif tag == "c":
            found = _reference(attributes.get("r", ""))
            row, column = found or (position["row"], position["column"] + 1)
            position.update(row=row, column=column, counted=False)
        elif tag in ("v", "f", "is") and not position["counted"]:
            position["counted"] = True
            extent.reach(max(position["row"], 1), max(position["column"], 1))
        elif tag == "dimension":
            match = _RANGE_END.search(attributes.get("ref", ""))
            found = match and _reference(match.group(1))
            if found:  # a declaration proves no cell is there: it may only refuse
                extent.check(*found, declared=True)

    _parse(archive, part, start)


# The regular shape every spreadsheet program writes: a cell's reference is its first
# attribute, in double quotes, followed only by the other attributes a cell may have
# (a second r, which calamine would take, is not one of them).
_REGULAR_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: (?:s|t|cm|vm|ph)="[^"]*")*/?>')
_ANY_CELL = re.compile(rb"<c[\s/>]")
_REGULAR_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]{1,3}[0-9]{1,7}:)?([A-Z]{1,3}[0-9]{1,7})"\s*/>')
_TAIL_MAX = 4 * 2**20  # a cell holds at most 32,767 characters: a longer text is no sheet's


def _xlsx_regular_scan(archive: zipfile.ZipFile, part: str, extent: _Extent) -> bool:
    """The farthest cell of a regular sheet, found by regular expressions in C
    (expat's call per element costs a second on a national file; this, a fifth).
    Returns False, having decided nothing, for a sheet of any other shape or one
    that may pass the limits: the exact scan then reads it and names the cell.
    The sheet is read a megabyte at a time, each piece cut before its last "<"
    so that no tag is cut (a tag holds no "<")."""
    rows: set[bytes] = set()
    letters: set[bytes] = set()
    tail = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            piece = tail + chunk
            cut = piece.rfind(b"<") if chunk else len(piece)
            piece, tail = piece[:cut], piece[cut:]
            if len(tail) > _TAIL_MAX or b":c" in piece:  # a long text, or maybe a cell with a prefix
                return False
            if b"<dimension" in piece:
                declared = _REGULAR_DIMENSION.findall(piece)
                if len(declared) != piece.count(b"<dimension") or not all(
                    extent.fits(*_reference(end.decode())) for end in declared
                ):
                    return False
            cells = _REGULAR_CELL.findall(piece)
            if len(cells) != len(_ANY_CELL.findall(piece)):
                return False
            letters.update(map(itemgetter(0), cells))
            rows.update(map(itemgetter(1), cells))
            if not chunk:
                break
    if not rows:
        return True
    farthest = _reference(f"{max(letters, key=lambda text: (len(text), text)).decode()}{max(map(int, rows))}")
    return extent.fits(*farthest) and (extent.reach(*farthest) or True)


_ODS_ROWS_REPEATED = "number-rows-repeated"
_ODS_COLUMNS_REPEATED = "number-columns-repeated"


def _repeat(attributes: dict, name: str) -> int:
    for key, value in attributes.items():
        if _local(key) == name:
            return int(value) if value.isdigit() and int(value) > 0 else 1
    return 1


def _ods_scan(archive: zipfile.ZipFile, extent: _Extent) -> None:
    """Every table of ``content.xml`` (calamine builds them all when it opens the
    file): a row or cell repeated n times takes n places, and a cell counts when
    it has a value type or any content."""
    state = {"depth": 0, "row": 0, "rows": 1, "column": 0, "cell": None}

    def start(name, attributes):
        tag = _local(name)
        if tag == "table":
            state["depth"] += 1
            if state["depth"] == 1:  # a table inside a cell adds its rows to its sheet's
                extent.next_sheet(next((value for key, value in attributes.items() if _local(key) == "name"), ""))
                state.update(row=0, rows=1)
        elif not state["depth"]:
            return
        elif tag == "table-row":
            state["row"] += state["rows"]  # after the previous row and its repeats
            state["rows"] = _repeat(attributes, _ODS_ROWS_REPEATED)
            state["column"] = 0
        elif tag in ("table-cell", "covered-table-cell"):
            state["column"] += _repeat(attributes, _ODS_COLUMNS_REPEATED)
            state["cell"] = state["column"]  # the last column the cell and its repeats take
            if any(_local(key) == "value-type" for key in attributes):
                occupied()
        elif state["cell"] is not None:  # content inside a cell: text, a link, an annotation
            occupied()

    def occupied():
        extent.reach(max(state["row"], 1) + state["rows"] - 1, state["cell"])
        state["cell"] = None

    def end(name):
        tag = _local(name)
        if tag == "table" and state["depth"]:
            state["depth"] -= 1
        elif tag in ("table-cell", "covered-table-cell"):
            state["cell"] = None

    _parse(archive, "content.xml", start, end)


_HIDDEN = ("hidden", "veryHidden")


def _xlsx_sheet_parts(archive: zipfile.ZipFile, sheet: str | None) -> list[tuple[str, str]]:
    """The sheet's name and the worksheet part calamine reads for it, found
    through the workbook and its relationships; ``sheet`` None is the first
    visible worksheet (else the first), as the reader picks. Every worksheet
    part when the workbook cannot say."""
    names = set(archive.namelist())
    every = [("", name) for name in sorted(names) if name.startswith("xl/worksheets/") and name.endswith(".xml")]
    targets: dict[str, str] = {}
    entries: list[tuple[str, bool, str]] = []  # name, visible, relationship id

    def relationship(name, attributes):
        if _local(name) == "Relationship" and attributes.get("Type", "").endswith("/worksheet"):
            targets[attributes.get("Id", "")] = attributes.get("Target", "")

    def sheet_entry(name, attributes):
        if _local(name) == "sheet":
            identifier = next((value for key, value in attributes.items() if _local(key) == "id"), "")
            entries.append((attributes.get("name", ""), attributes.get("state") not in _HIDDEN, identifier))

    try:
        _parse(archive, "xl/_rels/workbook.xml.rels", relationship)
        _parse(archive, "xl/workbook.xml", sheet_entry)
    except (SheetUnreadable, KeyError):
        return every
    worksheets = [(name, visible, targets[key]) for name, visible, key in entries if key in targets]
    if sheet is None:
        worksheets = ([entry for entry in worksheets if entry[1]] or worksheets)[:1]
    else:
        worksheets = [entry for entry in worksheets if entry[0] == sheet]
    parts = []
    for name, _visible, target in worksheets:
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        if part not in names:
            return every
        parts.append((name, part))
    return parts or every


def sheet_extent(archive: zipfile.ZipFile, sheet: str | None, limits: Limits) -> None:
    """Check that the grid calamine would build for this xlsx or ods archive stays
    within ``limits``: for an xlsx, the worksheet named ``sheet`` (None: the one
    the reader picks); for an ods, every table, since calamine builds them all
    when it opens the file. Raises ``SheetTooLarge`` at the first cell beyond
    the limits and ``SheetUnreadable`` for XML it cannot read or an xlsb. A zip
    holding both formats is scanned as both: calamine guesses which it is."""
    extent = _Extent(limits)
    names = set(archive.namelist())
    if "xl/workbook.bin" in names:  # xlsb: binary records the scan cannot place
        raise SheetUnreadable("xl/workbook.bin")
    try:
        if "xl/workbook.xml" in names:
            for name, part in _xlsx_sheet_parts(archive, sheet):
                extent.next_sheet(name or sheet or part)
                _xlsx_scan(archive, part, extent)
        if "content.xml" in names:
            _ods_scan(archive, extent)
    except _ARCHIVE_ERRORS as error:
        raise SheetUnreadable(str(error)) from error
