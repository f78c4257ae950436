"""Reading a file of dossier statistics (DESIGN §5): a unit (code or name), a
period ("Kỳ") and any of the counts of §10 under their English names or
Vietnamese headers, in xlsx, ods or csv, with the guarantees of the score
imports: the header row found below title rows, also when it is two rows
whose upper one is merged over the lower ("Số hồ sơ" over "Tiếp nhận",
"Đúng hạn"…), counts with Vietnamese thousands dots ("417.983" is four hundred
thousand), every bad cell named with its row, column and value, nothing
returned unless the whole file is good."""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import zip_longest

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers import periods
from dossiers.models import COUNTS, RATES, DossierStatistics
from scoring.spreadsheets.imports import UNIT_COLUMNS, Problems, UnitMatcher
from scoring.spreadsheets.reader import (
    HEADER_SEARCH_ROWS,
    Column,
    Source,
    TableError,
    find_table,
    grid,
    header_key,
    parse_number,
    source_name,
    text,
    too_long,
)
from units.models import Unit

# Each count's Vietnamese headers as provincial reports write them (DESIGN §5 first; the
# template writes the first).
COUNT_HEADERS = {
    "received": ("Tiếp nhận", "Số hồ sơ tiếp nhận", "Tổng số hồ sơ tiếp nhận", "Tổng số hồ sơ", "Tổng tiếp nhận"),
    "resolved_early": ("Trước hạn", "Giải quyết trước hạn", "Đã giải quyết trước hạn"),
    "resolved_on_time": ("Đúng hạn", "Giải quyết đúng hạn", "Đã giải quyết đúng hạn"),
    "resolved_late": ("Trễ hạn", "Giải quyết trễ hạn", "Đã giải quyết trễ hạn", "Giải quyết quá hạn"),
    "pending": ("Đang giải quyết", "Chưa giải quyết", "Đang xử lý"),
    "pending_overdue": ("Quá hạn", "Đang giải quyết quá hạn", "Chưa giải quyết quá hạn"),
    "online_partial": ("Trực tuyến một phần", "Mức độ 3", "Mức 3"),
    "online_full": ("Trực tuyến toàn trình", "Mức độ 4", "Mức 4"),
    "paid_online": ("Thanh toán trực tuyến",),
    "postal": ("Bưu chính công ích", "Qua bưu chính công ích", "Qua dịch vụ bưu chính công ích"),
    "interlinked": ("Liên thông", "Một cửa liên thông"),
    "apology_letters": ("Thư xin lỗi", "Văn bản xin lỗi"),
    "carried_over": ("Kỳ trước chuyển sang", "Tồn kỳ trước", "Từ kỳ trước chuyển sang"),
    "online": ("Trực tuyến", "Tiếp nhận trực tuyến", "Mức độ 3, 4", "Mức độ 3 và 4"),
    "online_eligible": ("Hồ sơ thuộc dịch vụ công trực tuyến", "Hồ sơ thuộc DVC trực tuyến"),
    "procedures": ("Số thủ tục hành chính", "Số TTHC", "Thủ tục hành chính"),
    "procedures_online_partial": ("TTHC trực tuyến một phần", "TTHC mức độ 3", "Thủ tục mức độ 3"),
    "procedures_online_full": ("TTHC trực tuyến toàn trình", "TTHC mức độ 4", "Thủ tục mức độ 4"),
}
RATE_HEADERS = {  # a rate as the source published it, kept beside the computed one
    "on_time_rate": ("Tỷ lệ đúng hạn công bố", "Tỷ lệ đúng hạn", "Published on-time rate"),
    "late_rate": ("Tỷ lệ trễ hạn công bố", "Tỷ lệ trễ hạn", "Published late rate"),
    "online_rate": ("Tỷ lệ trực tuyến công bố", "Tỷ lệ trực tuyến", "Published online rate"),
}
LEVELS = {
    **dict.fromkeys(("", "all", "tat ca", "toan bo", "chung"), DossierStatistics.Level.ALL),
    **dict.fromkeys(("own", "don vi", "cap huyen", "cap tinh", "bo phan mot cua"), DossierStatistics.Level.OWN),
    **dict.fromkeys(("below", "cap xa", "truc thuoc", "cac don vi truc thuoc"), DossierStatistics.Level.BELOW),
}
SAMPLE = {"": False, "0": False, "khong": False, "no": False, "false": False}
SAMPLE |= dict.fromkeys(("1", "x", "co", "yes", "true", "mau", "so lieu mau"), True)

