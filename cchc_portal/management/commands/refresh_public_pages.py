from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cchc_portal import caching


class Command(BaseCommand):
    help = _(
        "Mark every public page as changed (a new data version), so caches and browsers fetch them again: "
        "after pg_restore, or a change made to the database outside the portal."
    )

    def handle(self, *args, **options):
        caching.data_version_bump()  # outside a transaction: at once
        version = caching.data_version()
        self.stdout.write(_("Public pages refreshed: data version %(version)s.") % {"version": version})
