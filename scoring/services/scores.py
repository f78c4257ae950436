import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring import engine
from scoring.models import Criterion, Framework, Score
from scoring.services.common import ScoringInputError, amount_problem
from scoring.services.results import framework_results_recompute

_POINTS = gettext_lazy("points")
_SELF_ASSESSED = gettext_lazy("self-assessed points")


@dataclass(frozen=True)
class ScoreEntry:
    unit_code: str
    criterion_code: str
    value: engine.ScoreValue  # points, engine.NOT_APPLICABLE, or None (not entered)
    self_assessed_points: Decimal | None = None
    note: str = ""


def score_problems(criterion: Criterion, value: object, self_assessed_points: object = None) -> list[str]:
    """Why this value cannot be stored on ``criterion`` (an empty list when it can):
    points must be a number in 0..maximum with at most 2 decimal places, on a leaf."""
    if not criterion.is_leaf:
        return [_("criterion %(code)s has sub-criteria; score those instead") % {"code": criterion.code}]
    problems = []
    if value is not None and value is not engine.NOT_APPLICABLE:
        problems.append(amount_problem(_POINTS, value, criterion.max_points))
    if self_assessed_points is not None:
        problems.append(amount_problem(_SELF_ASSESSED, self_assessed_points, criterion.max_points))
    return [problem for problem in problems if problem is not None]


def scores_validate(*, framework: Framework, entries: Iterable[ScoreEntry]) -> list[str]:
    """Every problem with these entries, each naming its unit and criterion: a
    unit that does not take part, an unknown or non-leaf criterion, a cell given
    twice, points that are not a number in 0..maximum with 2 decimals."""
    if framework.mode != Framework.Mode.COMPUTED:
        return [_("framework %(slug)s takes published results, not scores") % {"slug": framework.slug}]
    criteria = {criterion.code: criterion for criterion in framework.criteria.all()}
    units = set(framework.participants.values_list("code", flat=True))
    errors = []
    seen = set()
    for entry in entries:
        problems = [] if entry.unit_code in units else [_("the unit does not take part in this framework")]
        cell = (entry.unit_code, entry.criterion_code)
        if cell in seen:
            problems.append(_("given twice"))
        seen.add(cell)
        criterion = criteria.get(entry.criterion_code)
        if criterion is None:
            problems.append(_("no such criterion in this framework"))
        else:
            problems += score_problems(criterion, entry.value, entry.self_assessed_points)
        if problems:  # messages are built only for bad entries: a national file has 400,000 good ones
            where = _("unit %(unit)s, criterion %(criterion)s") % {
                "unit": entry.unit_code,
                "criterion": entry.criterion_code,
            }
            errors += [f"{where}: {problem}" for problem in problems]
    return errors


@transaction.atomic
def scores_set(*, framework: Framework, entries: Iterable[ScoreEntry]) -> int:
    """Store scores of a computed framework (insert or replace each cell) and
    recompute its results. Every bad entry is reported (``scores_validate``),
    then nothing is written. Returns the number of cells written."""
    entries = list(entries)
    errors = scores_validate(framework=framework, entries=entries)
    if errors:
        raise ScoringInputError(errors)
    criteria = dict(framework.criteria.values_list("code", "id"))
    units = dict(framework.participants.values_list("code", "id"))
    _score_cells_upsert(
        (
            criteria[entry.criterion_code],
            units[entry.unit_code],
            entry.value if isinstance(entry.value, Decimal) else None,
            entry.value is engine.NOT_APPLICABLE,
            entry.self_assessed_points,
            entry.note,
        )
        for entry in entries
    )
    framework_results_recompute(framework=framework)
    return len(entries)


@transaction.atomic
def scores_delete(*, scores: QuerySet) -> int:
    """Delete score cells and recompute the frameworks they belonged to."""
    frameworks = list(Framework.objects.filter(criteria__scores__in=scores).distinct())
    deleted, _by_model = scores.delete()
    for framework in frameworks:
        framework_results_recompute(framework=framework)
    return deleted


_SCORE_COLUMNS = "criterion_id, unit_id, points, not_applicable, self_assessed_points, note, updated_at"
_SCORE_UPSERT = f"""
    INSERT INTO {Score._meta.db_table} ({_SCORE_COLUMNS})
    {{rows}}
    ON CONFLICT (criterion_id, unit_id) DO UPDATE SET
        points = EXCLUDED.points,
        not_applicable = EXCLUDED.not_applicable,
        self_assessed_points = EXCLUDED.self_assessed_points,
        note = EXCLUDED.note,
        updated_at = EXCLUDED.updated_at
"""
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value) -> str:
    """One field in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(_COPY_ESCAPES)


def _score_cells_upsert(cells: Iterable[tuple]) -> None:
    """Insert or update score cells (criterion id, unit id, points, not applicable,
    self-assessed points, note) without model instances: the ORM's bulk_create
    spends ~50 µs a row building and compiling them, and a national file has
    400,000 cells. PostgreSQL (psycopg2): COPY into a temporary table, then one
    set-based upsert. Other backends (SQLite): executemany of the same upsert,
    run in C. Cells must be unique (``scores_validate``); runs in a transaction."""
    updated_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMPORARY TABLE score_stage (criterion_id bigint, unit_id bigint, points numeric(7, 2), "
                "not_applicable boolean, self_assessed_points numeric(7, 2), note text, updated_at timestamptz) "
                "ON COMMIT DROP"
            )
            stamp = _copy_field(updated_at)
            buffer = io.StringIO()
            buffer.writelines("\t".join(map(_copy_field, cell)) + f"\t{stamp}\n" for cell in cells)
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY score_stage ({_SCORE_COLUMNS}) FROM STDIN", buffer)
            cursor.execute(_SCORE_UPSERT.format(rows="SELECT * FROM score_stage"))
            cursor.execute("DROP TABLE score_stage")
        else:
            rows = [(*cell, updated_at) for cell in cells]
            cursor.executemany(_SCORE_UPSERT.format(rows="VALUES (%s, %s, %s, %s, %s, %s, %s)"), rows)