COLUMNS = [
    *UNIT_COLUMNS,
    Column("period", ("Kỳ", "Kỳ báo cáo", "Thời gian", "Period"), required=True),
    Column("level", ("Cấp", "Level")),
    *(Column(field, headers) for field, headers in COUNT_HEADERS.items()),
    *(Column(field, headers) for field, headers in RATE_HEADERS.items()),
    Column("source", ("Nguồn", "Source")),
    Column("is_sample", ("Số liệu mẫu", "Sample")),
]
_SOURCE_MAX = DossierStatistics._meta.get_field("source").max_length
_GROUPED = re.compile(r"[0-9]{1,3}(?:([.,  ])[0-9]{3})(?:\1[0-9]{3})*")  # one separator, groups of 3
_KNOWN = {key for column in COLUMNS for key in column.keys}


class _UnitsThen(UnitMatcher):
    """The units in force on a period's last day (the file may name any)."""

    no_code = gettext_lazy("no unit had this code on the period's last day")
    no_name = gettext_lazy("no unit had this name on the period's last day")


@dataclass(frozen=True)
class StatisticsRow:
    """One good row: the unit, period and level it is about, the counts and
    published rates of the columns the file has (None: a blank cell, not
    reported), and its source and sample flag when the file has those columns."""

    row: int
    unit: Unit
    period: periods.Period
    level: str
    counts: dict[str, int | None]
    published_rates: dict[str, str] | None
    source: str | None
    is_sample: bool | None


