"""Reads for the audit history of scores: a framework's revisions, one revision's
cell changes, one unit's changes across frameworks. Each selector runs a constant
number of queries, whatever the number of cells, and decides nothing about who
may see what: callers pass what the user may see.

A cell's trail is the revision that created it (``Score.created_in``: no
``ScoreChange`` row, since a national import creates 400,000 cells) and then a
``ScoreChange`` per later change. The value a cell was created with is not
stored: it is the old value of the cell's first later change or, when it never
changed, its current value. Values are points (``Decimal``),
``engine.NOT_APPLICABLE`` or None (not entered)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, DecimalField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf

from scoring import engine
from scoring.models import Framework, Result, Revision, Score, ScoreChange
from units.models import Unit


@dataclass(frozen=True)
class CellChange:
    """One cell of a revision: changed, or ``created`` (then ``old`` is None)."""

    unit_code: str
    unit_name: str
    criterion_code: str
    criterion_name: str
    old: engine.ScoreValue
    new: engine.ScoreValue
    created: bool


@dataclass(frozen=True)
class UnitChange:
    """One change of one of a unit's cells, or its creation (``created``; ``old`` is None)."""

    made_at: datetime
    user: AbstractBaseUser | None
    framework: Framework
    revision_id: int
    criterion_code: str
    criterion_name: str
    old: engine.ScoreValue
    new: engine.ScoreValue
    reason: str
    source: str
    created: bool


def _value(points, not_applicable) -> engine.ScoreValue:
    return engine.NOT_APPLICABLE if not_applicable else points


def _at_creation(field: str) -> Case:
    """A Score's ``field`` (``points`` or ``not_applicable``) as its cell was
    created. Changes before ``created_in`` belong to a deleted cell of the same
    unit and criterion; revision ids grow with time."""
    later = ScoreChange.objects.filter(
        criterion=OuterRef("criterion"), unit=OuterRef("unit"), revision_id__gt=OuterRef("created_in_id")
    ).order_by("revision_id")
    return Case(When(Exists(later), then=Subquery(later.values(f"old_{field}")[:1])), default=F(field))


def framework_history(*, framework: Framework, page_number: str | int | None = None, per_page: int = 50) -> Page:
    """A page of ``framework``'s revisions, newest first, each with its user,
    ``cells_created``, ``cells_changed`` and ``corrects_published`` (it changed
    a published framework). The published figures a correction keeps are not
    read (a national block's are large): use ``corrects_published``, not
    ``is_correction``, which would read them. An unknown or out-of-range page
    number gives the first or last page. Two queries (count, page)."""
    revisions = (
        Revision.objects.filter(framework=framework)
        .select_related("user")
        .defer("results_before")
        .annotate(corrects_published=Q(results_before__isnull=False))
        .order_by("-created_at", "-pk")
    )
    return Paginator(revisions, per_page).get_page(page_number)


def _cell_rows(cells, *, created: bool, **values):
    """The columns both halves of a revision's cells select, in one order: a
    UNION matches columns by position."""
    return cells.values(
        unit_code=F("unit__code"),
        unit_name=F("unit__name"),
        criterion_code=F("criterion__code"),
        criterion_name=F("criterion__name"),
        criterion_order=F("criterion__order"),
        **values,
        created=Value(created),
    )


def revision_changes(*, revision: Revision, page_number: str | int | None = None, per_page: int = 200) -> Page:
    """A page of the cells ``revision`` wrote, as ``CellChange`` rows by unit
    code, then criterion order: each changed cell with its old and new value,
    and each cell it created with its value at creation (a cell deleted since is
    gone from here). The rows are one UNION of the changes and the created
    cells, paged in the database. Two queries (count, page)."""
    changed = ScoreChange.objects.filter(revision=revision)
    # By framework: the score table's index leads with the criterion, not with created_in.
    created = Score.objects.filter(criterion__framework_id=revision.framework_id, created_in=revision)
    rows = _cell_rows(
        changed,
        created=False,
        points_before=F("old_points"),
        na_before=F("old_not_applicable"),
        points_after=F("new_points"),
        na_after=F("new_not_applicable"),
    ).union(
        _cell_rows(
            created,
            created=True,
            points_before=Value(None, output_field=DecimalField(max_digits=7, decimal_places=2)),
            na_before=Value(False, output_field=BooleanField()),
            points_after=_at_creation("points"),
            na_after=_at_creation("not_applicable"),
        ),
        all=True,
    )
    paginator = Paginator(rows.order_by("unit_code", "criterion_order", "criterion_code"), per_page)
    # Counted on the ids alone, without the value at creation's subqueries.
    paginator.count = changed.values("pk").union(created.values("pk"), all=True).count()
    page = paginator.get_page(page_number)
    page.object_list = [
        CellChange(
            unit_code=row["unit_code"],
            unit_name=row["unit_name"],
            criterion_code=row["criterion_code"],
            criterion_name=row["criterion_name"],
            old=_value(row["points_before"], row["na_before"]),
            new=_value(row["points_after"], row["na_after"]),
            created=bool(row["created"]),
        )
        for row in page.object_list
    ]
    return page


