"""The framework editor of the staff workspace: a new framework (from scratch or
as a copy of one the user may read), and a draft's settings, criteria tree,
bands and participants: request handling only. Who may do it is ``staff.access``'s to
say (``EDIT_FRAMEWORK``); the forms and their text formats are ``staff.forms``; every
write goes through one service of ``scoring.services``."""

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scoring import services
from scoring.models import Framework
from staff.access import Action, access_for, creatable_scopes, may_create_frameworks
from staff.forms import (
    BandsForm,
    CopyForm,
    CriteriaForm,
    DetailsForm,
    EnglishNamesForm,
    NewFrameworkForm,
    ParticipantsForm,
    RemoveForm,
    bands_as_text,
    criteria_as_text,
)
from staff.views import framework_for, staff_only

PARTICIPANTS_PAGE = 100


def _service_errors(form: forms.Form, error: services.ScoringInputError, field: str | None = None) -> None:
    for message in error.messages:
        form.add_error(field, message)


@staff_only
def framework_new(request):
    """A new draft: from scratch (settings and the criteria tree, typed or from
    a file), or a copy of a framework the user may read, for another year, in
    its scope. Either way the user then goes on in the editor."""
    access = access_for(request.user)
    if not may_create_frameworks(access):
        raise PermissionDenied
    scopes = creatable_scopes(access)
    new_form = NewFrameworkForm(scopes=scopes)
    copy_form = CopyForm(access=access, scopes=scopes)
    status = 200
    if request.method == "POST":
        if request.POST.get("start") == "copy":
            copy_form = CopyForm(request.POST, access=access, scopes=scopes)
            framework = _copy(request, copy_form)
        else:
            new_form = NewFrameworkForm(request.POST, request.FILES, scopes=scopes)
            framework = _create(new_form)
        if framework is not None:
            return redirect("staff:framework_edit", slug=framework.slug)
        status = 400
    return render(request, "staff/editor_new.html", {"form": new_form, "copy_form": copy_form}, status=status)


def _create(form: NewFrameworkForm) -> Framework | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.framework_create(
            index=data["index"],
            year=data["year"],
            month=data["month"] or 0,
            scope=data["scope"],
            block=data["block"],
            block_name=data["block_name"].strip(),
            name=data["name"].strip(),
            name_en=data["name_en"].strip(),
            band_scheme=data["band_scheme"],
            mode=data["mode"],
            criteria=data["criteria"],
        )
    except services.ScoringInputError as error:
        _service_errors(form, error)
        return None


def _copy(request, form: CopyForm) -> Framework | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        framework = services.framework_copy(
            source=data["source"],
            year=data["year"],
            month=data["month"],
            user=request.user,
            name=data["name"].strip(),
        )
    except services.ScoringInputError as error:
        _service_errors(form, error)
        return None
    messages.success(request, _("Copied: check the criteria and the participants before entering scores."))
    return framework


def _details_save(request, framework: Framework) -> tuple[forms.Form, bool]:
    form = DetailsForm(request.POST)
    if not form.is_valid():
        return form, False
    try:
        changed = services.framework_details_set(framework=framework, **form.cleaned_data)
    except services.ScoringInputError as error:
        _service_errors(form, error)
        return form, False
    messages.success(request, _("Settings saved.") if changed else _("Nothing changed."))
    return form, True


def _criteria_save(request, framework: Framework) -> tuple[forms.Form, bool]:
    form = CriteriaForm(request.POST)
    if not form.is_valid():
        return form, False
    try:
        changed = services.framework_criteria_set(
            framework=framework, criteria=form.cleaned_data["criteria"], user=request.user, source=_("framework editor")
        )
    except services.ScoringInputError as error:
        _service_errors(form, error, "criteria_text")
        return form, False
    messages.success(request, _("Criteria saved; the results are recomputed.") if changed else _("Nothing changed."))
    return form, True


def _bands_save(request, framework: Framework) -> tuple[forms.Form, bool]:
    form = BandsForm(request.POST)
    if not form.is_valid():
        return form, False
    bands = form.cleaned_data["bands"]
    try:
        scheme = services.framework_bands_set(framework=framework, bands=bands, user=request.user)
    except services.ScoringInputError as error:
        _service_errors(form, error, "bands_text")
        return form, False
    if scheme is None:
        messages.info(request, _("Nothing changed."))
        return form, True
    messages.success(
        request, _("Bands saved (band scheme %(scheme)s); the results are recomputed.") % {"scheme": scheme.name}
    )
    lowest = min(bound for _label, bound in bands)
    if lowest > 0:
        messages.warning(request, _("An index below %(bound)s gets no band.") % {"bound": number_format(lowest, 2)})
    return form, True


