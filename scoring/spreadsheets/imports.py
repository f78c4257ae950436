"""Spreadsheets of scoring (DESIGN §5) to checked rows for the services: a
framework's criteria, scores in the wide or long layout, and the published
results of a decision. Pure reading and checking: every bad cell is reported
with its row, column, value and reason, and the caller writes nothing unless
the list of problems is empty.

Real files are forgiving in form and strict in content: title rows, STT and
Ghi chú columns, a decimal comma, criterion codes that a spreadsheet turned
into numbers (1.1 read back as a float), units given by code or by name.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc_portal.text import fold
from scoring import engine
from scoring.models import Criterion, Framework, units_rankable
from scoring.services import CriterionSpec, PublishedResultRow, criteria_count_problem, score_problems
from scoring.services.bulk import collector_paused
from scoring.services.common import framework_named
from scoring.services.results import RANK_MAX
from scoring.services.scores import KEEP, ScoreCell
from scoring.spreadsheets import labels
from scoring.spreadsheets.reader import (
    Column,
    Row,
    Source,
    Table,
    TableError,
    find_table,
    grid,
    header_key,
    parse_number,
    shown,
    source_name,
    text,
    too_long,
)
from units.models import Unit

Progress = Callable[[int, int], None]  # (rows done, rows in all)

# --- cells ---------------------------------------------------------------

NOT_APPLICABLE_TOKENS = frozenset({"kad", "k a d", "n a", "na", "khong ap dung", "not applicable"})


_PLAIN_NUMBER = re.compile(r"\d{1,5}(?:[.,]\d{1,2})?", re.ASCII)  # "༣" is no score


def parse_points(value) -> engine.ScoreValue:
    """A score cell: None when blank (not entered), ``engine.NOT_APPLICABLE`` for
    "KAD", "N/A", "NA" or "Không áp dụng", else the number (``parse_number``).
    Raises ``ValueError`` for anything else. The two shapes a national file is
    made of (a spreadsheet number, plain text such as "4,25") take a short cut:
    400,000 cells."""
    if value is None:
        return None
    if type(value) is float and abs(value) < 1e9:
        if value.is_integer():
            return Decimal(int(value))
        cents = round(value * 100)
        if abs(value * 100 - cents) < 1e-6:
            return Decimal(cents).scaleb(-2)
    elif type(value) is str:
        if _PLAIN_NUMBER.fullmatch(value):
            return Decimal(value.replace(",", "."))
        if header_key(value) in NOT_APPLICABLE_TOKENS:
            return engine.NOT_APPLICABLE
    return parse_number(value)


_CODE = re.compile(r"^(?:tc|tieu chi|criterion)?\s*(\d+(?:\.\d+)*)\.?(?:\s+\S.*)?$", re.ASCII)


def code_like(value) -> str | None:
    """The criterion code a header or cell names, or None when it names none:
    "1.2", "1.2." , "TC 1.2", "Tiêu chí 1.2", "1.2. Ban hành kế hoạch" give
    "1.2"; a number gives its text (1.1 -> "1.1", 2.0 -> "2")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return text(value)
    if not isinstance(value, str):
        return None
    match = _CODE.match(" ".join(fold(value).split()))
    return match.group(1) if match else None


class CriterionCodes:
    """Resolves what a file calls a criterion against a framework's codes. A
    number typed into a spreadsheet loses its trailing zeros (1.10 reads 1.1),
    so a number matches every code equal to it as a number: one is the code,
    several are ambiguous."""

    def __init__(self, codes: Iterable[str]):
        self.codes = set(codes)
        self.by_number: dict[Decimal, list[str]] = defaultdict(list)
        for code in sorted(self.codes):
            if code.count(".") <= 1:
                self.by_number[Decimal(code)].append(code)

    def resolve(self, value) -> tuple[str | None, str | None]:
        """(code, None), or (None, why not)."""
        code = code_like(value)
        if code is None:
            return None, _("not a criterion code")
        if isinstance(value, int | float) and not isinstance(value, bool):
            candidates = self.by_number.get(parse_number(value), [])
            if len(candidates) == 1:
                return candidates[0], None
            if len(candidates) > 1:
                return None, _("the number %(value)s could be criterion %(codes)s: type the code as text") % {
                    "value": code,
                    "codes": _(" or ").join(candidates),
                }
        if code in self.codes:
            return code, None
        return None, _("no criterion %(code)s in this framework") % {"code": code}


# --- units ---------------------------------------------------------------

