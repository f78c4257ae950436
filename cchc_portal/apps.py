import axes.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "cchc_portal"
    verbose_name = _("CCHC Portal")


class AxesConfig(axes.apps.AppConfig):
    """django-axes under a name the admin can translate (its own is "Axes")."""

    verbose_name = _("Sign-in security")
