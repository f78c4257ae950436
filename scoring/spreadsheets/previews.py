"""An import of a file into a framework: read and check the file, then preview
what would change row by row (every problem when there is any), or write it.
The one path of every import of scores or results: the admin's (in the request
or in the background) and the commands' (``import_scores``, ``import_results``),
so they accept and refuse the same files alike.
"""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from scoring import engine
from scoring.models import Framework
from scoring.services import (
    ScoringInputError,
    published_results_changes,
    published_results_set,
    scores_import,
)
from scoring.services.results import PublishedFigures
from scoring.spreadsheets import labels
from scoring.spreadsheets.imports import Progress, results_from_file, scores_from_file
from scoring.spreadsheets.reader import Source, TableError, source_name
from units.models import Unit

SCORES, RESULTS = "scores", "results"
PREVIEW_ROWS = 200  # rows shown with their changes; the summary counts them all


class PreviewChange(NamedTuple):
    """A value a row changes, formatted for reading; ``before`` is "" for a new cell."""

    column: str
    before: str
    after: str


@dataclass
class PreviewRow:
    number: int | None  # the spreadsheet row; None for a unit the file no longer lists
    kind: str  # "new", "update" or "delete", as django-import-export names them
    unit: str
    changes: list[PreviewChange]


@dataclass
class Preview:
    """What an import would do (or did): a summary, the first rows that change,
    and every problem. Nothing is written when there is any problem."""

    summary: str = ""
    rows: list[PreviewRow] = field(default_factory=list)
    rows_changed: int = 0
    problems: list[str] = field(default_factory=list)
    revision_id: int | None = None

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Preview":
        rows = [
            PreviewRow(**{**row, "changes": [PreviewChange(*change) for change in row["changes"]]})
            for row in data["rows"]
        ]
        return cls(**{**data, "rows": rows})


def import_file(
    kind: str,
    *,
    framework: Framework,
    source: Source,
    sheet: str | None = None,
    user=None,
    reason: str = "",
    dry_run: bool = True,
    progress: Progress | None = None,
    origin: str = "",
    shown_rows: int = PREVIEW_ROWS,
    units: Collection[int] | None = None,
) -> Preview:
    """Read ``source`` as ``kind`` (SCORES or RESULTS) for ``framework``; write
    it unless ``dry_run``. Problems are returned, not raised. ``origin``: what the
    revision records as the write's source (default: the admin and the file's name);
    ``shown_rows``: how many of the rows that change the preview details (the
    commands print only the summary: none); ``units``: the ids of the only
    participants a scores file may write (a staff editor's upload), any when None."""
    origin = origin or f"admin {source_name(source)}"
    try:
        if kind == SCORES:
            scores = scores_from_file(source, framework, sheet=sheet, progress=progress, units=units)
            report = scores_import(
                framework=framework,
                cells=scores.cells,
                user=user,
                reason=reason,
                source=origin,
                dry_run=dry_run,
            )
            preview = _scores_preview(framework, scores, report, shown_rows)
            preview.revision_id = report.revision.pk if report.revision else None
            return preview
        rows = results_from_file(source, framework, sheet=sheet)
        changes = published_results_changes(framework=framework, rows=rows)
        preview = _results_preview(framework, rows, changes, shown_rows)
        # A dry run too: the framework's state is checked under its lock, as a scores import's is.
        changed = published_results_set(
            framework=framework, rows=rows, user=user, reason=reason, source=origin, dry_run=dry_run
        )
        if changed and not dry_run:
            preview.revision_id = framework.revisions.values_list("pk", flat=True).first()
        return preview
    except (TableError, ScoringInputError) as error:
        return Preview(problems=list(error.messages))


def _count(number: int) -> str:
    return number_format(number, force_grouping=True)


def scores_summary(scores, report) -> str:
    """ "3 units (wide layout): 18 cells created, 0 changed, 0 unchanged", as the
    command prints it and the preview shows it."""
    return _(
        "%(units)s units (%(layout)s layout): %(created)s cells created, %(changed)s changed, %(unchanged)s unchanged"
    ) % {
        "units": _count(scores.units),
        "layout": _("wide") if scores.layout == "wide" else _("long"),
        "created": _count(report.created),
        "changed": _count(report.changed),
        "unchanged": _count(report.unchanged),
    }


