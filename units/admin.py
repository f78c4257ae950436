from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cchc_portal.caching import data_version_bump
from units.models import Unit, UnitLineage


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
