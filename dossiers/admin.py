"""Dossier statistics in the admin: listed, read, and imported from a file
(``import_statistics`` from the command line does the same, through the same
reader and service). Every write is an import: one record per file row, all or
nothing, audited."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.models import COUNTS, DossierStatistics, StatisticsImport
from dossiers.services import statistics_import
from dossiers.spreadsheets import statistics_from_file
from scoring.forms import import_upload_checked, sheet_field
from scoring.spreadsheets.reader import TableError, Upload


class StatisticsUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "xlsx, ods or csv: Mã đơn vị or Tên đơn vị, Kỳ (2019, Quý IV/2019, 12/2019), optionally Cấp, then any "
            "counts (Tiếp nhận, Trước hạn, Đúng hạn, Trễ hạn, Đang giải quyết, Quá hạn, Trực tuyến một phần, Trực "
            "tuyến toàn trình, …), published rates and Nguồn."
        ),
        validators=[import_upload_checked],
    )
    sheet = sheet_field()
    dry_run = forms.BooleanField(label=gettext_lazy("Check only, write nothing"), required=False)


@admin.register(DossierStatistics)
class DossierStatisticsAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "level", "received", "resolved_on_time", "resolved_late", "is_sample"]
    list_filter = ["kind", "level", "is_sample"]
    search_fields = ["unit__code", "unit__name", "period"]
    list_select_related = ["unit"]
    readonly_fields = ["unit", "period", "kind", "starts_on", "ends_on", "level", *COUNTS]
    readonly_fields += ["published_rates", "source", "is_sample", "updated_at"]
    change_list_template = "admin/dossiers/dossierstatistics/change_list.html"

    def has_add_permission(self, request):
        return False  # records come from a file, through "Import"

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # the list and the import; no edit

    def get_urls(self):
        upload = path("import/", self.admin_site.admin_view(self.import_view), name="dossiers_statistics_import")
        return [upload, *super().get_urls()]

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = StatisticsUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload, dry_run = form.cleaned_data["file"], form.cleaned_data["dry_run"]
            try:
                rows = statistics_from_file(
                    Upload(upload.name, b"".join(upload.chunks())), sheet=form.cleaned_data["sheet"] or None
                )
                result = statistics_import(rows=rows, user=request.user, source=upload.name, dry_run=dry_run)
            except TableError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                summary = _("%(rows)s rows: %(created)s created, %(changed)s changed, %(unchanged)s unchanged") % {
                    "rows": len(rows),
                    "created": result.created,
                    "changed": result.changed,
                    "unchanged": result.unchanged,
                }
                if dry_run:
                    messages.info(request, _("Dry run, nothing written: %(summary)s") % {"summary": summary})
                else:
                    messages.success(request, summary)
                    return redirect("admin:dossiers_dossierstatistics_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Import dossier statistics"),
            "opts": self.model._meta,
        }
        return render(
            request, "admin/dossiers/dossierstatistics/import.html", context, status=400 if form.errors else 200
        )


@admin.register(StatisticsImport)
class StatisticsImportAdmin(admin.ModelAdmin):
    """The audit of the imports: who, when, from what, and what each changed."""

    list_display = ["created_at", "source", "user", "created", "changed"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
