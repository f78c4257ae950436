"""Score-entry grids: one unit's every criterion, or one criterion's every
participant. A grid reads the stored cells, shows them as the reader writes
numbers ("13,96"), and on save checks every typed cell (0..maximum, 2 decimal
places, a decimal comma or dot, KAD for not applicable) and writes only the
cells that changed, unless someone else changed them since the page was read
(``services.scores_edit``)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from scoring import engine, services
from scoring.models import Criterion, Framework, Score
from scoring.spreadsheets import labels
from scoring.spreadsheets.imports import parse_points
from scoring.spreadsheets.reader import shown, too_long
from units.models import Unit

NOT_APPLICABLE_TEXT = labels.NOT_APPLICABLE
# The most a cell takes (its box's maxlength): any score and "Không áp dụng" fit. A
# longer one is refused and only that much of it is kept in the box for correcting,
# so a megabyte typed past the browser does not come back in the page.
CELL_MAX_LENGTH = 30


def value_text(value: engine.ScoreValue, *, localized: bool = True) -> str:
    """A cell as typed: "13,96" on Vietnamese pages (or "13.96", canonical), "KAD", or ""."""
    if value is None:
        return ""
    if value is engine.NOT_APPLICABLE:
        return NOT_APPLICABLE_TEXT
    return number_format(value, 2) if localized else f"{value:.2f}"


def parse_cell(text: str) -> engine.ScoreValue:
    """A typed cell: None when blank, ``NOT_APPLICABLE`` for KAD (N/A, Không áp
    dụng), else the number with a decimal comma or dot. ``ValueError`` otherwise."""
    text = text.strip()
    if not text:
        return None
    if len(text) > CELL_MAX_LENGTH:
        raise ValueError(text[:CELL_MAX_LENGTH])
    return parse_points(text)


@dataclass
class Cell:
    unit: Unit
    criterion: Criterion
    value: engine.ScoreValue
    editable: bool
    text: str = ""  # what the input shows: the stored value, or what was typed
    quoted: str = ""  # what was typed, as a message quotes it (a short prefix of a long one)
    original: str = ""  # the stored value the page was read with, canonical
    error: str = ""
    theirs: str | None = None  # a conflict: the value someone else stored meanwhile

    def __post_init__(self):
        self.text = value_text(self.value)
        self.original = value_text(self.value, localized=False)

    @property
    def name(self) -> str:
        return f"c-{self.unit.pk}-{self.criterion.pk}"

    @property
    def max_length(self) -> int:
        return CELL_MAX_LENGTH


def cells_read(framework: Framework, units: list[Unit], criteria: list[Criterion], editable) -> list[Cell]:
    """The grid's cells, units × leaf criteria in the order given, with their stored
    values; ``editable(unit)`` says which the user may change. One query."""
    stored = {
        (criterion_id, unit_id): engine.NOT_APPLICABLE if na else points
        for criterion_id, unit_id, points, na in Score.objects.filter(
            criterion__in=[criterion.pk for criterion in criteria], unit__in=[unit.pk for unit in units]
        ).values_list("criterion_id", "unit_id", "points", "not_applicable")
    }
    return [
        Cell(unit, criterion, stored.get((criterion.pk, unit.pk)), editable(unit))
        for unit in units
        for criterion in criteria
    ]


def cells_save(request, framework: Framework, cells: list[Cell], reason: str | None) -> tuple[int | None, list[str]]:
    """Check the cells typed in ``request.POST`` and write the changed ones (none
    when ``reason`` is None: the form refused it, and says why).
    Returns (cells changed, None when nothing was written, problems not tied to a
    cell); each bad cell gets its ``error`` (or ``theirs`` on a conflict) and
    keeps what was typed (its first ``CELL_MAX_LENGTH`` characters)."""
    edits = []
    for cell in cells:
        typed = request.POST.get(cell.name)
        if typed is None or not cell.editable:
            continue
        cell.text, cell.quoted = typed.strip(), shown(typed)
        if len(cell.text) > CELL_MAX_LENGTH:
            cell.text, cell.error = cell.text[:CELL_MAX_LENGTH], capfirst(too_long(CELL_MAX_LENGTH)) + "."
            continue
        try:
            expected = parse_cell(request.POST.get("o-" + cell.name, ""))
            value = parse_cell(typed)
        except ValueError:
            cell.error = _("Not a number, and not KAD (not applicable).")
            continue
        if value == expected:  # None, the not-applicable marker or the same number
            continue
        problems = services.score_problems(cell.criterion, value)
        if problems:
            cell.error = problems[0]
            continue
        edits.append((cell, services.ScoreEdit(cell.criterion.pk, cell.unit.pk, expected, value)))
    if any(cell.error for cell in cells) or reason is None:
        return None, []
    if not edits:
        return 0, []
    try:
        report = services.scores_edit(
            framework=framework,
            edits=[edit for _cell, edit in edits],
            user=request.user,
            reason=reason,
            source=_("score entry grid"),
        )
    except services.ScoreConflict as conflict:
        for cell, edit in edits:
            if (edit.criterion_id, edit.unit_id) in conflict.cells:
                theirs = conflict.cells[(edit.criterion_id, edit.unit_id)]
                cell.theirs = value_text(theirs) or "—"
                cell.original = value_text(theirs, localized=False)
        return None, []
    except services.ScoringInputError as error:
        return None, error.messages
    return report.created + report.changed, []


@dataclass
class Row:
    """A criterion of a unit's grid: a leaf with its cell, or a parent with its subtotal."""

    criterion: Criterion
    cell: Cell | None
    subtotal: Decimal | None = None


def unit_rows(criteria: list[Criterion], cells: list[Cell]) -> list[Row]:
    """The unit grid's rows in tree order (``criteria``: the whole tree), each parent
    with its points as the engine sums them."""
    by_criterion = {cell.criterion.pk: cell for cell in cells}
    tree = engine.CriteriaTree(criterion.node for criterion in criteria)
    points = tree.node_points({cell.criterion.code: cell.value for cell in cells})
    return [
        Row(criterion, by_criterion.get(criterion.pk))
        if criterion.is_leaf
        else Row(criterion, None, points[criterion.code])
        for criterion in criteria
    ]
