"""Dossier statistics in the workspace: a province's editor downloads the
template of the province's units and uploads the filled file, for their own
province's units only; checked first (nothing written), then imported. The same
reader, checks, writes and audit as ``import_statistics`` and the admin."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from dossiers.forms import StatisticsUploadForm
from dossiers.models import StatisticsImport
from dossiers.spreadsheets import template_headers
from scoring.spreadsheets.writers import table_xlsx
from staff.access import access_for
from staff.views import XLSX, staff_only
from units.models import Unit

RECENT_IMPORTS = 10
TEMPLATE_KINDS = (Unit.Kind.DISTRICT, Unit.Kind.DEPARTMENT, Unit.Kind.AGENCY, Unit.Kind.COMMUNE)


def _units(request):
    """The units the user imports statistics for (None: every unit); 403 for none."""
    units = access_for(request.user).statistics_units()
    if units is not None and not units.exists():
        raise PermissionDenied
    return units


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def statistics_upload(request):
    units = _units(request)
    form, status = StatisticsUploadForm(), 200
    if request.method == "POST":
        form, status = StatisticsUploadForm(request.POST, request.FILES), 400
        if form.is_valid():
            source = _("workspace %(file)s") % {"file": form.cleaned_data["file"].name[:200]}
            writable = None if units is None else set(units.values_list("pk", flat=True))
            if form.import_file(request, source=source, writable=writable):
                return redirect("staff:statistics_upload")
            status = 400 if form.errors else 200
    context = {
        "form": form,
        "imports": StatisticsImport.objects.filter(user=request.user)[:RECENT_IMPORTS],
    }
    return render(request, "staff/statistics_upload.html", context, status=status)


@require_safe
@staff_only
def statistics_template(request):
    """The template: the columns the reader looks for, a row per unit the user
    reports for (in force today), the period and the figures left blank."""
    units = _units(request)
    in_force = (Unit.objects.all() if units is None else units).valid_on(timezone.localdate())
    rows = [
        [unit.code, unit.name, None, "tất cả"]
        for unit in in_force.filter(kind__in=TEMPLATE_KINDS).order_by("code").only("code", "name")[:20_000]
    ]
    headers = template_headers()
    rows = [row + [None] * (len(headers) - len(row)) for row in rows]
    about = [(_("Table"), _("Dossier statistics: one row per unit, period and level"))]
    response = HttpResponse(table_xlsx(about, _("Statistics"), headers, rows), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "mau-so-lieu-tthc.xlsx")
    return response
