from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cchc_portal.commands import problems_error
from scoring.commands import add_import_arguments, file_problems, framework_get, source_of
from scoring.spreadsheets.previews import RESULTS, import_file


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
            preview = import_file(
                RESULTS,
                framework=framework,
                source=file,
                sheet=sheet,
                reason=reason,
                dry_run=dry_run,
                origin=source_of("import_results", file),
                shown_rows=0,
            )
        if preview.problems:
            raise problems_error(preview.problems)
        summary = preview.summary
        self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary} if dry_run else summary)
