import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from cchc_portal.text import slugify_vi
from scoring import engine
from scoring.models import BandScheme, Criterion, Framework, FrameworkEvent, Index, Publication, Score, period_label
from scoring.services.common import (
    CHANGED,
    CORRECTABLE,
    DRAFT,
    ScoringInputError,
    amount_problem,
    correction_check,
    framework_lock,
    framework_named,
    public_version_bump,
    revision_create,
)
from scoring.services.results import following_round_comparing, framework_results_recompute
from units.models import Unit, UnitLineage

_MAXIMUM = gettext_lazy("maximum")
_NO_LIMIT = Decimal("99999.99")  # the largest maximum a criterion column holds


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    name: str
    max_points: Decimal
    kind: str = Criterion.Kind.NORMAL
    component: str = Criterion.Component.APPRAISAL
    name_en: str | None = None  # None: keep the stored English name (a new criterion has none)


def criteria_count_problem(count: int) -> str | None:
    """Why a tree of ``count`` criteria is refused: more than one framework may
    hold (``FRAMEWORK_MAX_CRITERIA``; a real framework has under 200)."""
    limit = settings.FRAMEWORK_MAX_CRITERIA
    if count <= limit:
        return None
    return _("%(count)s criteria: a framework holds at most %(limit)s") % {
        "count": number_format(count, force_grouping=True),
        "limit": number_format(limit, force_grouping=True),
    }


def _criteria_errors(criteria: Sequence[CriterionSpec]) -> list[str]:
    """Too many criteria; else maxima that are not amounts, then (when they all
    are) the tree's problems."""
    if (problem := criteria_count_problem(len(criteria))) is not None:
        return [problem]
    errors = [
        f"{spec.code}: {problem}"
        for spec in criteria
        if (problem := amount_problem(_MAXIMUM, spec.max_points, _NO_LIMIT)) is not None
    ]
    return errors or engine.tree_errors(
        [engine.CriterionNode(spec.code, spec.max_points, spec.kind) for spec in criteria]
    )


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
    name_en: str = "",
    source_note_en: str = "",
    month: int = 0,
) -> Framework:
    """Create a framework with its criteria tree (parents follow from the codes'
    dots; a parent's maximum must equal the sum of its children's) and participants.
    The default slug is ``<index>-<year>-<scope>-<block>``, e.g. ``cchc-2022-70-district``
    (``<index>-<year>-<MM>-…`` for a monthly round: ``month`` 1–12). Refuses a second
    round of the same index, period, scope and block, and a slug in use."""
    period = f"{year}-{month:02d}" if month else str(year)
    slug = slug or slugify_vi(f"{index.slug}-{period}-{scope}-{block}")
    errors = _criteria_errors(criteria)
    if not 0 <= month <= 12:
        errors.append(_("month %(month)s: a month is 1 to 12 (0 for a yearly round)") % {"month": month})
    same_round = Framework.objects.filter(index=index, year=year, month=month, scope=scope, block=block).first()
    if same_round is not None:
        errors.append(
            _("the %(year)s round of this index, scope and block exists already: %(slug)s")
            % {"year": period_label(year, month), "slug": same_round.slug}
        )
    elif Framework.objects.filter(slug=slug).exists():
        errors.append(_("the slug %(slug)s is taken by another framework") % {"slug": slug})
    participants = list(participants)
    codes = Counter(unit.code for unit in participants)
    errors += [
        _("participants: two units share the code %(code)s; take the one in force in %(year)s")
        % {"code": code, "year": year}
        for code, count in codes.items()
        if count > 1
    ]
    if errors:
        raise ScoringInputError(errors)
    framework = Framework.objects.create(
        index=index,
        year=year,
        month=month,
        scope=scope,
        block=block,
        block_name=block_name,
        name=name,
        slug=slug,
        mode=mode,
        band_scheme=band_scheme,
        source_note=source_note,
        name_en=name_en,
        source_note_en=source_note_en,
    )
    _criteria_create(framework, criteria)
    framework.participants.set(participants)
    return framework


@transaction.atomic
def framework_copy(
    *, source: Framework, year: int, month: int | None = None, user=None, name: str = "", slug: str = ""
) -> Framework:
    """A draft round of ``source``'s series for ``year`` (and ``month``, for a
    monthly series: the source's month by default; any period but the source's,
    as long as that round does not exist yet): the same index, scope, block, mode,
    band scheme and criteria tree (with their English names), no scores, no
    results. The default name is the source's with its year replaced ("Chỉ số
    CCHC 2024" -> "... 2025"), or "<name> <year>" when it does not hold the
    year; its English name likewise. Participants are the source's
    units in force on the new round's reference date, an ended one replaced by
    its successors in force then (``_successors_on``). The copy is recorded as a
    ``Revision`` by ``user``."""

    month = (month or source.month) if source.month else 0
    new_period = period_label(year, month)
    on = Framework(year=year, month=month).reference_date
    # The period as names write it: "12/2024", and "12 năm 2024" ("tháng 12 năm 2024").
    spellings = [(source.period_label, new_period)]
    spellings += [(f"{source.month} năm {source.year}", f"{month} năm {year}")] if source.month else []

    def for_year(name: str) -> str:
        for old, new in spellings:
            pattern = rf"(?<!\d){re.escape(old)}(?!\d)"  # "1/2025" is not part of "11/2025"
            if re.search(pattern, name):
                return re.sub(pattern, new, name)
        return f"{name} {new_period}"

    framework = framework_create(
        index=source.index,
        year=year,
        month=month,
        scope=source.scope,
        block=source.block,
        block_name=source.block_name,
        name=name or for_year(source.name),
        name_en=for_year(source.name_en) if source.name_en else "",
        slug=slug,
        mode=source.mode,
        band_scheme=source.band_scheme,
        criteria=[_spec_of(criterion) for criterion in source.criteria.order_by("order", "code")],
        participants=_successors_on(source.participants.values_list("pk", flat=True), on),
    )
    revision_create(framework, user=user, reason=_("copied from %(slug)s") % {"slug": source.slug}, source="")
    return framework


