import time

from django.core.management.base import BaseCommand
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cchc_portal.commands import problems_error
from units.official import YEARS, official_list
from units.services import UnitInputError, units_upsert


class Command(BaseCommand):
    help = _(
        "Load the official administrative units: 2024 (63 provinces, district-level units, communes) or 2025 "
        "(34 provinces and 3,321 communes from 1 July 2025, with the lineage from the 2024 units). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--official", type=int, choices=YEARS, required=True, help=_("which list"))
        parser.add_argument(
            "--province",
            action="append",
            metavar="CODE",
            help=_("only this province (a code of that year's list); repeat for several"),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("report what would change, write nothing"))

    def handle(self, *args, official, province=None, dry_run=False, **options):
        started = time.perf_counter()
        try:
            data = official_list(official, provinces=set(province) if province else None)
            changes = units_upsert(rows=data.rows, lineage=data.lineage, dry_run=dry_run)
        except UnitInputError as error:
            raise problems_error(error.messages) from error
        self.stdout.write(changes.summary(dry_run=dry_run))
        self.stdout.write(_("%(seconds)s s") % {"seconds": number_format(time.perf_counter() - started, 1)})
