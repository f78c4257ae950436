from functools import partial, wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Min, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from assessments.models import Phase, UnitAssessment
from scoring import selectors, services
from scoring.models import Framework, Result
from scoring.spreadsheets.writers import scoring_template_xlsx
from staff import grids
from staff.access import Action, access_for
from staff.forms import NoteForm, PublishForm, ReasonForm, SubmitForm
from staff.models import AppraiserAssignment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GRID_PAGE = 100  # participants per page of a criterion's grid: 200 fields a save


def staff_only(view):
    """Signed-in users with a staff role; anyone else goes to the login page
    (anonymous) or gets 403."""

    @never_cache  # a staff page shows drafts: never kept by a browser or a proxy
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("staff:login"))
        if not access_for(request.user).is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def framework_for(request, slug: str, action: Action = Action.VIEW) -> Framework:
    """The framework, if the user's roles reach it (else 404: a scope's drafts are
    not known outside it) and allow ``action`` in its state (else 403)."""
    access = access_for(request.user)
    frameworks = access.frameworks(Action.VIEW).select_related("index", "publication", "band_scheme")
    framework = get_object_or_404(frameworks, slug=slug)
    if action is not Action.VIEW and not access.may(action, framework):
        raise PermissionDenied
    return framework


@staff_only
def dashboard(request):
    access = access_for(request.user)
    frameworks = (
        access.frameworks(Action.VIEW)
        .select_related("index", "publication")
        .order_by("-year", "-month", "scope", "block")
    )
    own = UnitAssessment.objects.filter(unit_id__in=access.respondent_units())
    appraised = Q(round__framework__in=AppraiserAssignment.objects.filter(user=request.user).values("framework"))
    if not access.is_administrator:
        appraised |= Q(round__framework__scope__in=access.scopes(Action.EDIT_FRAMEWORK))
    to_appraise = UnitAssessment.objects.filter(
        appraised, status=UnitAssessment.Status.SUBMITTED, round__phase=Phase.APPRAISAL
    )
    context = {
        "frameworks": frameworks,
        "access": access,
        "own_assessments": own.select_related("round__framework", "unit").order_by("-round__framework__year"),
        "to_appraise": to_appraise.select_related("round__framework", "unit").order_by(
            "round__appraisal_deadline", "unit__code"
        )[:200],
    }
    return render(request, "staff/dashboard.html", context)


@staff_only
def framework(request, slug):
    return _framework_page(request, framework_for(request, slug))


def _framework_page(request, framework, *, forms=None, completeness=None, status=200):
    """The framework's page; with a workflow form the user filled in wrongly
    (``forms``: by step), that form with what they typed and its errors (``status`` 400)."""
    access = access_for(request.user)
    participants = framework.participants.order_by("code")
    listed = access.listed_filter(framework)
    if listed is not None:
        participants = participants.filter(listed)
    results = dict(Result.objects.filter(framework=framework).values_list("unit_id", "index"))
    completeness = completeness or selectors.framework_completeness(framework)
    missing = completeness.missing
    forms = {
        "submit": SubmitForm(missing=missing),
        "publish": PublishForm(missing=missing),
        "return": NoteForm(),
        **(forms or {}),
    }
    criteria = list(framework.criteria.order_by("order", "code"))
    context = {
        "framework": framework,
        "criteria": [(criterion, completeness.by_criterion.get(criterion.pk, 0)) for criterion in criteria],
        # Names an English page shows in Vietnamese, marked untranslated.
        "missing_english": (not framework.name_en)
        + sum(not criterion.name_en for criterion in criteria)
        + framework.band_scheme.bands.filter(label_en="").count(),
        "participants": [(unit, results.get(unit.pk), completeness.by_unit.get(unit.pk, 0)) for unit in participants],
        "completeness": completeness,
        "incomplete_units": len(completeness.by_unit),
        "events": framework.events.select_related("user")[:20],
        "may": {action.value: access.may(action, framework) for action in Action},
        "submit_form": forms["submit"],
        "publish_form": forms["publish"],
        "return_form": forms["return"],
    }
    return render(request, "staff/framework.html", context, status=status)


_WORKFLOW = {
    "submit": Action.SUBMIT,
    "return": Action.REVIEW,
    "publish": Action.REVIEW,
    "withdraw": Action.WITHDRAW,
}


