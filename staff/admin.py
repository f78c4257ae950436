from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from staff.models import AppraiserAssignment, StaffRole


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    autocomplete_fields = ["unit"]


class AppraiserAssignmentInline(admin.TabularInline):
    model = AppraiserAssignment
    extra = 0
    autocomplete_fields = ["framework", "unit"]
    raw_id_fields = ["field"]


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [StaffRoleInline, AppraiserAssignmentInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "roles"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("staff_roles__unit")

    @admin.display(description=_("roles"))
    def roles(self, user):
        return "; ".join(
            f"{role.get_role_display()} {role.unit.short_name if role.unit else ''}".strip()
            for role in user.staff_roles.all()
        )
