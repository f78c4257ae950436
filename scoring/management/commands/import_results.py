from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from scoring.commands import add_import_arguments, file_import
from scoring.spreadsheets.previews import RESULTS


class Command(BaseCommand):
    help = _(
        "Import a decision's table of results into a published-mode framework: unit (code or name), index, "
        "optionally rank and one column per field. Ranks, bands and deltas are computed; a published rank that "
        "disagrees is flagged. A file with any bad row writes nothing."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, file, framework, sheet=None, reason="", dry_run=False, **options):
        summary = file_import(
            "import_results", RESULTS, file=file, framework=framework, dry_run=dry_run, sheet=sheet, reason=reason
        )
        self.stdout.write(summary)