_UNIT_PREFIXES = (
    "thanh pho",
    "tp",
    "thi xa",
    "tx",
    "thi tran",
    "tt",
    "huyen",
    "quan",
    "phuong",
    "xa",
    "tinh",
    "dac khu",
)
_CODE_WIDTH = {Unit.Kind.PROVINCE: 2, Unit.Kind.DISTRICT: 3, Unit.Kind.COMMUNE: 5}


def name_key(name: str) -> str:
    """ "TP. Đồng Xoài", "Thành phố Đồng Xoài" -> "dong xoai": the name without its
    type word, for matching a name as people write it."""
    words = header_key(name)
    for prefix in _UNIT_PREFIXES:
        if words.startswith(prefix + " "):
            return words[len(prefix) + 1 :]
    return words


class UnitMatcher:
    """Finds a row's unit among the units a file may name, by code or by name
    without regard to case, diacritics and type words ("dong phu" is Huyện Đồng
    Phú). A code typed as a number gets its zeros back (58 -> "058"). A name
    several units share is an error that lists them."""

    no_code = gettext_lazy("no such unit among the units this framework ranks")
    no_name = gettext_lazy("no unit of this name among the units this framework ranks")

    def __init__(self, units: Iterable[Unit], writable: Collection[int] | None = None):
        self.by_code: dict[str, Unit] = {unit.code: unit for unit in units}
        self.writable = writable
        widths = {_CODE_WIDTH.get(unit.kind) for unit in self.by_code.values()}
        self.width = widths.pop() if len(widths) == 1 else None
        self._memo: dict[tuple, tuple] = {}

    @cached_property
    def by_name(self) -> dict[str, list[Unit]]:
        """Units by folded name, built when a row needs it: a file that gives
        codes with the names as stored never folds 10,000 names."""
        by_name = defaultdict(list)
        for unit in self.by_code.values():
            for key in {header_key(unit.name), name_key(unit.name), name_key(unit.short_name or unit.name)}:
                by_name[key].append(unit)
        return by_name

    def code(self, value) -> str:
        code = text(value)
        if self.width and not isinstance(value, str) and code.isdigit():
            code = code.zfill(self.width)
        return code

    def match(self, code_value, name_value) -> tuple[Unit | None, str | None, str | None]:
        """(unit, None, None) or (None, the field at fault, why). A unit outside
        ``writable`` (the ids of the units the importing person enters, when
        given) is named and refused."""
        key = (code_value, name_value)
        if key not in self._memo:
            self._memo[key] = self._match(code_value, name_value)
            unit = self._memo[key][0]
            if unit is not None and self.writable is not None and unit.id not in self.writable:
                field = "unit_code" if code_value is not None else "unit_name"
                why = _("%(code)s %(name)s is not among the units you enter") % {"code": unit.code, "name": unit.name}
                self._memo[key] = None, field, why
        return self._memo[key]

    def _match(self, code_value, name_value):
        if code_value is not None:
            unit = self.by_code.get(self.code(code_value))
            if unit is None:
                return None, "unit_code", str(self.no_code)
            name = None if name_value is None else text(name_value)
            if name is not None and name not in (unit.name, unit.short_name) and unit not in self._named(name):
                return None, "unit_name", _("the code %(code)s is %(name)s") % {"code": unit.code, "name": unit.name}
            return unit, None, None
        if name_value is None:
            return None, "unit_code", _("neither a unit code nor a name")
        units = self._named(text(name_value))
        if len(units) == 1:
            return units[0], None, None
        if not units:
            return None, "unit_name", str(self.no_name)
        candidates = "; ".join(f"{unit.code} {unit.name}" for unit in sorted(units, key=lambda unit: unit.code))
        return None, "unit_name", _("several units have this name: %(units)s; give the code") % {"units": candidates}

    def _named(self, name: str) -> list[Unit]:
        exact = self.by_name.get(header_key(name), [])
        return exact if len(exact) == 1 else self.by_name.get(name_key(name), exact)


UNIT_COLUMNS = [
    Column("unit_code", (labels.UNIT_CODE, "Mã ĐVHC", "Mã", "Mã số", "Unit code", "Code")),
    Column("unit_name", (labels.UNIT_NAME, "Đơn vị", "Tên", "Tên cơ quan, đơn vị", "Cơ quan, đơn vị", "Unit", "Name")),
]


def _names_a_unit(fields: set) -> bool:
    return bool(fields & {"unit_code", "unit_name"})


