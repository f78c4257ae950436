from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff workspace")


class PortalAdminConfig(AdminConfig):
    """Django's admin, open to administrators only (``staff.sites.PortalAdminSite``)."""

    default_site = "staff.sites.PortalAdminSite"