def _successors_on(unit_ids: Iterable[int], day: date) -> list[Unit]:
    """The units ``unit_ids`` as they stand on ``day``: each one in force then,
    and in place of one that has ended, its successors in force then (its single
    successor by rename; those it merged into or split into), without repeats.
    A chain of changes is followed to its end; a unit with two successors by
    rename is ambiguous and left out, as is one whose line has ended."""
    in_force: dict[int, Unit] = {}
    frontier = set(unit_ids)
    seen = set(frontier)
    while frontier:
        in_force.update((unit.pk, unit) for unit in Unit.objects.valid_on(day).filter(pk__in=frontier))
        links = UnitLineage.objects.filter(predecessor__in=frontier - in_force.keys())
        links = list(links.values_list("predecessor_id", "successor_id", "kind"))
        renames = Counter(predecessor for predecessor, _successor, kind in links if kind == UnitLineage.Kind.RENAME)
        successors = {
            successor
            for predecessor, successor, kind in links
            if kind != UnitLineage.Kind.RENAME or renames[predecessor] == 1
        }
        frontier = successors - seen
        seen |= frontier
    return list(in_force.values())


def _spec_of(criterion: Criterion) -> CriterionSpec:
    return CriterionSpec(
        criterion.code, criterion.name, criterion.max_points, criterion.kind, criterion.component, criterion.name_en
    )


_UPDATE_BATCH = 200  # rows an UPDATE of the tree's rows: each is a CASE of this many branches


@transaction.atomic
def framework_criteria_set(
    *, framework: Framework, criteria: Sequence[CriterionSpec], user=None, reason: str = "", source: str = ""
) -> bool:
    """Make a framework's criteria tree the one given; returns whether anything
    changed (the same tree again changes nothing). Before any score is entered
    the tree may change freely. Once there are scores the codes must stay the
    same (names, maxima, kinds and order may change) and no stored score may
    exceed its new maximum. Changing a published framework needs a ``reason``;
    the change is recorded as a ``Revision`` and results are recomputed."""
    framework = framework_lock(framework, allowed=CORRECTABLE, action=CHANGED)
    stored = list(framework.criteria.order_by("order", "code"))
    english = {criterion.code: criterion.name_en for criterion in stored}
    criteria = [
        spec if spec.name_en is not None else replace(spec, name_en=english.get(spec.code, "")) for spec in criteria
    ]
    if [_spec_of(criterion) for criterion in stored] == criteria:
        return False
    errors = _criteria_errors(criteria)
    scored = Score.objects.filter(criterion__framework=framework)
    codes = {spec.code for spec in criteria}
    stored_codes = {criterion.code for criterion in stored}
    if codes != stored_codes and scored.exists():
        errors.append(
            _(
                "framework %(framework)s has scores: its criterion codes cannot change "
                "(new: %(added)s; gone: %(removed)s)"
            )
            % {
                "framework": framework_named(framework),
                "added": ", ".join(sorted(codes - stored_codes)) or "-",
                "removed": ", ".join(sorted(stored_codes - codes)) or "-",
            }
        )
    maxima = {spec.code: spec.max_points for spec in criteria}
    errors += [
        _("criterion %(code)s: unit %(unit)s has %(points)s points, above the new maximum %(max)s")
        % {"code": code, "unit": unit, "points": points, "max": maxima[code]}
        for code, unit, points in scored.filter(points__isnull=False).values_list(
            "criterion__code", "unit__code", "points"
        )
        if code in maxima and points > maxima[code]
    ][:50]
    errors += correction_check(framework, reason)[1]
    if errors:
        raise ScoringInputError(errors)
    if codes == stored_codes:
        by_code = {criterion.code: criterion for criterion in stored}
        for position, spec in enumerate(criteria):
            criterion = by_code[spec.code]
            criterion.name, criterion.max_points, criterion.kind = spec.name, spec.max_points, spec.kind
            criterion.component, criterion.order, criterion.name_en = spec.component, position, spec.name_en
        fields = ["name", "max_points", "kind", "component", "order", "name_en"]
        Criterion.objects.bulk_update(stored, fields, batch_size=_UPDATE_BATCH)
    else:
        framework.criteria.all().delete()
        _criteria_create(framework, criteria)
    revision_create(framework, user=user, reason=reason.strip() or _("criteria changed"), source=source)
    framework_results_recompute(framework=framework)
    return True