class Problems:
    """Every bad cell of a table, worded alike."""

    def __init__(self, table: Table):
        self.table, self.messages = table, []

    def add(self, row: Row, field: Hashable, reason: str) -> None:
        self.messages.append(
            _("%(where)s, value %(value)r: %(reason)s")
            % {"where": self.table.where(row, field), "value": shown(row.cells.get(field)), "reason": reason}
        )

    def raise_any(self) -> None:
        if self.messages:
            raise TableError(self.messages)


def _units_row(problems: Problems, matcher: UnitMatcher, row: Row, seen: dict) -> Unit | None:
    """The row's unit, or None with the problem recorded; a unit twice is a problem."""
    unit, field, reason = matcher.match(row.cells.get("unit_code"), row.cells.get("unit_name"))
    if unit is None:
        problems.add(row, field, reason)
        return None
    if unit.pk in seen:
        problems.add(
            row,
            "unit_code" if "unit_code" in row.cells else "unit_name",
            _("%(unit)s is already in row %(row)s") % {"unit": unit.name, "row": seen[unit.pk]},
        )
        return None
    seen[unit.pk] = row.number
    return unit


def _with_progress(rows: Sequence[Row], progress: Progress | None, every: int = 2000):
    for position, row in enumerate(rows):
        if progress and position % every == 0:
            progress(position, len(rows))
        yield row
    if progress:
        progress(len(rows), len(rows))


# --- criteria --------------------------------------------------------------

CRITERION_COLUMNS = [
    Column("code", (labels.CRITERION_CODE, "Mã", "Số hiệu", "Criterion code"), required=True),
    Column(
        "name", (labels.CRITERION_NAME, "Tên tiêu chí", "Lĩnh vực, tiêu chí", "Nội dung", "Criterion"), required=True
    ),
    Column(
        "max_points", (labels.MAXIMUM, "Điểm chuẩn", "Điểm tối đa đạt được", "Max points", "Maximum"), required=True
    ),
    Column("kind", (labels.KIND, "Loại điểm", "Kind")),
    Column("component", ("Thành phần", "Nguồn điểm", "Component")),
    Column("name_en", (labels.NAME_EN, "Tên tiếng Anh", "English name", "Name in English")),
]
_CRITERION_CODE_MAX = Criterion._meta.get_field("code").max_length
_CRITERION_NAME_MAX = Criterion._meta.get_field("name").max_length
_CRITERION_NAME_EN_MAX = Criterion._meta.get_field("name_en").max_length
CRITERION_KINDS = {
    **dict.fromkeys(("", "normal", "thuong", "binh thuong", "diem thuong"), Criterion.Kind.NORMAL),
    **dict.fromkeys(("bonus", "cong", "diem cong", "thuong them", "diem thuong them"), Criterion.Kind.BONUS),
    **dict.fromkeys(("penalty", "tru", "diem tru", "phat"), Criterion.Kind.PENALTY),
}
CRITERION_COMPONENTS = {
    **dict.fromkeys(("", "appraisal", "tham dinh", "tu danh gia", "danh gia"), Criterion.Component.APPRAISAL),
    **dict.fromkeys(
        ("survey", "xa hoi hoc", "dieu tra xa hoi hoc", "dieu tra", "khao sat"), Criterion.Component.SURVEY
    ),
}


