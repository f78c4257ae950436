"""Edits of a framework's settings and participants, as the staff editor makes
them. The criteria tree has its own service (``framework_criteria_set``)."""

from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from scoring.models import BandScheme, Framework, Result, Score
from scoring.services.common import ScoringInputError, revision_create
from scoring.services.results import framework_results_recompute
from units.models import Unit


@transaction.atomic
def framework_details_set(*, framework: Framework, name: str, block_name: str, band_scheme: BandScheme) -> bool:
    """Set a framework's name, block name (as published; blank: the block's own
    name) and band scheme; returns whether anything changed. A new band scheme
    changes every unit's band, so the results are recomputed. Refuses an empty
    name."""
    name, block_name = name.strip(), block_name.strip()
    if not name:
        raise ScoringInputError([_("the framework needs a name")])
    if (framework.name, framework.block_name, framework.band_scheme_id) == (name, block_name, band_scheme.pk):
        return False
    bands_changed = framework.band_scheme_id != band_scheme.pk
    framework.name, framework.block_name, framework.band_scheme = name, block_name, band_scheme
    framework.save(update_fields=["name", "block_name", "band_scheme"])
    if bands_changed:
        framework_results_recompute(framework=framework)
    return True


@transaction.atomic
def framework_participants_set(*, framework: Framework, units: Iterable[Unit], user=None) -> tuple[int, int]:
    """Make ``units`` the framework's participants; returns (units added, units
    removed). Refuses, naming each unit, to remove a unit that has scores
    (computed mode) or a published result (published mode): those figures
    would disappear from the ranking unnoticed; and two units sharing a code
    (a code is reused after a reorganisation: take the one in force in the
    framework's year). Then nothing changes. Otherwise the change is recorded
    as a ``Revision`` by ``user`` and the results are recomputed (ranks, bands,
    the following year's deltas)."""
    framework = Framework.objects.select_for_update(of=("self",)).select_related("band_scheme").get(pk=framework.pk)
    wanted = {unit.pk: unit for unit in units}
    current = set(framework.participants.values_list("pk", flat=True))
    added, removed = wanted.keys() - current, current - wanted.keys()
    if not added and not removed:
        return 0, 0
    codes = Counter(unit.code for unit in wanted.values())
    errors = [
        _("participants: two units share the code %(code)s; take the one in force in %(year)s")
        % {"code": code, "year": framework.year}
        for code, count in sorted(codes.items())
        if count > 1
    ]
    if removed:
        if framework.mode == Framework.Mode.COMPUTED:
            held = Score.objects.filter(criterion__framework=framework, unit_id__in=removed).values("unit_id")
            problem = _("%(name)s (%(code)s) has scores in this framework: delete its scores before removing it")
        else:
            held = Result.objects.filter(framework=framework, unit_id__in=removed).values("unit_id")
            problem = _(
                "%(name)s (%(code)s) has a published result in this framework: delete its result before removing it"
            )
        errors += [
            problem % {"name": name, "code": code}
            for name, code in Unit.objects.filter(pk__in=held).order_by("code").values_list("name", "code")
        ]
    if errors:
        raise ScoringInputError(errors)
    framework.participants.remove(*removed)
    framework.participants.add(*added)
    revision_create(framework, user=user, reason=_("participants changed"), source="")
    framework_results_recompute(framework=framework)
    return len(added), len(removed)
