"""Writes to scoring: frameworks, scores, published results, publication, and the
recomputation of stored results. Each function runs in one transaction; a
validation failure raises ``ScoringInputError`` listing every problem, and then
nothing is written."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring import engine
from scoring.models import BandScheme, Criterion, Framework, Index, Publication, Result, Score
from units.models import Unit, UnitLineage
from units.text import slugify_vi

TWO_PLACES = Decimal("0.01")


class ScoringInputError(ValidationError):
    """Every problem found in one write; nothing was written."""


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    name: str
    max_points: Decimal
    kind: str = Criterion.Kind.NORMAL
    component: str = Criterion.Component.APPRAISAL


@dataclass(frozen=True)
class ScoreEntry:
    unit_code: str
    criterion_code: str
    value: engine.ScoreValue  # points, engine.NOT_APPLICABLE, or None (not entered)
    self_assessed_points: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class PublishedResultRow:
    unit_code: str
    index: Decimal
    rank: int | None = None
    fields: Mapping[str, Decimal] = field(default_factory=dict)
    unit_name: str = ""
    is_sample: bool = False


def _has_two_places(value: Decimal) -> bool:
    return value == value.quantize(TWO_PLACES)


@transaction.atomic
def framework_create(
    *,
    index: Index,
    year: int,
    scope: str,
    block: str,
    name: str,
    criteria: Sequence[CriterionSpec],
    band_scheme: BandScheme,
    participants: Iterable[Unit] = (),
    mode: str = Framework.Mode.COMPUTED,
    slug: str = "",
    block_name: str = "",
    source_note: str = "",
) -> Framework:
    """Create a framework with its criteria tree (parents follow from the codes'
    dots; a parent's maximum must equal the sum of its children's) and participants.
    The default slug is ``<index>-<year>-<scope>-<block>``, e.g. ``cchc-2022-70-district``."""
    nodes = [engine.CriterionNode(spec.code, spec.max_points, spec.kind) for spec in criteria]
    errors = engine.tree_errors(nodes)
    errors += [
        _("criterion %(code)s: maximum %(max)s has more than 2 decimal places")
        % {"code": spec.code, "max": spec.max_points}
        for spec in criteria
        if not _has_two_places(spec.max_points)
    ]
    if errors:
        raise ScoringInputError(errors)
    framework = Framework.objects.create(
        index=index,
        year=year,
        scope=scope,
        block=block,
        block_name=block_name,
        name=name,
        slug=slug or slugify_vi(f"{index.slug}-{year}-{scope}-{block}"),
        mode=mode,
        band_scheme=band_scheme,
        source_note=source_note,
    )
    Criterion.objects.bulk_create(
        Criterion(
            framework=framework,
            code=spec.code,
            name=spec.name,
            max_points=spec.max_points,
            order=position,
            kind=spec.kind,
            component=spec.component,
        )
        for position, spec in enumerate(criteria)
    )
    criteria_tree_link(framework=framework)
    framework.participants.set(participants)
    return framework


@transaction.atomic
def criteria_tree_link(*, framework: Framework) -> None:
    """Set each criterion's parent (from its code's dots) and leaf flag after the
    tree was created or edited. Two queries plus one bulk update."""
    criteria = {criterion.code: criterion for criterion in framework.criteria.all()}
    parents = {engine.parent_code(code) for code in criteria}
    for code, criterion in criteria.items():
        criterion.parent = criteria.get(engine.parent_code(code) or "")
        criterion.is_leaf = code not in parents
    Criterion.objects.bulk_update(criteria.values(), ["parent", "is_leaf"])


def score_problems(
    criterion: Criterion, points: Decimal | None, self_assessed_points: Decimal | None = None
) -> list[str]:
    """Why these points cannot be stored on ``criterion`` (an empty list when they can)."""
    if not criterion.is_leaf:
        return [_("criterion %(code)s has sub-criteria; score those instead") % {"code": criterion.code}]
    problems = []
    for label, value in (("points", points), ("self-assessed points", self_assessed_points)):
        if value is None or (0 <= value <= criterion.max_points and _has_two_places(value)):
            continue
        label = _("points") if label == "points" else _("self-assessed points")
        values = {"label": label, "value": value, "max": criterion.max_points}
        if value < 0:
            problems.append(_("%(label)s %(value)s: negative") % values)
        elif value > criterion.max_points:
            problems.append(_("%(label)s %(value)s: above the maximum %(max)s") % values)
        elif not _has_two_places(value):
            problems.append(_("%(label)s %(value)s: more than 2 decimal places") % values)
    return problems


@transaction.atomic
def scores_set(*, framework: Framework, entries: Iterable[ScoreEntry]) -> int:
    """Store scores of a computed framework and recompute its results.

    Each entry's points must lie in 0..maximum with at most 2 decimal places, on a
    leaf criterion, for a participant. Every bad entry is reported, then nothing is
    written. Returns the number of cells written."""
    entries = list(entries)
    if framework.mode != Framework.Mode.COMPUTED:
        raise ScoringInputError(
            [_("framework %(slug)s takes published results, not scores") % {"slug": framework.slug}]
        )
    criteria = {c.code: c for c in framework.criteria.all()}
    units = dict(framework.participants.values_list("code", "id"))
    errors = []
    seen = set()
    for entry in entries:
        criterion = criteria.get(entry.criterion_code)
        points = entry.value if isinstance(entry.value, Decimal) else None
        problems = [] if entry.unit_code in units else [_("the unit does not take part in this framework")]
        cell = (entry.unit_code, entry.criterion_code)
        if cell in seen:
            problems.append(_("given twice"))
        seen.add(cell)
        if criterion is None:
            problems.append(_("no such criterion in this framework"))
        else:
            problems += score_problems(criterion, points, entry.self_assessed_points)
        if problems:  # messages are built only for bad entries: a national file has 400,000 good ones
            where = _("unit %(unit)s, criterion %(criterion)s") % {
                "unit": entry.unit_code,
                "criterion": entry.criterion_code,
            }
            errors += [f"{where}: {problem}" for problem in problems]
    if errors:
        raise ScoringInputError(errors)
    _score_cells_upsert(
        (
            criteria[entry.criterion_code].pk,
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


_SCORE_COLUMNS = "criterion_id, unit_id, points, not_applicable, self_assessed_points, note, updated_at"
_SCORE_UPSERT = f"""
    INSERT INTO scoring_score ({_SCORE_COLUMNS})
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
    400,000 cells. PostgreSQL: COPY into a temporary table, then one set-based
    upsert. Other backends (SQLite): executemany of the same upsert, run in C.
    Must run inside a transaction."""
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


@transaction.atomic
def published_results_set(*, framework: Framework, rows: Iterable[PublishedResultRow]) -> int:
    """Store a published-mode framework's results as the decision gives them (index,
    optional rank and field subtotals), add the units as participants, and
    recompute ranks, bands and deltas. A published rank that disagrees with the
    computed one is kept and flagged (``Result.rank_disagrees``)."""
    rows = list(rows)
    if framework.mode != Framework.Mode.PUBLISHED:
        raise ScoringInputError(
            [_("framework %(slug)s is computed from scores, not published results") % {"slug": framework.slug}]
        )
    fields = dict(framework.criteria.filter(parent=None).values_list("code", "max_points"))
    units = dict(Unit.objects.filter(code__in=[row.unit_code for row in rows]).values_list("code", "id"))
    errors = []
    seen = set()
    for row in rows:
        where = _("unit %(unit)s") % {"unit": row.unit_code}
        if row.unit_code not in units:
            errors.append(_("%(where)s: no such unit") % {"where": where})
        if row.unit_code in seen:
            errors.append(_("%(where)s: appears twice") % {"where": where})
        seen.add(row.unit_code)
        if not (0 <= row.index <= 100) or not _has_two_places(row.index):
            errors.append(
                _("%(where)s: index %(index)s must lie in 0..100 with at most 2 decimal places")
                % {"where": where, "index": row.index}
            )
        if row.rank is not None and row.rank < 1:
            errors.append(_("%(where)s: rank %(rank)s must be 1 or more") % {"where": where, "rank": row.rank})
        for code, points in row.fields.items():
            if code not in fields:
                errors.append(_("%(where)s: no top-level criterion %(code)s") % {"where": where, "code": code})
            elif not (0 <= points <= fields[code]) or not _has_two_places(points):
                errors.append(
                    _("%(where)s, field %(code)s: %(points)s must lie in 0..%(max)s with at most 2 decimal places")
                    % {"where": where, "code": code, "points": points, "max": fields[code]}
                )
    if errors:
        raise ScoringInputError(errors)
    Result.objects.bulk_create(
        [
            Result(
                framework=framework,
                unit_id=units[row.unit_code],
                unit_name=row.unit_name,
                index=row.index,
                published_rank=row.rank,
                field_points={code: str(points.quantize(TWO_PLACES)) for code, points in row.fields.items()},
                is_sample=row.is_sample,
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["framework", "unit"],
        update_fields=["unit_name", "index", "published_rank", "field_points", "is_sample"],
    )
    framework.participants.add(*units.values())
    framework_results_recompute(framework=framework)
    return len(rows)


def _previous_framework(framework: Framework) -> Framework | None:
    return (
        Framework.objects.published()
        .filter(index_id=framework.index_id, scope=framework.scope, block=framework.block, year=framework.year - 1)
        .first()
    )


def _computed_totals(framework: Framework) -> dict[int, engine.UnitTotals]:
    tree = engine.CriteriaTree(
        engine.CriterionNode(code, max_points, kind)
        for code, max_points, kind in framework.criteria.values_list("code", "max_points", "kind")
    )
    values: dict[int, dict[str, engine.ScoreValue]] = defaultdict(dict)
    cells = Score.objects.filter(criterion__framework=framework, unit__in=framework.participants.all()).values_list(
        "unit_id", "criterion__code", "points", "not_applicable"
    )
    for unit_id, code, points, not_applicable in cells.iterator(chunk_size=20_000):
        values[unit_id][code] = engine.NOT_APPLICABLE if not_applicable else points
    participant_ids = framework.participants.values_list("id", flat=True)
    return {unit_id: tree.totals(values[unit_id]) for unit_id in participant_ids}


@transaction.atomic
def framework_results_recompute(*, framework: Framework) -> int:
    """Recompute and store every Result of ``framework`` in bulk: totals and index
    (computed mode: from scores; published mode: the stored published index and
    fields), ranks with ties, bands, the previous result (same unit or its single
    predecessor by rename) and the deltas. Then refresh the following year's
    framework, whose deltas point here. A constant number of queries whatever
    the number of units. Returns the number of results."""
    if framework.mode == Framework.Mode.COMPUTED:
        Result.objects.filter(framework=framework).exclude(unit__in=framework.participants.all()).delete()
        results = {
            unit_id: Result(
                framework=framework,
                unit_id=unit_id,
                field_points={code: str(points) for code, points in totals.field_points.items()},
                total_points=totals.total_points,
                applicable_max=totals.applicable_max,
                index=totals.index,
            )
            for unit_id, totals in _computed_totals(framework).items()
        }
    else:
        # Published mode: the decision's figures are the input; copies without
        # primary keys so the upsert below matches on (framework, unit).
        results = {
            result.unit_id: Result(
                framework=framework,
                unit_id=result.unit_id,
                field_points=result.field_points,
                total_points=result.total_points,
                applicable_max=result.applicable_max,
                index=result.index,
            )
            for result in Result.objects.filter(framework=framework)
        }

    ranks = engine.competition_ranks({unit_id: result.index for unit_id, result in results.items()})
    bands = list(framework.band_scheme.bands.values_list("label", "lower_bound"))

    previous_framework = _previous_framework(framework)
    previous = {}
    links: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if previous_framework is not None:
        previous = {result.unit_id: result for result in Result.objects.filter(framework=previous_framework)}
        recent = UnitLineage.objects.filter(successor__in=framework.participants.all()).filter(
            Q(effective_date__isnull=True)
            | Q(effective_date__year__gt=previous_framework.year, effective_date__year__lte=framework.year)
        )
        for predecessor_id, successor_id, kind in recent.values_list("predecessor_id", "successor_id", "kind"):
            links[successor_id].append((predecessor_id, kind))

    for unit_id, result in results.items():
        result.rank, result.tied = ranks[unit_id]
        result.band = engine.band_for(result.index, bands)
        before = previous.get(engine.previous_unit_for(unit_id, links[unit_id], previous))
        result.previous = before
        result.delta_index = engine.delta(result.index, before.index if before else None)
        result.delta_rank = engine.rank_delta(result.rank, before.rank if before else None)
        deltas = engine.field_deltas(
            {code: Decimal(points) for code, points in result.field_points.items()},
            {code: Decimal(points) for code, points in before.field_points.items()} if before else None,
        )
        result.field_deltas = {code: None if d is None else str(d) for code, d in deltas.items()}

    Result.objects.bulk_create(
        results.values(),
        update_conflicts=True,
        unique_fields=["framework", "unit"],
        update_fields=[
            "field_points",
            "field_deltas",
            "total_points",
            "applicable_max",
            "index",
            "rank",
            "tied",
            "band",
            "previous",
            "delta_index",
            "delta_rank",
        ],
        batch_size=2000,
    )
    Framework.objects.filter(pk=framework.pk).update(
        results_version=F("results_version") + 1, results_updated_at=timezone.now()
    )
    following = Framework.objects.filter(
        index_id=framework.index_id, scope=framework.scope, block=framework.block, year=framework.year + 1
    ).first()
    if following is not None and hasattr(framework, "publication"):
        framework_results_recompute(framework=following)
    return len(results)


@transaction.atomic
def framework_publish(
    *, framework: Framework, decision_number: str, decision_date: date, signer: str = "", is_sample: bool = False
) -> Publication:
    """Make a framework public under its decision ("501/QĐ-UBND", 29/3/2023). Its
    results are recomputed first, and so are the next year's, whose deltas now
    have a previous round to compare with."""
    if hasattr(framework, "publication"):
        raise ScoringInputError([_("framework %(slug)s is already published") % {"slug": framework.slug}])
    publication = Publication.objects.create(
        framework=framework,
        decision_number=decision_number,
        decision_date=decision_date,
        signer=signer,
        is_sample=is_sample,
    )
    framework_results_recompute(framework=framework)
    return publication