def criteria_from_file(path: Source, *, sheet: str | None = None) -> list[CriterionSpec]:
    """A framework's criteria tree, one row per criterion (code, name, maximum;
    optionally kind, component and the name in English: a file with that column
    sets every English name, a blank cell clearing one; without it, they are
    kept), or ``TableError`` listing every bad cell. The tree itself (parents,
    sums of maxima) is checked by the service."""
    table = find_table(grid(path, sheet=sheet), CRITERION_COLUMNS)
    with_english = "name_en" in table.headers
    if (problem := criteria_count_problem(len(table.rows))) is not None:
        raise TableError([f"{source_name(path)}: {problem}"])
    problems = Problems(table)
    specs = []
    for row in table.rows:
        code = code_like(row.cells["code"])
        if code is None:
            problems.add(row, "code", _("not a criterion code such as 1, 1.2 or 1.2.3"))
        elif len(code) > _CRITERION_CODE_MAX:
            problems.add(row, "code", too_long(_CRITERION_CODE_MAX))
            code = None
        name = text(row.cells["name"])
        if not name:
            problems.add(row, "name", _("the name is empty"))
        elif len(name) > _CRITERION_NAME_MAX:
            problems.add(row, "name", too_long(_CRITERION_NAME_MAX))
            name = ""
        try:
            max_points = parse_number(row.cells["max_points"])
        except ValueError:
            max_points = None
            problems.add(row, "max_points", _("not a number"))
        kind = CRITERION_KINDS.get(header_key(text(row.cells.get("kind"))))
        if kind is None:
            problems.add(row, "kind", _("not a kind of criterion (thường, điểm cộng, điểm trừ)"))
        component = CRITERION_COMPONENTS.get(header_key(text(row.cells.get("component"))))
        if component is None:
            problems.add(row, "component", _("not a component (thẩm định, điều tra xã hội học)"))
        name_en = text(row.cells.get("name_en")) if with_english else None
        if name_en and len(name_en) > _CRITERION_NAME_EN_MAX:
            problems.add(row, "name_en", too_long(_CRITERION_NAME_EN_MAX))
        elif None not in (code, max_points, kind, component) and name:
            specs.append(CriterionSpec(code, name, max_points, kind, component, name_en))
    problems.raise_any()
    if not specs:
        raise TableError([_("%(file)s has a header row but no criteria below it") % {"file": source_name(path)}])
    return specs


# --- scores ----------------------------------------------------------------

LONG_COLUMNS = [
    *UNIT_COLUMNS,
    Column(
        "criterion_code", (labels.CRITERION_CODE, labels.CRITERION_NAME, "Criterion code", "Criterion"), required=True
    ),
    Column("points", ("Điểm", "Điểm đạt được", "Điểm thẩm định", "Points", "Score"), required=True),
    Column("self_assessed_points", ("Điểm tự chấm", "Điểm tự đánh giá", "Self-assessed points")),
    Column("note", ("Ghi chú", "Note")),
]
TOTAL_COLUMN = Column("total", ("Tổng điểm", "Tổng", "Tổng cộng", "Tổng số điểm", "Điểm tổng", "Total"))


@dataclass(frozen=True)
class ScoresFile:
    layout: str  # "wide" or "long"
    cells: list[ScoreCell]
    unit_rows: dict[int, int]  # unit id -> the (first) spreadsheet row that names it

    @property
    def units(self) -> int:
        return len(self.unit_rows)


class _Framework:
    """What reading scores needs of a framework, read once."""

    def __init__(self, framework: Framework, writable: Collection[int] | None = None):
        self.framework = framework
        self.criteria = {criterion.code: criterion for criterion in framework.criteria.all()}
        self.codes = CriterionCodes(self.criteria)
        self.units = UnitMatcher(framework.participants.all(), writable)


@collector_paused()
def scores_from_file(
    path: Source,
    framework: Framework,
    *,
    sheet: str | None = None,
    progress: Progress | None = None,
    units: Collection[int] | None = None,
) -> ScoresFile:
    """Score cells of a computed framework from a file in either layout (DESIGN
    §5): wide (a row per unit, a column per leaf criterion, as the template) or
    long (unit, criterion code, points per row). A blank cell is not entered and
    writes nothing. ``units``: the ids of the only participants the file may
    score (a staff editor's); a row of another is a problem. ``TableError``
    lists every bad cell."""
    rows = grid(path, sheet=sheet)
    context = _Framework(framework, units)
    if framework.mode != Framework.Mode.COMPUTED:
        raise TableError(
            [
                _("framework %(framework)s takes published results, not scores")
                % {"framework": framework_named(framework)}
            ]
        )
    try:
        table = find_table(rows, LONG_COLUMNS, accept=lambda fields: _names_a_unit(fields) and "points" in fields)
    except TableError:
        table = None
    if table is not None and "criterion_code" in table.headers:
        return _long_scores(table, context, progress)
    table = find_table(
        rows,
        [*UNIT_COLUMNS, TOTAL_COLUMN],
        dynamic=lambda value: ("criterion", value) if code_like(value) is not None else None,
        accept=lambda fields: _names_a_unit(fields) and any(isinstance(field, tuple) for field in fields),
        expected=_("Mã đơn vị or Tên đơn vị, and criterion codes"),
    )
    return _wide_scores(table, context, progress)