def results_summary(rows, changed: int) -> str:
    return _("%(rows)s results read, %(changed)s units changed") % {
        "rows": _count(len(rows)),
        "changed": _count(changed),
    }


def _points(value) -> str:
    if value is None:
        return "—"
    if value is engine.NOT_APPLICABLE or value is True:
        return labels.NOT_APPLICABLE
    return number_format(value, 2)


def _unit_labels(unit_ids) -> dict[int, str]:
    return {
        pk: f"{code} {name}"
        for pk, code, name in Unit.objects.filter(pk__in=unit_ids).values_list("pk", "code", "name")
    }


def _scores_preview(framework: Framework, scores, report, shown_rows: int) -> Preview:
    # A national file changes 400,000 cells: only the units shown are read cell by cell.
    changed = report.units_changed()
    shown = sorted(changed, key=lambda unit_id: scores.unit_rows.get(unit_id, 0))[:shown_rows]
    by_unit = defaultdict(list)
    for cell in report.cells_of(set(shown)):
        by_unit[cell.unit_id].append(cell)
    if not shown:
        return Preview(summary=scores_summary(scores, report), rows_changed=len(changed))
    codes = dict(framework.criteria.order_by("order", "code").values_list("id", "code"))
    position = {criterion_id: place for place, criterion_id in enumerate(codes)}  # the framework's order
    labels = _unit_labels(shown)
    rows = []
    for unit_id in shown:
        changes = []
        for cell in sorted(by_unit[unit_id], key=lambda cell: position[cell.criterion_id]):
            code = codes[cell.criterion_id]
            if cell.created or (cell.points, cell.not_applicable) != (cell.old_points, cell.old_not_applicable):
                before = "" if cell.created else _points(True if cell.old_not_applicable else cell.old_points)
                changes.append(PreviewChange(code, before, _points(True if cell.not_applicable else cell.points)))
            if not cell.created and cell.self_assessed_points != cell.old_self_assessed_points:
                label = _("%(code)s self-assessed") % {"code": code}
                changes.append(
                    PreviewChange(label, _points(cell.old_self_assessed_points), _points(cell.self_assessed_points))
                )
            if not cell.created and cell.note != cell.old_note:
                changes.append(PreviewChange(_("%(code)s note") % {"code": code}, cell.old_note, cell.note))
        kind = "new" if all(cell.created for cell in by_unit[unit_id]) else "update"
        rows.append(PreviewRow(scores.unit_rows.get(unit_id), kind, labels[unit_id], changes))
    summary = scores_summary(scores, report)
    return Preview(summary=summary, rows=rows, rows_changed=len(changed))


def _results_preview(framework: Framework, rows, changes, shown_rows: int) -> Preview:
    numbers = {row.unit_code: row.source_row for row in rows}
    labels = _unit_labels([change.unit_id for change in changes[:shown_rows]])
    codes = dict(Unit.objects.filter(pk__in=labels).values_list("pk", "code"))
    columns = {"index": _("index"), "rank": _("rank"), "fields": _("fields"), "unit_name": _("name as published")}
    nothing = PublishedFigures(None, None, None, None, None)

    def shown(name, value):
        if value is None:
            return "—"
        if name == "index":
            return number_format(value, 2)
        if name == "fields":
            return "; ".join(f"{code}: {number_format(Decimal(points), 2)}" for code, points in sorted(value.items()))
        return str(value)

    preview_rows = []
    for change in changes[:shown_rows]:
        before, after = change.before or nothing, change.after or nothing
        differences = [
            PreviewChange(
                label,
                "" if change.before is None else shown(name, getattr(before, name)),
                shown(name, getattr(after, name)),
            )
            for name, label in columns.items()
            if getattr(before, name) != getattr(after, name)
        ]
        kind = "new" if change.before is None else "delete" if change.after is None else "update"
        preview_rows.append(PreviewRow(numbers.get(codes[change.unit_id]), kind, labels[change.unit_id], differences))
    return Preview(summary=results_summary(rows, len(changes)), rows=preview_rows, rows_changed=len(changes))
