"""Scores files in the workspace: an editor uploads the scoring sheet (or any
scores file) for the units they enter, sees the preview with every change and
every problem, and confirms. The same reading, checks, writes and audit as the
admin's import (``scoring.spreadsheets.previews``, ``scoring.tasks``); a large
file is checked and written in the background, followed on the job's page."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from scoring.models import Framework, ImportJob
from scoring.spreadsheets.previews import SCORES, Preview
from scoring.tasks import import_job_confirm, import_job_start, in_background
from staff.access import Action, access_for
from staff.forms import ScoresUploadForm
from staff.views import framework_for, staff_only

RECENT_JOBS = 10


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def scores_upload(request, slug):
    """The upload form, with the user's recent imports into this framework."""
    framework = framework_for(request, slug, Action.EDIT_SCORES)
    if framework.mode != Framework.Mode.COMPUTED:
        raise Http404("A published-mode framework has no scores.")
    form, status = ScoresUploadForm(framework=framework), 200
    if request.method == "POST":
        form, status = ScoresUploadForm(request.POST, request.FILES, framework=framework), 400
        if form.is_valid():
            data = form.cleaned_data
            job = import_job_start(
                kind=SCORES,
                framework=framework,
                upload=data["file"],
                sheet=data["sheet"],
                reason=data["reason"],
                user=request.user,
                units=access_for(request.user).editable_units(framework),
                origin=_("workspace %(file)s") % {"file": data["file"].name[:200]},
            )
            return redirect("staff:import_job", job_id=job.pk)
    jobs = _own_jobs(request).filter(framework=framework).defer("data", "preview")[:RECENT_JOBS]
    limit_mb = number_format(settings.IMPORT_MAX_BYTES / 2**20, 0)
    context = {"framework": framework, "form": form, "jobs": jobs, "limit_mb": limit_mb}
    return render(request, "staff/scores_upload.html", context, status=status)


def _own_jobs(request):
    return ImportJob.objects.filter(user=request.user, kind=SCORES)


def _job_for(request, job_id: int, *, deferred: tuple[str, ...] = ()) -> ImportJob:
    """The user's own import, into a framework they still see (404 otherwise)."""
    job = get_object_or_404(_own_jobs(request).select_related("framework").defer(*deferred), pk=job_id)
    framework_for(request, job.framework.slug)
    return job


@require_safe
@staff_only
def import_job(request, job_id):
    """An import's status: its progress while it runs, then its preview (or
    every problem), the confirmation, and what was written."""
    job = _job_for(request, job_id, deferred=("data",))  # a page refreshed every 2 s: not the file
    access = access_for(request.user)
    context = {
        "job": job,
        "framework": job.framework,
        "preview": Preview.from_json(job.preview) if job.preview else None,
        "may_confirm": access.may(Action.EDIT_SCORES, job.framework),
    }
    return render(request, "staff/import_job.html", context)


@require_http_methods(["POST"])
@staff_only
def import_job_confirm_view(request, job_id):
    """Confirm a checked import: written now when small, else in the
    background. Refused when the user no longer enters every unit it writes."""
    job = _job_for(request, job_id)
    framework = framework_for(request, job.framework.slug, Action.EDIT_SCORES)
    editable = access_for(request.user).editable_units(framework)
    if editable is not None and (job.units is None or not set(job.units) <= editable):
        raise PermissionDenied
    if import_job_confirm(job, background=in_background(job)):
        job.refresh_from_db(fields=["status"])
        if job.status == ImportJob.Status.DONE:
            messages.success(request, _("Imported: %(summary)s.") % {"summary": job.preview["summary"]})
    else:
        messages.error(request, _("This import is not waiting for confirmation."))
    return redirect("staff:import_job", job_id=job.pk)