class _CellReader:
    """Reads score cells of one criterion: the value, or why it cannot be stored.
    A file repeats few distinct values per criterion (0, 0.5, 1 … its maximum),
    so each distinct raw value is parsed and checked once: 400,000 cells a
    national file, a few hundred distinct ones."""

    def __init__(self, criterion: Criterion):
        self.criterion, self.seen = criterion, {}

    def __call__(self, raw) -> tuple[engine.ScoreValue, str | None]:
        if type(raw) is bool:  # True == 1 as a key: never share a number's entry
            return self._read(raw)
        found = self.seen.get(raw)
        if found is None:
            found = self.seen[raw] = self._read(raw)
        return found

    def _read(self, raw) -> tuple[engine.ScoreValue, str | None]:
        try:
            value = parse_points(raw)
        except ValueError:
            return None, _("not a number, and not KAD (không áp dụng)")
        problems = score_problems(self.criterion, value)
        return value, problems[0] if problems else None


def _wide_scores(table: Table, context: _Framework, progress: Progress | None) -> ScoresFile:
    problems = Problems(table)
    columns = {}  # field -> criterion
    for field, header in table.headers.items():
        if not isinstance(field, tuple):
            continue
        code, why = context.codes.resolve(field[1])
        if code is None:
            problems.messages.append(_("column %(column)s: %(reason)s") % {"column": header, "reason": why})
        elif any(criterion.code == code for criterion in columns.values()):
            problems.messages.append(
                _("column %(column)s: criterion %(code)s has two columns") % {"column": header, "code": code}
            )
        else:
            columns[field] = context.criteria[code]
    problems.raise_any()
    leaves = {field: criterion for field, criterion in columns.items() if criterion.is_leaf}
    subtotals = {field: criterion for field, criterion in columns.items() if not criterion.is_leaf}
    tree = engine.CriteriaTree(criterion.node for criterion in context.criteria.values())
    readers = [(field, criterion.code, _CellReader(criterion)) for field, criterion in leaves.items()]
    ids = {criterion.code: criterion.pk for criterion in leaves.values()}
    maxima = header_key(labels.MAXIMUM)  # the template's row of maxima under its header
    cells, seen = [], {}
    for row in _with_progress(table.rows, progress):
        first = row.cells.get("unit_code") or row.cells.get("unit_name")
        if isinstance(first, str) and not first[:1].isdigit() and header_key(first) == maxima:
            continue
        known_problems = len(problems.messages)
        unit = _units_row(problems, context.units, row, seen)
        values = {}
        for field, code, read in readers:
            raw = row.cells[field]
            if raw is None:
                continue
            value, problem = read(raw)
            if problem:
                problems.add(row, field, problem)
            else:
                values[code] = value
        if len(problems.messages) > known_problems:
            continue
        _check_sums(problems, row, values, subtotals, tree)
        unit_id = unit.id
        cells += [ScoreCell(ids[code], unit_id, value) for code, value in values.items()]
    problems.raise_any()
    return ScoresFile("wide", cells, seen)


def _check_sums(problems: Problems, row: Row, values: dict, subtotals: dict, tree: engine.CriteriaTree) -> None:
    """A subtotal column (a criterion with sub-criteria) and a total column must
    agree with the points entered under them."""
    checks = [(field, criterion.code) for field, criterion in subtotals.items()]
    if "total" in row.cells:
        checks.append(("total", None))
    points = tree.node_points(values) if subtotals else {}
    for field, code in checks:
        raw = row.cells.get(field)
        if raw is None:
            continue
        try:
            given = parse_number(raw)
        except ValueError:
            problems.add(row, field, _("not a number"))
            continue
        expected = tree.totals(values).total_points if code is None else points[code]
        if given != expected:
            problems.add(
                row,
                field,
                _("does not match the sum of the points entered (%(sum)s)") % {"sum": number_format(expected)},
            )


