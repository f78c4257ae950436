"""Edits of a framework's settings, bands and participants, as the staff editor
makes them. The criteria tree has its own service (``framework_criteria_set``)."""

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import count

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scoring.models import Band, BandScheme, Criterion, Framework, FrameworkEvent, Result, Score
from scoring.services.common import (
    CHANGED,
    CORRECTABLE,
    DRAFT,
    HUNDRED,
    TWO_PLACES,
    ScoringInputError,
    amount_problem,
    framework_lock,
    framework_named,
    public_version_bump,
    revision_create,
)
from scoring.services.results import framework_results_recompute
from units.models import Unit


@transaction.atomic
def framework_details_set(*, framework: Framework, name: str, block_name: str, band_scheme: BandScheme) -> bool:
    """Set a framework's name, block name (as published; blank: the block's own
    name) and band scheme; returns whether anything changed. A new band scheme
    changes every unit's band, so the results are recomputed. Refuses an empty
    name, and a framework in review. A published framework may be renamed (its
    name is public: the change moves the public pages' data version; a draft's
    does not) but keeps the bands it was published with."""
    name, block_name = name.strip(), block_name.strip()
    if not name:
        raise ScoringInputError([_("the framework needs a name")])
    framework = framework_lock(framework, allowed=CORRECTABLE, action=CHANGED)
    if (framework.name, framework.block_name, framework.band_scheme_id) == (name, block_name, band_scheme.pk):
        return False
    bands_changed = framework.band_scheme_id != band_scheme.pk
    if bands_changed and framework.is_published:
        raise ScoringInputError(
            [
                _("framework %(framework)s is published: it keeps the bands it was published with")
                % {"framework": framework_named(framework)}
            ]
        )
    framework.name, framework.block_name, framework.band_scheme = name, block_name, band_scheme
    framework.save(update_fields=["name", "block_name", "band_scheme"])
    if bands_changed:
        framework_results_recompute(framework=framework)  # moves the version if published
    else:
        public_version_bump(framework=framework, published=framework.is_published)
    return True


def band_label_clean(label: str) -> str:
    """A band label as stored: trimmed, and in NFC so that a label pasted with
    decomposed diacritics matches the same label typed."""
    return unicodedata.normalize("NFC", label.strip())


def _bands_errors(bands: Sequence[tuple[str, Decimal]]) -> list[str]:
    """Every reason ``bands`` (cleaned labels) cannot be a band scheme."""
    if not bands:
        return [_("give at least one band")]
    max_length = Band._meta.get_field("label").max_length
    errors = []
    for label, lower_bound in bands:
        if not label:
            errors.append(_("a band has no label"))
        elif len(label) > max_length:
            errors.append(
                _("band %(label)s: the label is longer than %(max)s characters") % {"label": label, "max": max_length}
            )
        problem = amount_problem(_("band %(label)s: lower bound") % {"label": label}, lower_bound, HUNDRED)
        if problem is not None:
            errors.append(problem)
    labels = Counter(label for label, _bound in bands if label)
    errors += [_("two bands are labelled %(label)s") % {"label": label} for label, n in labels.items() if n > 1]
    if not errors:
        bounds = Counter(bound for _label, bound in bands)
        errors += [_("two bands start at %(bound)s") % {"bound": bound} for bound, n in bounds.items() if n > 1]
    return errors


def _scheme_with(bands: Sequence[tuple[str, Decimal]]) -> BandScheme | None:
    """The oldest scheme whose bands are exactly ``bands`` (labels and bounds
    unique, as ``_bands_errors`` checked), in one query."""
    same = Q()
    for label, lower_bound in bands:
        same |= Q(bands__label=label, bands__lower_bound=lower_bound)
    return (
        BandScheme.objects.annotate(total=Count("bands"), same=Count("bands", filter=same))
        .filter(total=len(bands), same=len(bands))
        .order_by("pk")
        .first()
    )


def _scheme_name_prefix(framework: Framework) -> str:
    return f"{framework.slug} ("


def _scheme_name(framework: Framework, labels: Sequence[str]) -> str:
    """A name no scheme has: "<framework slug> (<labels>)", cut to the field's
    length (ending "…)"), with " 2", " 3" … when a scheme of that name exists
    (the same labels at other bounds, still used by a copy of the framework)."""
    max_length = BandScheme._meta.get_field("name").max_length
    full = f"{_scheme_name_prefix(framework)}{', '.join(labels)})"
    for number in count(1):
        suffix = "" if number == 1 else f" {number}"
        name = full if len(full) + len(suffix) <= max_length else full[: max_length - len(suffix) - 2] + "…)"
        name += suffix
        if not BandScheme.objects.filter(name=name).exists():
            return name
    raise AssertionError("unreachable")


def _too_long(model, field: str, text: str) -> bool:
    return len(text) > model._meta.get_field(field).max_length