def _participants_save(request, framework: Framework) -> tuple[forms.Form, bool]:
    form = ParticipantsForm(request.POST, framework=framework)
    if not form.is_valid():
        return form, False
    chosen = list(form.units())
    if not chosen:
        form.add_error(None, _("No unit of that kind under that parent unit."))
        return form, False
    if form.cleaned_data["how"] == ParticipantsForm.ADD:
        chosen += list(framework.participants.all())
    return form, _participants_set(request, framework, form, chosen)


def _participant_remove(request, framework: Framework) -> tuple[forms.Form, bool]:
    form = RemoveForm(request.POST, framework=framework)
    if not form.is_valid():
        form.add_error(None, _("That unit does not take part in this framework."))
        return form, False
    unit = form.cleaned_data["unit"]
    return form, _participants_set(request, framework, form, framework.participants.exclude(pk=unit.pk))


def _participants_set(request, framework: Framework, form: forms.Form, units) -> bool:
    try:
        added, removed = services.framework_participants_set(framework=framework, units=units, user=request.user)
    except services.ScoringInputError as error:
        _service_errors(form, error)
        return False
    if not added and not removed:
        messages.info(request, _("Nothing changed."))
    else:
        message = ngettext("%(added)d unit added", "%(added)d units added", added) % {"added": added}
        message += ", " + ngettext("%(removed)d removed", "%(removed)d removed", removed) % {"removed": removed}
        messages.success(request, _("%(change)s; the results are recomputed.") % {"change": message})
    return True


_PARTS = {
    "details": _details_save,
    "criteria": _criteria_save,
    "bands": _bands_save,
    "participants": _participants_save,
    "remove": _participant_remove,
}


@staff_only
def framework_edit(request, slug):
    """A draft's settings, criteria tree, bands and participants, each saved on its own
    (one service call each); a form with problems comes back with every one
    of them shown and nothing written."""
    framework = framework_for(request, slug, Action.EDIT_FRAMEWORK)
    bound, status = {}, 200
    if request.method == "POST":
        part = request.POST.get("part", "")
        if part not in _PARTS:
            raise BadRequest("No such part of the editor.")
        form, done = _PARTS[part](request, framework)
        if done:
            return redirect(request.get_full_path())
        bound[part], status = form, 400
    participants = framework.participants.select_related("parent").order_by("code")
    bands = list(framework.band_scheme.bands.all())
    context = {
        "framework": framework,
        "details_form": bound.get("details")
        or DetailsForm(
            initial={"name": framework.name, "block_name": framework.block_name, "band_scheme": framework.band_scheme}
        ),
        "criteria_form": bound.get("criteria") or CriteriaForm(initial={"criteria_text": criteria_as_text(framework)}),
        "bands": bands,
        "lowest_bound": bands[-1].lower_bound if bands else None,
        "bands_form": bound.get("bands") or BandsForm(initial={"bands_text": bands_as_text(bands)}),
        "participants_form": bound.get("participants") or ParticipantsForm(framework=framework),
        "remove_form": bound.get("remove"),
        "participants": Paginator(participants, PARTICIPANTS_PAGE).get_page(request.GET.get("page")),
    }
    return render(request, "staff/editor_edit.html", context, status=status)


@staff_only
def framework_english(request, slug):
    """The English names of a framework, its source, bands and criteria, each
    beside its Vietnamese name, at any status (``services.framework_english_set``)."""
    framework = framework_for(request, slug, Action.TRANSLATE)
    bands = framework.band_scheme.bands.order_by("-lower_bound")
    criteria = framework.criteria.order_by("order", "code")
    initial = {"name_en": framework.name_en, "source_note_en": framework.source_note_en}
    form = EnglishNamesForm(request.POST or None, initial=initial, bands=bands, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        band_names, criterion_names = form.names()
        try:
            changed = services.framework_english_set(
                framework=framework,
                name_en=form.cleaned_data["name_en"],
                source_note_en=form.cleaned_data["source_note_en"],
                bands=band_names,
                criteria=criterion_names,
                user=request.user,
            )
        except services.ScoringInputError as error:
            _service_errors(form, error)
        else:
            messages.success(request, _("English names saved.") if changed else _("Nothing changed."))
            return redirect(request.get_full_path())
    shared = Framework.objects.filter(band_scheme_id=framework.band_scheme_id).exclude(pk=framework.pk).count()
    context = {"framework": framework, "form": form, "shared": shared}
    return render(request, "staff/framework_english.html", context, status=400 if form.errors else 200)