def _criteria_create(framework: Framework, criteria: Sequence[CriterionSpec]) -> None:
    """Insert a checked tree level by level, parents first, each row with its
    parent and leaf flag already set: one INSERT a level (a few per batch on
    SQLite), never an UPDATE whose size grows with the tree."""
    parents = {engine.parent_code(spec.code) for spec in criteria}
    levels: dict[int, list[Criterion]] = {}
    for position, spec in enumerate(criteria):
        levels.setdefault(spec.code.count("."), []).append(
            Criterion(
                framework=framework,
                code=spec.code,
                name=spec.name,
                name_en=spec.name_en or "",
                max_points=spec.max_points,
                order=position,
                kind=spec.kind,
                component=spec.component,
                is_leaf=spec.code not in parents,
            )
        )
    by_code: dict[str, Criterion] = {}
    for depth in sorted(levels):
        for criterion in levels[depth]:
            criterion.parent = by_code.get(engine.parent_code(criterion.code) or "")
        # The primary keys come back (RETURNING, on PostgreSQL and SQLite): the next level links to them.
        by_code.update((criterion.code, criterion) for criterion in Criterion.objects.bulk_create(levels[depth]))


@transaction.atomic
def framework_submit(*, framework: Framework, user=None, note: str = "") -> None:
    """Send a draft for review: its scores and criteria are locked until a
    reviewer sends it back or publishes it."""
    framework = framework_lock(framework, allowed=DRAFT, action=_("submitted for review"))
    if not framework.results.exists():
        raise ScoringInputError(
            [_("framework %(framework)s has no results yet") % {"framework": framework_named(framework)}]
        )
    Framework.objects.filter(pk=framework.pk).update(in_review=True)
    FrameworkEvent.objects.create(framework=framework, action=FrameworkEvent.Action.SUBMITTED, user=user, note=note)


@transaction.atomic
def framework_return(*, framework: Framework, user=None, note: str) -> None:
    """Send a framework in review back to draft, saying why."""
    framework = framework_lock(framework, allowed={Framework.Status.REVIEW}, action=_("sent back"))
    if not note.strip():
        raise ScoringInputError([_("say why the framework goes back to draft")])
    Framework.objects.filter(pk=framework.pk).update(in_review=False)
    FrameworkEvent.objects.create(
        framework=framework, action=FrameworkEvent.Action.RETURNED, user=user, note=note.strip()
    )


@transaction.atomic
def framework_publish(
    *,
    framework: Framework,
    decision_number: str,
    decision_date: date,
    signer: str = "",
    is_sample: bool = False,
    user=None,
) -> Publication:
    """Make a framework public under its decision ("501/QĐ-UBND", 29/3/2023). Its
    own results are already stored; the next year's are recomputed, since their
    deltas now have a previous round to compare with. A draft may be published at
    once (a decision of earlier years, typed in), or after review. Moves the public
    pages' data version."""
    unpublished = {Framework.Status.DRAFT, Framework.Status.REVIEW}
    framework = framework_lock(framework, allowed=unpublished, action=pgettext("refused action", "published"))
    publication = Publication.objects.create(
        framework=framework,
        decision_number=decision_number,
        decision_date=decision_date,
        signer=signer,
        is_sample=is_sample,
    )
    Framework.objects.filter(pk=framework.pk).update(in_review=False)
    framework.in_review = False
    FrameworkEvent.objects.create(
        framework=framework, action=FrameworkEvent.Action.PUBLISHED, user=user, note=decision_number
    )
    public_version_bump(framework=framework, published=True)
    _following_round_recompute(framework, published=True)
    return publication


@transaction.atomic
def framework_unpublish(*, framework: Framework, user=None) -> None:
    """Withdraw a framework's publication: it becomes a draft again, and the next
    year's results stop comparing with it. Moves the public pages' data version
    (when there was a publication to withdraw)."""
    framework = framework_lock(framework)
    withdrawn = bool(Publication.objects.filter(framework=framework).delete()[0])
    if withdrawn:
        FrameworkEvent.objects.create(framework=framework, action=FrameworkEvent.Action.WITHDRAWN, user=user)
        public_version_bump(framework=framework, published=True)
    _following_round_recompute(framework, published=withdrawn)


@transaction.atomic
def framework_delete(*, framework: Framework) -> None:
    """Delete a framework with its criteria, scores and results; the next year's
    results stop comparing with it. Deleting a published framework moves the
    public pages' data version; a draft's deletion does not."""
    framework = framework_lock(framework)
    published = framework.is_published
    following = following_round_comparing(framework, published=published)  # read before its results go
    framework.delete()
    public_version_bump(framework=framework, published=published)
    if following is not None:
        framework_results_recompute(framework=following)


def _following_round_recompute(framework: Framework, *, published: bool) -> None:
    following = following_round_comparing(framework, published=published)
    if following is not None:
        framework_results_recompute(framework=following)
