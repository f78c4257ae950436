import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from cchc_portal.caching import data_version_bump
from units.models import Boundary, Unit, UnitLineage
from units.services import UnitInputError, boundaries_import


class PublicRowsAdmin(admin.ModelAdmin):
    """Units and their lineage are public (every unit page, every ranking shows
    them): each write made here moves the public pages' data version, as
    ``units_upsert`` does for the imports."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        data_version_bump()  # the change view's transaction also holds the inlines' writes

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        data_version_bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        data_version_bump()


class PredecessorInline(admin.TabularInline):
    model = UnitLineage
    fk_name = "successor"
    extra = 0
    autocomplete_fields = ["predecessor"]
    verbose_name = _("predecessor")
    verbose_name_plural = _("predecessors (renamed, merged or split from)")


@admin.register(Unit)
class UnitAdmin(PublicRowsAdmin):
    list_display = ["code", "name", "type_label", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind", "type_label", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["slug"]
    list_select_related = ["parent"]
    inlines = [PredecessorInline]
    fields = ["code", "name", "short_name", "slug", "kind", "type_label", "parent", ("valid_from", "valid_to")]

    def get_search_results(self, request, queryset, search_term):
        """Diacritics-insensitive: "dong phu" finds "Huyện Đồng Phú"; a code prefix finds the unit."""
        if not search_term.strip():
            return queryset, False
        return queryset & Unit.objects.search(search_term), False

    def save_model(self, request, obj, form, change):
        obj.fill_derived_fields()
        super().save_model(request, obj, form, change)


@admin.register(UnitLineage)
class UnitLineageAdmin(PublicRowsAdmin):
    list_display = ["predecessor", "successor", "kind", "effective_date"]
    list_filter = ["kind"]
    search_fields = ["predecessor__code", "predecessor__name", "successor__code", "successor__name"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]


class BoundariesUploadForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON file"), help_text=_("A FeatureCollection of Polygon or MultiPolygon features.")
    )
    key = forms.CharField(label=_("Property holding the unit code"), initial="code", max_length=50)
    source = forms.CharField(label=_("Source and licence"), max_length=300, required=False)
    on = forms.DateField(
        label=_("Codes as held on"),
        required=False,
        help_text=_(
            "A code reused after the 2025 reorganisation means the unit holding it on this day; today if empty."
        ),
    )


@admin.register(Boundary)
class BoundaryAdmin(PublicRowsAdmin):
    """The outlines of the maps: listed, removed, and imported from a GeoJSON
    file (``import_boundaries`` from the command line does the same)."""

    list_display = ["unit", "source", "updated_at"]
    search_fields = ["unit__code", "unit__name"]
    readonly_fields = ["unit", "west", "south", "east", "north", "source", "updated_at"]
    exclude = ["geometry"]
    change_list_template = "admin/units/boundary/change_list.html"

    def has_add_permission(self, request):
        return False  # outlines come from a file, through "Import"

    def get_urls(self):
        upload = path("import/", self.admin_site.admin_view(self.import_view), name="units_boundary_import")
        return [upload, *super().get_urls()]

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = BoundariesUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.BOUNDARIES_UPLOAD_MAX_BYTES:
                form.add_error(
                    "file",
                    _(
                        "The file is larger than the %(limit)s MB allowed here; "
                        "import it with manage.py import_boundaries."
                    )
                    % {"limit": settings.BOUNDARIES_UPLOAD_MAX_BYTES // 2**20},
                )
            else:
                try:
                    collection = json.loads(b"".join(upload.chunks()))
                    changes = boundaries_import(
                        collection=collection,
                        key=form.cleaned_data["key"],
                        source=form.cleaned_data["source"] or upload.name,
                        on=form.cleaned_data["on"],
                    )
                except (ValueError, UnicodeDecodeError, RecursionError):
                    form.add_error("file", _("The file is not JSON."))
                except UnitInputError as error:
                    for message in error.messages:
                        form.add_error(None, message)
                else:
                    messages.success(
                        request,
                        _("%(created)s outlines created, %(updated)s replaced")
                        % {"created": changes.created, "updated": changes.updated},
                    )
                    return redirect("admin:units_boundary_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Import boundaries"),
            "opts": self.model._meta,
        }
        return render(request, "admin/units/boundary/import.html", context, status=400 if form.errors else 200)
