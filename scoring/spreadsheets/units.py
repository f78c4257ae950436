"""A units spreadsheet (DESIGN §5) to ``UnitRow``s: departments, agencies and
corrections. Every bad cell is reported with its row, column, value and reason."""

from django.utils.translation import gettext as _

from cchc_portal.text import fold
from scoring.spreadsheets.reader import (
    Column,
    Row,
    Source,
    Table,
    TableError,
    parse_date,
    read_table,
    shown,
    source_name,
    text,
    too_long,
)
from units.models import Unit
from units.services import UnitRow

COLUMNS = [
    Column("code", ("Mã", "Mã đơn vị", "Mã số", "Unit code"), required=True),
    Column("name", ("Tên", "Tên đơn vị", "Unit name"), required=True),
    Column("kind", ("Loại", "Loại đơn vị", "Cấp", "Type"), required=True),
    Column("parent_code", ("Mã cấp trên", "Mã đơn vị cấp trên", "Parent")),
    Column("short_name", ("Tên ngắn", "Tên gọn", "Short name")),
    Column("type_label", ("Loại hình", "Type label")),
    Column("valid_from", ("Hiệu lực từ", "Từ ngày", "Valid from")),
    Column("valid_to", ("Hiệu lực đến", "Đến ngày", "Valid to")),
    Column("predecessor_codes", ("Mã đơn vị tiền thân", "Mã tiền thân", "Đơn vị tiền thân", "Predecessors")),
]

# Words a "Loại" cell may hold -> (kind, type label it implies). "Thành phố" is a
# province-level city without a parent, a district-level one under a province.
_KIND_WORDS = {
    **dict.fromkeys(("province", "cap tinh"), (Unit.Kind.PROVINCE, "")),
    **dict.fromkeys(("district", "cap huyen"), (Unit.Kind.DISTRICT, "")),
    **dict.fromkeys(("commune", "ward", "cap xa"), (Unit.Kind.COMMUNE, "")),
    "tinh": (Unit.Kind.PROVINCE, "Tỉnh"),
    "huyen": (Unit.Kind.DISTRICT, "Huyện"),
    "quan": (Unit.Kind.DISTRICT, "Quận"),
    "thi xa": (Unit.Kind.DISTRICT, "Thị xã"),
    "xa": (Unit.Kind.COMMUNE, "Xã"),
    "phuong": (Unit.Kind.COMMUNE, "Phường"),
    "thi tran": (Unit.Kind.COMMUNE, "Thị trấn"),
    "dac khu": (Unit.Kind.COMMUNE, "Đặc khu"),
    **dict.fromkeys(("department", "so", "ban", "nganh", "so ban nganh"), (Unit.Kind.DEPARTMENT, "")),
    **dict.fromkeys(("ministry", "bo", "co quan ngang bo", "bo nganh"), (Unit.Kind.MINISTRY, "")),
    **dict.fromkeys(("agency", "other", "co quan", "khac", "don vi khac"), (Unit.Kind.AGENCY, "")),
}
_CITY = "thanh pho"
# GSO codes have a fixed width; a spreadsheet that stored "058" as a number shows 58.
_CODE_WIDTH = {Unit.Kind.PROVINCE: 2, Unit.Kind.DISTRICT: 3, Unit.Kind.COMMUNE: 5}
_OPTIONAL_TEXT = ("short_name", "type_label")
# What the columns hold: longer text is refused, not cut (PostgreSQL would refuse it in the middle of the import).
_MAX_LENGTH = {field: Unit._meta.get_field(field).max_length for field in ("code", "name", *_OPTIONAL_TEXT)}
_PARENT_KIND = {Unit.Kind.DISTRICT: Unit.Kind.PROVINCE, Unit.Kind.COMMUNE: Unit.Kind.DISTRICT}


def _kind(value, has_parent: bool) -> tuple[str, str] | None:
    key = " ".join(fold(text(value)).replace(",", " ").split())
    if key in Unit.Kind.values:
        return key, ""
    if key == _CITY:
        return (Unit.Kind.DISTRICT if has_parent else Unit.Kind.PROVINCE), "Thành phố"
    return _KIND_WORDS.get(key)


def _code(value, kind: str | None) -> str:
    code = text(value)
    width = _CODE_WIDTH.get(kind)
    if width and not isinstance(value, str) and code.isdigit():
        code = code.zfill(width)
    return code


class _RowReader:
    def __init__(self, table: Table, row: Row):
        self.table, self.row, self.errors = table, row, []

    def problem(self, field: str, reason: str) -> None:
        value = self.row.cells.get(field)
        self.errors.append(
            _("%(where)s, value %(value)r: %(reason)s")
            % {"where": self.table.where(self.row, field), "value": shown(value), "reason": reason}
        )

    def date(self, field: str):
        try:
            return parse_date(self.row.cells.get(field))
        except ValueError:
            self.problem(field, _("not a date; write 2025-07-01 or 1/7/2025"))
            return None


def _unit_row(table: Table, row: Row) -> tuple[UnitRow | None, list[str]]:
    reader = _RowReader(table, row)
    cells = row.cells
    parent_value = cells.get("parent_code")
    kind_and_label = _kind(cells.get("kind"), parent_value is not None)
    if kind_and_label is None:
        reader.problem("kind", _("not a kind of unit (tỉnh, huyện, xã, sở, bộ … or province, district, commune …)"))
        kind, label = None, ""
    else:
        kind, label = kind_and_label
    code = _code(cells.get("code"), kind)
    if not code:
        reader.problem("code", _("the code is empty"))
    name = text(cells.get("name"))
    if not name:
        reader.problem("name", _("the name is empty"))
    valid_from, valid_to = reader.date("valid_from"), reader.date("valid_to")
    predecessors = tuple(
        _code(part.strip(), kind)
        for part in text(cells.get("predecessor_codes")).replace(";", ",").split(",")
        if part.strip()
    )
    lengths = {"code": len(code), "name": len(name)} | {field: len(text(cells.get(field))) for field in _OPTIONAL_TEXT}
    for field, length in lengths.items():
        if length > _MAX_LENGTH[field]:
            reader.problem(field, too_long(_MAX_LENGTH[field]))
    if reader.errors:
        return None, reader.errors
    return (
        UnitRow(
            code=code,
            name=name,
            kind=kind,
            short_name=text(cells.get("short_name")),
            type_label=text(cells.get("type_label")) or label,
            parent_code=_code(parent_value, _PARENT_KIND.get(kind, Unit.Kind.PROVINCE)) or None,
            valid_from=valid_from,
            valid_to=valid_to,
            predecessor_codes=predecessors,
            where=_("row %(row)s") % {"row": row.number},
        ),
        [],
    )


def unit_rows_from_file(path: Source, *, sheet: str | None = None) -> list[UnitRow]:
    """Every row of a units file (a path or an ``Upload``), or ``TableError`` listing every bad cell."""
    table = read_table(path, COLUMNS, sheet=sheet)
    rows, errors = [], []
    for row in table.rows:
        unit_row, problems = _unit_row(table, row)
        errors += problems
        if unit_row is not None:
            rows.append(unit_row)
    if errors:
        raise TableError(errors)
    if not rows:
        raise TableError([_("%(file)s has a header row but no units below it") % {"file": source_name(path)}])
    return rows