@transaction.atomic
def framework_english_set(
    *,
    framework: Framework,
    name_en: str,
    source_note_en: str,
    criteria: Mapping[str, str],
    bands: Mapping[str, str],
    user=None,
) -> bool:
    """Set the English names of ``framework``: its own, its source's, its
    criteria's (``criteria``: code -> English name) and its bands' (``bands``:
    label -> English label; a band scheme is shared, so every framework using it
    shows the same English labels). A blank name clears one; a code or label
    not given keeps its name. At any status: English names change no figure,
    so no reason is asked and nothing is recomputed, but a published
    framework's public pages show them at once (the data version moves). The
    change is recorded as a workflow step (``TRANSLATED``) saying what changed.
    Refuses, naming each, codes and labels the framework does not have and
    names longer than their fields; then nothing changes. Returns whether
    anything changed."""
    framework = framework_lock(framework)
    criteria = {code: text.strip() for code, text in criteria.items()}
    bands = {label: text.strip() for label, text in bands.items()}
    name_en, source_note_en = name_en.strip(), source_note_en.strip()
    stored = {criterion.code: criterion for criterion in framework.criteria.all()}
    scheme_bands = {band.label: band for band in framework.band_scheme.bands.all()}
    errors = [_("criterion %(code)s: no such criterion") % {"code": code} for code in criteria.keys() - stored.keys()]
    errors += [_("band %(label)s: no such band") % {"label": label} for label in bands.keys() - scheme_bands.keys()]
    if _too_long(Framework, "name_en", name_en):
        errors.append(_("the English name is too long"))
    errors += [
        _("criterion %(code)s: the English name is too long") % {"code": code}
        for code, text in criteria.items()
        if _too_long(Criterion, "name_en", text)
    ]
    errors += [
        _("band %(label)s: the English label is too long") % {"label": label}
        for label, text in bands.items()
        if _too_long(Band, "label_en", text)
    ]
    if errors:
        raise ScoringInputError(errors)
    changed_criteria = [
        stored[code] for code, text in criteria.items() if code in stored and stored[code].name_en != text
    ]
    for criterion in changed_criteria:
        criterion.name_en = criteria[criterion.code]
    Criterion.objects.bulk_update(changed_criteria, ["name_en"], batch_size=200)
    changed_bands = [scheme_bands[label] for label, text in bands.items() if scheme_bands[label].label_en != text]
    for band in changed_bands:
        band.label_en = bands[band.label]
    Band.objects.bulk_update(changed_bands, ["label_en"])
    changed = []
    if framework.name_en != name_en:
        changed.append(_("name"))
    if framework.source_note_en != source_note_en:
        changed.append(_("source"))
    if changed:
        framework.name_en, framework.source_note_en = name_en, source_note_en
        framework.save(update_fields=["name_en", "source_note_en"])
    if changed_criteria:
        changed.append(
            ngettext("%(count)d criterion", "%(count)d criteria", len(changed_criteria))
            % {"count": len(changed_criteria)}
        )
    if changed_bands:
        changed.append(
            ngettext("%(count)d band", "%(count)d bands", len(changed_bands)) % {"count": len(changed_bands)}
        )
    if not changed:
        return False
    FrameworkEvent.objects.create(
        framework=framework, action=FrameworkEvent.Action.TRANSLATED, user=user, note=", ".join(changed)
    )
    if changed_bands:
        public_version_bump(frameworks=Framework.objects.filter(band_scheme_id=framework.band_scheme_id))
    else:
        public_version_bump(framework=framework, published=framework.is_published)
    return True


@transaction.atomic
def framework_bands_set(*, framework: Framework, bands: list[tuple[str, Decimal]], user=None) -> BandScheme | None:
    """Give ``framework`` the bands ``bands`` — (label, lower bound) pairs, bounds
    in 0..100 with at most 2 decimals, labels and bounds unique — and return
    the scheme it now uses, or None when it had these bands already. An index
    gets the band with the highest bound it reaches; below every bound it gets
    none (as in the national scheme A, B, C), so a bound of 0 is the caller's
    choice, not a rule. Schemes are shared: an existing scheme with exactly
    these bands is reused, else a new one is created, named after the framework
    ("cchc-2022-70-district (A, B, C, D)"); no existing scheme is ever changed.
    The scheme the framework leaves is deleted only when this editor made it
    for this framework (its name) and no framework uses it any more. Refuses,
    naming every problem, bands that cannot be a scheme. The change is recorded
    as a ``Revision`` by ``user`` and the results are recomputed (bands)."""
    bands = [(band_label_clean(label), lower_bound) for label, lower_bound in bands]
    errors = _bands_errors(bands)
    if errors:
        raise ScoringInputError(errors)
    bands = sorted(((label, bound.quantize(TWO_PLACES)) for label, bound in bands), key=lambda band: -band[1])
    framework = framework_lock(framework, allowed=DRAFT, action=CHANGED)
    previous = framework.band_scheme
    if set(previous.bands.values_list("label", "lower_bound")) == set(bands):
        return None
    scheme = _scheme_with(bands)
    if scheme is None:
        scheme = BandScheme.objects.create(name=_scheme_name(framework, [label for label, _bound in bands]))
        Band.objects.bulk_create(Band(scheme=scheme, label=label, lower_bound=bound) for label, bound in bands)
    revision_create(framework, user=user, reason=_("bands changed"), source="")
    framework.band_scheme = scheme
    framework.save(update_fields=["band_scheme"])
    if previous.name.startswith(_scheme_name_prefix(framework)) and not previous.frameworks.exists():
        previous.delete()
    framework_results_recompute(framework=framework)
    return scheme


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
    framework = framework_lock(framework, allowed=DRAFT, action=CHANGED)
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
