"""A framework's assessment round for the province's Home Affairs department: open
it with a deadline per phase, move the deadlines, close the current phase, reopen
one unit's work with a reason, and follow every unit on the round's dashboard."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments import services
from assessments.models import AssessmentRound, Phase
from assessments.selectors import ranking_preview, round_overview
from scoring.services import ScoringInputError
from staff import notifications
from staff.access import Action
from staff.forms import ReopenForm, RoundForm, day_end
from staff.views import framework_for, staff_only


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def round_page(request, slug):
    """The round of a draft framework, for those who edit it (a province editor, an administrator)."""
    framework = framework_for(request, slug, Action.EDIT_FRAMEWORK)
    round_ = AssessmentRound.objects.filter(framework=framework).first()
    forms = {"round": RoundForm.of(round_) if round_ else RoundForm(), "reopen": ReopenForm()}
    status = 200
    if request.method == "POST":
        step, status = request.POST.get("step", ""), 400
        try:
            if step in ("open", "deadlines"):
                form = forms["round"] = RoundForm(request.POST)
                if form.is_valid():
                    if round_ is None:
                        opened = services.round_open(framework=framework, deadlines=form.deadlines(), user=request.user)
                        notifications.phase_opened(opened)
                        messages.success(request, _("The round is open: the units can self-assess."))
                    else:
                        deadlines = form.deadlines()
                        moved = services.round_deadlines_set(round=round_, deadlines=deadlines, user=request.user)
                        notifications.reminder_queue(moved)
                        messages.success(request, _("The deadlines are changed."))
                    return redirect("staff:round", slug=slug)
            elif step == "public" and round_ is not None:
                public = request.POST.get("criteria_public") == "on"
                services.round_criteria_public_set(round=round_, public=public, user=request.user)
                messages.success(request, _("Saved."))
                return redirect("staff:round", slug=slug)
            elif step == "close" and round_ is not None:
                notifications.phase_opened(services.round_phase_close(round=round_, user=request.user))
                messages.success(request, _("The phase is closed; the next one is open."))
                return redirect("staff:round", slug=slug)
            elif step == "reopen" and round_ is not None:
                form = forms["reopen"] = ReopenForm(request.POST)
                unit = round_.units.filter(pk=request.POST.get("unit", "0") or 0).select_related("unit").first()
                if unit is None:
                    form.add_error(None, _("No such unit in this round."))
                elif form.is_valid():
                    until, reason = day_end(form.cleaned_data["until"]), form.cleaned_data["reason"]
                    services.unit_reopen(unit=unit, until=until, reason=reason, user=request.user)
                    messages.success(request, _("Reopened for %(unit)s.") % {"unit": unit.unit.name})
                    return redirect("staff:round", slug=slug)
        except ScoringInputError as error:
            for message in error.messages:
                messages.error(request, message)
    context = {
        "framework": framework,
        "round": round_,
        "units": round_overview(round_) if round_ else [],
        "preview": ranking_preview(round_) if round_ else [],
        "round_form": forms["round"],
        "reopen_form": forms["reopen"],
        "closed": round_ is not None and round_.phase == Phase.CLOSED,
        "phase_deadline": round_.deadline(round_.phase) if round_ else None,
    }
    return render(request, "staff/round.html", context, status=status)
