from contextlib import closing

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cchc_portal.commands import ProgressBar
from scoring.commands import add_import_arguments, file_import
from scoring.spreadsheets.previews import SCORES


class Command(BaseCommand):
    help = _(
        "Import scores of a computed framework from a spreadsheet (xlsx, ods, csv): wide (a row per unit, a "
        "column per criterion code, as the scoring template) or long (unit, criterion code, points). Only "
        "changed cells are written, each recorded in the audit trail. A file with any bad row writes nothing."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, file, framework, sheet=None, reason="", dry_run=False, **options):
        with closing(ProgressBar(_("reading"))) as progress:
            summary = file_import(
                "import_scores",
                SCORES,
                file=file,
                framework=framework,
                dry_run=dry_run,
                sheet=sheet,
                reason=reason,
                progress=progress,
            )
        self.stdout.write(summary)