def parse_count(value) -> int:
    """A count: a whole spreadsheet number, or text of digits with thousands
    grouped by dots, commas or spaces as Vietnamese and English files write them
    ("417.983", "417,983", "417 983" are all 417983). Raises ``ValueError`` for a
    fraction, a negative number or anything else."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise ValueError(value)
        return value
    raw = text(value).strip()
    if raw.isdigit():
        return int(raw)
    if _GROUPED.fullmatch(raw):
        return int(re.sub(r"[^0-9]", "", raw))
    raise ValueError(value)


def parse_rate(value) -> str:
    """A published rate as the source wrote it, in percent with a dot: "0,0021%",
    0.0021 or "98,6" are "0.0021" and "98.6". Raises ``ValueError`` unless 0 to 100."""
    raw = text(value).removesuffix("%").strip() if isinstance(value, str) else value
    number = parse_number(raw)
    if not Decimal(0) <= number <= Decimal(100):
        raise ValueError(value)
    return format(number.normalize(), "f") if number == number.to_integral() else format(number, "f")


def _merged_header(rows: list[list]) -> list[list]:
    """``rows`` with a two-row header made one: where a row and the row under
    it name more known columns together than either alone (the upper cells
    merged over the lower: "Số hồ sơ" over "Tiếp nhận", "Đúng hạn"…), each
    column takes the lower cell, or the upper one where the lower is blank (a
    cell merged down over both rows)."""

    def known(cells) -> int:
        return sum(1 for cell in cells if cell is not None and header_key(cell) in _KNOWN)

    for index in range(min(HEADER_SEARCH_ROWS, len(rows) - 1)):
        upper, lower = rows[index], rows[index + 1]
        combined = [low if low not in (None, "") else up for up, low in zip_longest(upper, lower)]
        if known(combined) > max(known(upper), known(lower)):
            return [*rows[:index], [], combined, *rows[index + 2 :]]  # the rows keep their numbers
    return rows


def statistics_from_file(
    path: Source, *, sheet: str | None = None, writable: Collection[int] | None = None
) -> list[StatisticsRow]:
    """The file's rows, each with its unit (in force on the period's last day:
    codes are reused after the 2025 reorganisation), or ``TableError`` naming
    every bad cell and every unit, period and level given twice. A row with
    neither a period nor any figure (a template's unit left empty) is skipped. With
    ``writable`` (unit ids: the units the importing person reports for), every
    row of another unit too."""
    table = find_table(
        _merged_header(grid(path, sheet=sheet)),
        COLUMNS,
        accept=lambda fields: "period" in fields and bool(fields & {"unit_code", "unit_name"}),
        expected=_("Mã đơn vị or Tên đơn vị, and Kỳ"),
    )
    problems = Problems(table)
    counts = [field for field in COUNTS if field in table.headers]
    rates = [field for field in RATES if field in table.headers]
    if not counts and not rates:
        raise TableError([_("%(file)s names no count (Tiếp nhận, Đúng hạn, …)") % {"file": source_name(path)}])
    matchers: dict[date, UnitMatcher] = {}
    periods_read: dict[object, periods.Period | None] = {}  # a file has a few periods, on many rows
    seen: dict[tuple, int] = {}
    result = []
    figures = counts + rates
    for row in table.rows:
        cells = row.cells
        raw = cells.get("period")
        if text(raw) == "" and all(text(cells.get(field)) == "" for field in figures):
            continue  # a template's row left empty: a unit with nothing to report
        if raw not in periods_read:
            try:
                periods_read[raw] = periods.parse_period(raw)
            except ValueError:
                periods_read[raw] = None
        period = periods_read[raw]
        if period is None:
            problems.add(row, "period", _("not a period such as 2019, 2019-Q4 (Quý IV/2019) or 2019-12 (12/2019)"))
            continue
        if period.ends_on not in matchers:
            day = period.ends_on
            units = Unit.objects.valid_on(day).only("pk", "code", "name", "short_name", "kind")
            matchers[day] = _UnitsThen(units, writable)
        unit, field, reason = matchers[period.ends_on].match(cells.get("unit_code"), cells.get("unit_name"))
        if unit is None:
            problems.add(row, field, reason)
            continue
        level = LEVELS.get(header_key(text(cells.get("level"))))
        if level is None:
            problems.add(row, "level", _("not a level (tất cả, đơn vị, cấp xã)"))
            continue
        values = _counts(problems, row, counts)
        published = _rates(problems, row, rates)
        _check_parts(problems, row, values)
        source = text(cells.get("source")) if "source" in table.headers else None
        if source and len(source) > _SOURCE_MAX:
            problems.add(row, "source", too_long(_SOURCE_MAX))
        is_sample = SAMPLE.get(header_key(text(cells.get("is_sample")))) if "is_sample" in table.headers else None
        if "is_sample" in table.headers and is_sample is None:
            problems.add(row, "is_sample", _("write x or có for sample data, or leave it blank"))
        key = (unit.pk, period.label, level)
        if key in seen:
            problems.add(
                row,
                "period",
                _("%(unit)s, %(period)s is already in row %(row)s")
                % {"unit": unit.name, "period": period.label, "row": seen[key]},
            )
            continue
        seen[key] = row.number
        result.append(StatisticsRow(row.number, unit, period, level, values, published, source, is_sample))
    problems.raise_any()
    if not result:
        raise TableError([_("%(file)s has a header row but no statistics below it") % {"file": source_name(path)}])
    return result


def _counts(problems: Problems, row, fields: list[str]) -> dict[str, int | None]:
    values = {}
    for field in fields:
        value = row.cells.get(field)
        if type(value) is str and value.isascii() and value.isdigit():  # most CSV cells: nothing more to do
            values[field] = int(value)
            continue
        if value is None or text(value) in ("", "-", "–"):
            values[field] = None
            continue
        try:
            values[field] = parse_count(value)
        except ValueError:
            problems.add(row, field, _("not a count: a whole number such as 417.983"))
    return values


def _rates(problems: Problems, row, fields: list[str]) -> dict[str, str] | None:
    if not fields:
        return None
    published = {}
    for field in fields:
        value = row.cells.get(field)
        if value is None or text(value) == "":
            continue
        try:
            published[field] = parse_rate(value)
        except (ValueError, ArithmeticError):
            problems.add(row, field, _("not a percentage from 0 to 100 such as 98,6"))
    return published


def _check_parts(problems: Problems, row, values: dict[str, int | None]) -> None:
    """A part larger than its whole: past-deadline dossiers among those pending,
    online ones among those received."""
    pairs: list[tuple[Hashable, tuple[str, ...], str]] = [
        ("pending_overdue", ("pending_overdue",), "pending"),
        ("online_full", ("online_partial", "online_full"), "received"),
        ("online", ("online",), "received"),
    ]
    for field, parts, whole in pairs:
        reported = [values.get(part) for part in parts if values.get(part) is not None]
        if reported and values.get(whole) is not None and sum(reported) > values[whole]:
            problems.add(
                row,
                field,
                _("more than the %(whole)s (%(count)s)")
                % {"whole": DossierStatistics._meta.get_field(whole).verbose_name, "count": values[whole]},
            )


def template_headers() -> list[str]:
    """The columns of the statistics template, as the reader looks for them first."""
    counts = [COUNT_HEADERS[field][0] for field in COUNTS]
    published = [RATE_HEADERS[field][0] for field in RATES]
    return ["Mã đơn vị", "Tên đơn vị", "Kỳ", "Cấp", *counts, *published, "Nguồn"]
