from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from scoring.commands import add_import_arguments, file_problems, framework_get, source_of
from scoring.services import published_results_set
from scoring.spreadsheets.imports import results_from_file
from scoring.spreadsheets.previews import results_summary


class Command(BaseCommand):
    help = _(
        "Import a decision's table of results into a published-mode framework: unit (code or name), index, "
        "optionally rank and one column per field. Ranks, bands and deltas are computed; a published rank that "
        "disagrees is flagged. A file with any bad row writes nothing."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, file, framework, sheet=None, reason="", dry_run=False, **options):
        framework = framework_get(framework)
        with file_problems(file):
            rows = results_from_file(file, framework, sheet=sheet)
            changed = published_results_set(
                framework=framework,
                rows=rows,
                reason=reason,
                source=source_of("import_results", file),
                dry_run=dry_run,
            )
        summary = results_summary(rows, changed)
        self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary} if dry_run else summary)
