"""The audit history in the staff workspace: a framework's revisions, one
revision's cell changes (and, for a correction, the published figures it
replaced), one unit's changes across the frameworks the user may see. Reads
only: ``scoring.history`` selects, ``staff.access`` decides what is in scope."""

from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from scoring import history
from scoring.models import Revision
from staff.access import Action, access_for
from staff.views import framework_for, staff_only
from units.models import Unit

HISTORY_PAGE = 50  # revisions a page
CHANGES_PAGE = 200  # cells a page of a revision
FIGURES_SHOWN = 200  # units a correction's table of published figures shows


@staff_only
def framework_history(request, slug):
    """A framework's revisions, newest first, 50 a page."""
    framework = framework_for(request, slug)
    page = history.framework_history(framework=framework, page_number=request.GET.get("page"), per_page=HISTORY_PAGE)
    return render(request, "staff/framework_history.html", {"framework": framework, "page": page})


@staff_only
def revision(request, slug, revision_id):
    """One revision's cells, 200 a page; for a correction, the published index
    and rank of each unit whose figures differ now, beside the stored ones."""
    framework = framework_for(request, slug)
    revisions = (
        Revision.objects.select_related("user")
        .defer("results_before")
        .annotate(corrects_published=Q(results_before__isnull=False))
    )
    found = get_object_or_404(revisions, framework=framework, pk=revision_id)
    page = history.revision_changes(revision=found, page_number=request.GET.get("page"), per_page=CHANGES_PAGE)
    figures = history.correction_figures(revision=found) if found.corrects_published else []
    changed = [row for row in figures if row.differs]
    context = {
        "framework": framework,
        "revision": found,
        "page": page,
        "figures": changed[:FIGURES_SHOWN],
        "figures_more": max(len(changed) - FIGURES_SHOWN, 0),
        "figures_same": len(figures) - len(changed),
    }
    return render(request, "staff/revision.html", context)


@staff_only
def unit_history(request, code):
    """Every change of the cells of the units holding ``code`` (a code is reused
    over time: all of them, newest first) in the frameworks the user may see."""
    units = list(Unit.objects.filter(code=code).order_by(F("valid_from").desc(nulls_last=True)))
    if not units:
        raise Http404("No such unit.")
    frameworks = access_for(request.user).frameworks(Action.VIEW)
    sections = [(unit, history.unit_history(unit=unit, frameworks=frameworks)) for unit in units]
    return render(request, "staff/unit_history.html", {"code": code, "sections": sections})
