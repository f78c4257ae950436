from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from staff.access import access_for


class AdministratorLoginForm(AdminAuthenticationForm):
    """The admin's login: administrators only (the workspace has its own)."""

    def confirm_login_allowed(self, user):
        if not user.is_active or not access_for(user).is_administrator:
            raise ValidationError(
                _("This page is for administrators. Editors and reviewers sign in to the staff workspace."),
                code="invalid_login",
            )


class PortalAdminSite(admin.AdminSite):
    """Django's admin for administrators: imports, units, users and roles. Editors
    and reviewers work in the staff workspace, which checks every object's scope."""

    site_header = _("CCHC Portal administration")
    site_title = _("CCHC Portal")
    index_title = _("Units, frameworks and scores")
    login_form = AdministratorLoginForm
    # The lists get the whole width: the app list is on the index page, one click away.
    enable_nav_sidebar = False

    def has_permission(self, request):
        return request.user.is_active and access_for(request.user).is_administrator


class AdministratorBackend(BaseBackend):
    """Every model permission for an administrator role, as for a superuser."""

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and access_for(user_obj).is_administrator

    def has_module_perms(self, user_obj, app_label):
        return self.has_perm(user_obj, app_label)