def _long_scores(table: Table, context: _Framework, progress: Progress | None) -> ScoresFile:
    problems = Problems(table)
    criteria: dict[object, tuple] = {}  # raw code cell -> (criterion, why not, its cell reader)
    cells, seen, units, readers = [], set(), {}, {}
    has_self, has_note = "self_assessed_points" in table.headers, "note" in table.headers
    for row in _with_progress(table.rows, progress):
        unit, field, reason = context.units.match(row.cells.get("unit_code"), row.cells.get("unit_name"))
        if unit is None:
            problems.add(row, field, reason)
        raw_code = row.cells["criterion_code"]
        if raw_code not in criteria:
            code, why = context.codes.resolve(raw_code)
            criterion = context.criteria.get(code)
            if criterion is not None and not criterion.is_leaf:
                criterion, why = None, score_problems(criterion, None)[0]
            criteria[raw_code] = (
                criterion,
                why,
                criterion and readers.setdefault(criterion.pk, _CellReader(criterion)),
            )
        criterion, why, read = criteria[raw_code]
        if criterion is None:
            problems.add(row, "criterion_code", why)
            continue
        value, problem = read(row.cells["points"])
        if problem:
            problems.add(row, "points", problem)
        self_assessed = _self_assessed(problems, row, criterion) if has_self else KEEP
        if unit is None or problem:
            continue
        cell = (unit.id, criterion.id)  # .id, not .pk: a property call, 400,000 rows a national file
        if cell in seen:
            reason = _("%(unit)s already has this criterion in an earlier row") % {"unit": unit.name}
            problems.add(row, "criterion_code", reason)
            continue
        seen.add(cell)
        units.setdefault(unit.id, row.number)
        if value is None and not has_self and not has_note:
            continue  # a blank cell: not entered
        note = text(row.cells.get("note")) if has_note else KEEP
        cells.append(ScoreCell(criterion.id, unit.id, value, self_assessed, note))
    problems.raise_any()
    return ScoresFile("long", cells, units)


def _self_assessed(problems: Problems, row: Row, criterion: Criterion) -> Decimal | None:
    try:
        value = parse_points(row.cells["self_assessed_points"])
    except ValueError:
        problems.add(row, "self_assessed_points", _("not a number"))
        return None
    if value is engine.NOT_APPLICABLE:
        return None
    for problem in score_problems(criterion, None, value):
        problems.add(row, "self_assessed_points", problem)
    return value


# --- published results -----------------------------------------------------

RESULT_COLUMNS = [
    *UNIT_COLUMNS,
    Column(
        "index",
        ("Chỉ số", "Chỉ số CCHC", "Chỉ số cải cách hành chính", "Điểm", "Kết quả", "Index", "PAR INDEX"),
        required=True,
    ),
    Column("rank", ("Xếp hạng", "Thứ hạng", "Hạng", "Xếp thứ", "Rank")),
]


def results_from_file(path: Source, framework: Framework, *, sheet: str | None = None) -> list[PublishedResultRow]:
    """The decision's table for a published-mode framework: each unit (by code or
    name, among the units of the block in force that year) with its index and
    optionally its rank and field subtotals (columns named by the top-level
    criterion's code or name). ``TableError`` lists every bad cell."""
    fields = {criterion.code: criterion for criterion in framework.criteria.filter(parent=None)}
    by_header = {header_key(criterion.name): code for code, criterion in fields.items()}
    by_header.update({header_key(code): code for code in fields})

    def field_column(value):
        code = by_header.get(header_key(value)) or (code_like(value) if code_like(value) in fields else None)
        return ("field", code) if code else None

    table = find_table(
        grid(path, sheet=sheet),
        RESULT_COLUMNS,
        dynamic=field_column,
        accept=lambda found: _names_a_unit(found) and "index" in found,
    )
    matcher = UnitMatcher(
        units_rankable(year=framework.year, scope=framework.scope, block=framework.block, on=framework.reference_date)
    )
    problems = Problems(table)
    rows, seen = [], {}
    for row in table.rows:
        unit = _units_row(problems, matcher, row, seen)
        index = _number(problems, row, "index")
        rank = None
        if row.cells.get("rank") is not None:
            rank = _number(problems, row, "rank")
            if rank is not None and (rank != rank.to_integral_value() or not 1 <= rank <= RANK_MAX):
                problems.add(row, "rank", _("not a whole number from 1 to %(max)s") % {"max": RANK_MAX})
                rank = None
        field_points = {}
        for key in table.headers:
            if isinstance(key, tuple) and row.cells.get(key) is not None:
                points = _number(problems, row, key)
                if points is not None:
                    field_points[key[1]] = points
        if unit is not None and index is not None:
            rows.append(
                PublishedResultRow(
                    unit_code=unit.code,
                    index=index,
                    rank=None if rank is None else int(rank),
                    fields=field_points,
                    unit_name=text(row.cells.get("unit_name")) or unit.name,
                    source_row=row.number,
                )
            )
    problems.raise_any()
    return rows


def _number(problems: Problems, row: Row, field) -> Decimal | None:
    raw = row.cells.get(field)
    try:
        return parse_number(raw)
    except (ValueError, TypeError):
        problems.add(row, field, _("not a number") if raw is not None else _("empty"))
        return None
