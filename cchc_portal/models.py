from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """The version of everything the public pages show, a single row: a change of
    units, frameworks, criteria, bands, publications or results bumps it when its
    transaction commits (``cchc_portal.caching``). The public pages are cached and
    answer conditional requests by it, the same in every process, without
    reading the results."""

    version = models.PositiveBigIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self):
        return str(self.version)
