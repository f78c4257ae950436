from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from cchc_portal.caching import data_version_bump
from scoring.models import Framework, Publication, Result, Revision

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


class ScoringInputError(ValidationError):
    """Every problem found in one write; nothing was written."""


# What each kind of write allows. A framework in review is locked; a published one
# takes corrections, with a reason (``revision_create``).
DRAFT = frozenset({Framework.Status.DRAFT})
CORRECTABLE = frozenset({Framework.Status.DRAFT, Framework.Status.PUBLISHED})
CHANGED = pgettext_lazy("refused action", "changed")


def framework_lock(framework: Framework, *, allowed: frozenset | set | None = None, action: str = "") -> Framework:
    """The framework, its row locked until the transaction ends and its state read
    anew under the lock: the only state a write may trust (a view's read may be
    stale by the time it writes). Refuses, naming the state, when it is not among
    ``allowed``; ``action`` says what was refused ("changed", "published").
    Every write to a framework calls this first, so a save racing a submission or
    a publication either commits before it or is refused after it. The
    publication is read in a statement of its own: one joined to the locking
    statement would be read as of before the wait (PostgreSQL's READ COMMITTED)
    and miss a publication committed meanwhile. (SQLite takes the database's
    write lock when the transaction begins: ``transaction_mode`` in the settings.)"""
    locked = Framework.objects.select_for_update(of=("self",)).get(pk=framework.pk)
    publication = Publication.objects.filter(framework=locked).first()
    Framework._meta.get_field("publication").set_cached_value(locked, publication)
    if allowed is not None and locked.status not in allowed:
        raise ScoringInputError(
            [
                _("framework %(framework)s is %(status)s: it cannot be %(action)s")
                % {"framework": framework_named(locked), "status": locked.status_label, "action": action}
            ]
        )
    return locked


def framework_named(framework) -> str:
    """A framework as a message names it: its title, quoted; never its slug, a name
    for URLs and the commands' arguments."""
    return f"“{framework.name}”"


def amount_problem(label: str, value: object, maximum: Decimal) -> str | None:
    """Why ``value`` is not an amount of points in 0..maximum with at most two
    decimals (None when it is). ``label`` may be lazy: it is only rendered for a
    problem, so checking 400,000 good cells costs no translation."""
    valid = isinstance(value, Decimal) and value.is_finite() and 0 <= value <= maximum
    if valid and value == value.quantize(TWO_PLACES):
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        return _("%(label)s %(value)s: not a number") % {"label": label, "value": value}
    # Figures as the reader's language writes them: "13,96", "10,00" in Vietnamese.
    values = {"label": label, "value": number_format(value), "max": number_format(maximum, 2)}
    if value < 0:
        return _("%(label)s %(value)s: negative") % values
    if value > maximum:
        return _("%(label)s %(value)s: above the maximum %(max)s") % values
    return _("%(label)s %(value)s: more than 2 decimal places") % values


def correction_check(framework, reason: str) -> tuple[bool, list[str]]:
    """(whether ``framework`` is published, the problem when it is and no reason
    for the correction is given): a published figure never changes silently."""
    published = framework.is_published  # read under the lock by the writes (``framework_lock``)
    if published and not reason.strip():
        return True, [
            _("framework %(framework)s is published: give the reason for this correction")
            % {"framework": framework_named(framework)}
        ]
    return published, []


def public_version_bump(*, framework=None, frameworks=None, published: bool | None = None) -> bool:
    """Move the public pages' data version (when the transaction commits) if
    what changed is public: ``framework`` is published, or one of
    ``frameworks`` (a queryset: those sharing a band scheme or an index) is.
    ``published`` when the caller knows (True for a publication or a
    withdrawal), else one query. Returns whether it moved. A draft's or a
    framework in review's changes show only to staff, who get uncached pages:
    moving the version would throw away every cached page and tell the public
    that staff are at work."""
    if published is None:
        if framework is not None:
            published = Publication.objects.filter(framework=framework).exists()
        else:
            published = Publication.objects.filter(framework__in=frameworks).exists()
    if published:
        data_version_bump()
    return published


def published_figures(framework) -> dict[str, dict]:
    """Each unit's index and rank as stored now: what a correction replaces."""
    results = Result.objects.filter(framework=framework).values_list("unit__code", "index", "rank")
    return {code: {"index": None if index is None else str(index), "rank": rank} for code, index, rank in results}


def revision_create(framework, *, user, reason: str, source: str, created: int = 0, changed: int = 0) -> Revision:
    """The record of a write about to change ``framework``'s figures; refuses
    (``ScoringInputError``) to correct a published framework without a reason,
    and keeps the published figures when it does."""
    published, problems = correction_check(framework, reason)
    if problems:
        raise ScoringInputError(problems)
    if published:
        Publication.objects.filter(framework=framework).update(corrected_at=timezone.now())
    return Revision.objects.create(
        framework=framework,
        user=user,
        reason=reason.strip(),
        source=source[:300],
        cells_created=created,
        cells_changed=changed,
        results_before=published_figures(framework) if published else None,
    )