def unit_history(*, unit: Unit, frameworks: Iterable[Framework]) -> list[UnitChange]:
    """Every change of ``unit``'s score cells in ``frameworks`` (a queryset or
    list: those the user may see), the creation of each cell included with its
    value at creation, newest first and, within a revision, in criterion order.
    Cells with no recorded creation (written before the audit trail) show their
    changes only. Two queries (changes, created cells), whatever the number of
    cells and frameworks."""
    changes = (
        ScoreChange.objects.filter(unit=unit, criterion__framework__in=frameworks)
        .select_related("revision__user", "criterion__framework")
        .defer("revision__results_before")
    )
    created = (
        # By framework: the score table's index leads with the criterion, not with the unit.
        Score.objects.filter(criterion__framework__in=frameworks, unit=unit, created_in__isnull=False)
        .select_related("created_in__user", "criterion__framework")
        .defer("created_in__results_before")
        .annotate(points_at_creation=_at_creation("points"), na_at_creation=_at_creation("not_applicable"))
    )
    rows = [
        (change.criterion, _unit_change(change.revision, change.criterion, change, created=False)) for change in changes
    ]
    rows += [(cell.criterion, _unit_change(cell.created_in, cell.criterion, cell, created=True)) for cell in created]
    rows.sort(key=lambda row: (row[0].order, row[0].code))
    rows.sort(key=lambda row: (row[1].made_at, row[1].revision_id), reverse=True)  # stable: criterion order stays
    return [row for _criterion, row in rows]


def _unit_change(revision: Revision, criterion, cell, *, created: bool) -> UnitChange:
    """A ``ScoreChange`` or, ``created``, a ``Score`` with its value at creation, as a row."""
    if created:
        old, new = None, _value(cell.points_at_creation, cell.na_at_creation)
    else:
        old, new = _value(cell.old_points, cell.old_not_applicable), _value(cell.new_points, cell.new_not_applicable)
    return UnitChange(
        made_at=revision.created_at,
        user=revision.user,
        framework=criterion.framework,
        revision_id=revision.pk,
        criterion_code=criterion.code,
        criterion_name=criterion.name,
        old=old,
        new=new,
        reason=revision.reason,
        source=revision.source,
        created=created,
    )


@dataclass(frozen=True)
class PublishedFigures:
    """A unit's index and rank as published before a correction, and as stored now
    (None where the unit has no figure then or now)."""

    unit_code: str
    unit_name: str
    index_before: Decimal | None
    rank_before: int | None
    index_now: Decimal | None
    rank_now: int | None

    @property
    def differs(self) -> bool:
        return (self.index_before, self.rank_before) != (self.index_now, self.rank_now)


@dataclass(frozen=True)
class Correction:
    """A correction of a published framework, as the public sees it: when, why,
    and (when asked for) each unit whose index or rank it moved, old → new."""

    made_at: datetime
    reason: str
    changes: tuple[PublishedFigures, ...] = ()


def framework_corrections(*, framework: Framework, with_changes: bool = False) -> list[Correction]:
    """The corrections of ``framework``'s current publication, newest first:
    revisions that changed it once published, since it was (last) published (a
    withdrawn publication's corrections went with it). Reads
    ``framework.publication``: select it. No query when the publication has no
    ``corrected_at`` (or there is none), else one, without the published
    figures each correction keeps; ``with_changes``, one more, and each
    correction's changes: its figures before against those the next correction
    replaced (the stored ones for the latest)."""
    publication = getattr(framework, "publication", None)
    if publication is None or publication.corrected_at is None:
        return []
    rows = Revision.objects.filter(
        framework=framework, results_before__isnull=False, created_at__gte=publication.published_at
    ).order_by("-created_at", "-pk")
    if not with_changes:
        return [
            Correction(made_at=made_at, reason=reason) for made_at, reason in rows.values_list("created_at", "reason")
        ]
    now = _stored_figures(framework.pk)
    after = {code: (index, rank) for code, (_name, index, rank) in now.items()}
    corrections = []
    for made_at, reason, published in rows.values_list("created_at", "reason", "results_before"):
        before = {code: _published(figures) for code, figures in published.items()}
        changes = [
            PublishedFigures(code, now.get(code, (code,))[0], *before.get(code, _NONE), *after.get(code, _NONE))
            for code in set(before) | set(after)
            if before.get(code, _NONE) != after.get(code, _NONE)
        ]
        changes.sort(key=lambda row: (row.rank_now is None, row.rank_now or 0, row.unit_code))
        corrections.append(Correction(made_at=made_at, reason=reason, changes=tuple(changes)))
        after = before
    return corrections


_NONE = (None, None)  # no figure: a unit added or removed by the correction


def _published(figures: dict | None) -> tuple[Decimal | None, int | None]:
    """(index, rank) as a correction kept them (``Revision.results_before``)."""
    figures = figures or {}
    return (None if figures.get("index") is None else Decimal(figures["index"])), figures.get("rank")


def _stored_figures(framework_id: int) -> dict[str, tuple[str, Decimal | None, int | None]]:
    """Each unit code's (name as published, index, rank) as stored now. One query."""
    name = Coalesce(NullIf("unit_name", Value("")), "unit__name")
    rows = Result.objects.filter(framework_id=framework_id).annotate(published_name=name)
    return {
        code: (name, index, rank)
        for code, name, index, rank in rows.values_list("unit__code", "published_name", "index", "rank")
    }


def correction_figures(*, revision: Revision) -> list[PublishedFigures]:
    """The published figures ``revision`` replaced (its ``results_before``: index
    and rank per unit code) next to the framework's stored figures now, by rank
    as published (unranked last), then unit code; units with a stored result
    but no published one (added since) come last. Empty for a revision that is
    not a correction. Two queries (the published figures, the stored results),
    one when ``revision.results_before`` is already loaded."""
    before = revision.results_before or {}
    if not before:
        return []
    now = _stored_figures(revision.framework_id)
    rows = []
    for code in [*before, *(code for code in now if code not in before)]:
        name, index, rank = now.get(code, ("", *_NONE))
        rows.append(PublishedFigures(code, name, *_published(before.get(code)), index, rank))
    rows.sort(
        key=lambda row: (row.unit_code not in before, row.rank_before is None, row.rank_before or 0, row.unit_code)
    )
    return rows