@require_POST
@staff_only
def workflow(request, slug):
    """A step of the workflow: submit for review, send back, publish, withdraw."""
    step = request.POST.get("step", "")
    if step not in _WORKFLOW:
        raise Http404("No such workflow step.")
    framework = framework_for(request, slug, _WORKFLOW[step])
    completeness = selectors.framework_completeness(framework) if step in ("submit", "publish") else None
    refused = partial(_framework_page, request, framework, completeness=completeness, status=400)  # a form's errors
    try:
        if step == "submit":
            form = SubmitForm(request.POST, missing=completeness.missing)
            if not form.is_valid():
                return refused(forms={"submit": form})
            services.framework_submit(framework=framework, user=request.user)
            messages.success(request, _("Sent for review: scores are locked until a reviewer decides."))
        elif step == "return":
            form = NoteForm(request.POST)
            if not form.is_valid():
                return refused(forms={"return": form})
            services.framework_return(framework=framework, user=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Sent back to draft."))
        elif step == "publish":
            form = PublishForm(request.POST, missing=completeness.missing)
            if not form.is_valid():
                return refused(forms={"publish": form})
            decision = {name: form.cleaned_data[name] for name in ("decision_number", "decision_date", "signer")}
            services.framework_publish(framework=framework, user=request.user, **decision)
            messages.success(request, _("Published: the ranking is public."))
        else:
            services.framework_unpublish(framework=framework, user=request.user)
            messages.success(request, _("The publication is withdrawn: the framework is a draft again."))
    except services.ScoringInputError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("staff:framework", slug=framework.slug)


def _grid_response(request, framework, cells, template, context):
    """Show a grid, or save it: on success back to the same page (a message says
    how many cells changed), else the grid again with every problem marked."""
    access = access_for(request.user)
    may_edit = access.may(Action.EDIT_SCORES, framework)
    if request.method == "POST":
        if not may_edit or not any(cell.editable for cell in cells):
            raise PermissionDenied
        form = ReasonForm(request.POST)
        # A reason refused (too long) writes nothing: the cells are still checked.
        reason = form.cleaned_data["reason"] if form.is_valid() else None
        changed, problems = grids.cells_save(request, framework, cells, reason)
        if changed is not None:
            message = ngettext("Saved: %(count)d cell changed.", "Saved: %(count)d cells changed.", changed)
            messages.success(request, message % {"count": changed} if changed else _("Nothing changed."))
            return redirect(request.get_full_path())
        for problem in problems:
            form.add_error("reason", problem)
        status = 409 if any(cell.theirs is not None for cell in cells) else 400
    else:
        form, status = ReasonForm(), 200
    context = {
        **context,
        "framework": framework,
        "form": form,
        "may_edit": may_edit and any(cell.editable for cell in cells),
        "errors": [cell for cell in cells if cell.error],
        "conflicts": [cell for cell in cells if cell.theirs is not None],
        "grid_text": {
            "decimal": get_format("DECIMAL_SEPARATOR"),
            "number": _("Not a number, and not KAD (not applicable)."),
            "places": _("More than 2 decimal places."),
            "above": _("Above the maximum %s."),
        },
    }
    return render(request, template, context, status=status)


@staff_only
def unit_grid(request, slug, code):
    """Every criterion of one participant, with maxima, subtotals and the index."""
    framework = framework_for(request, slug)
    if framework.mode != Framework.Mode.COMPUTED:
        raise Http404("A published-mode framework has no scores.")
    unit = get_object_or_404(framework.participants.select_related("parent"), code=code)
    access = access_for(request.user)
    editable = access.may(Action.EDIT_SCORES, framework) and access.may_edit_unit(framework, unit)
    criteria = list(framework.criteria.order_by("order", "code"))
    cells = grids.cells_read(framework, [unit], [c for c in criteria if c.is_leaf], lambda _unit: editable)
    result = Result.objects.filter(framework=framework, unit=unit).first()
    # The previous and next participants the user's framework page lists, by code: one query.
    listed = framework.participants.all()
    if (listed_filter := access.listed_filter(framework)) is not None:
        listed = listed.filter(listed_filter)
    around = listed.aggregate(
        previous=Max("code", filter=Q(code__lt=unit.code)), next=Min("code", filter=Q(code__gt=unit.code))
    )
    context = {
        "unit": unit,
        "rows": grids.unit_rows(criteria, cells),
        "result": result,
        "missing": sum(1 for cell in cells if cell.value is None),
        "around": around,
    }
    return _grid_response(request, framework, cells, "staff/unit_grid.html", context)


@staff_only
def criterion_grid(request, slug, code):
    """One leaf criterion for every participant the user may edit, 100 a page."""
    framework = framework_for(request, slug)
    criterion = get_object_or_404(framework.criteria, code=code, is_leaf=True)
    access = access_for(request.user)
    participants = framework.participants.select_related("parent").order_by("code")
    listed = access.listed_filter(framework)
    if listed is not None:
        participants = participants.filter(listed)
    page = Paginator(participants, GRID_PAGE).get_page(request.GET.get("page"))
    may_edit = access.may(Action.EDIT_SCORES, framework)
    # A grid may list more units than the user may edit (a reviewer who also edits a district's communes).
    editable = access.editable_units(framework) if may_edit else set()
    cells = grids.cells_read(
        framework, list(page.object_list), [criterion], lambda unit: editable is None or unit.pk in editable
    )
    results = dict(
        Result.objects.filter(framework=framework, unit__in=[cell.unit for cell in cells]).values_list(
            "unit_id", "index"
        )
    )
    context = {
        "criterion": criterion,
        "rows": [(cell, results.get(cell.unit.pk)) for cell in cells],
        "page": page,
    }
    return _grid_response(request, framework, cells, "staff/criterion_grid.html", context)


@require_safe
@staff_only
def scores_workbook(request, slug):
    """The scoring template of a framework whose scores the user may edit, filled
    with what is stored, for the units the user may edit: to work in a spreadsheet."""
    framework = framework_for(request, slug, Action.EDIT_SCORES)
    editable = access_for(request.user).editable_units(framework)
    units = framework.participants.all() if editable is None else framework.participants.filter(pk__in=editable)
    content = scoring_template_xlsx(framework, units=units, filled=True)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{framework.slug}.xlsx")
    return response
