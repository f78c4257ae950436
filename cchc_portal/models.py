from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """The version of everything the public pages show, a single row: a change
    the public sees (a publication, a correction or other write to a published
    framework, a withdrawal, units, lineage) moves it forward when its
    transaction commits; a draft's changes do not (``cchc_portal.caching``). The version
    is the time of the last change in microseconds since 1970 (and always grows,
    even if the clock goes back), so it is also the pages' Last-Modified. The
    public pages are cached and answer conditional requests by it, the same in
    every process, without reading the results."""

    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self):
        return str(self.version)
