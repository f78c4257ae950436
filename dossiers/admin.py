"""Dossier statistics in the admin: listed, read, and imported from a file
(``import_statistics`` from the command line does the same, through the same
reader and service). Every write is an import: one record per file row, all or
nothing, audited."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from dossiers.forms import StatisticsUploadForm
from dossiers.models import COUNTS, DossierStatistics, StatisticsImport


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
        written = (
            request.method == "POST"
            and form.is_valid()
            and form.import_file(request, source=form.cleaned_data["file"].name)
        )
        if written:
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
