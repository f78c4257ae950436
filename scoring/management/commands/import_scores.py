from contextlib import closing

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cchc_portal.commands import ProgressBar, problems_error
from scoring.commands import add_import_arguments, file_problems, framework_get, source_of
from scoring.spreadsheets.previews import SCORES, import_file


class Command(BaseCommand):
    help = _(
        "Import scores of a computed framework from a spreadsheet (xlsx, ods, csv): wide (a row per unit, a "
        "column per criterion code, as the scoring template) or long (unit, criterion code, points). Only "
        "changed cells are written, each recorded in the audit trail. A file with any bad row writes nothing."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, file, framework, sheet=None, reason="", dry_run=False, **options):
        framework = framework_get(framework)
        progress = ProgressBar(_("reading"))
        with file_problems(file), closing(progress):
            preview = import_file(
                SCORES,
                framework=framework,
                source=file,
                sheet=sheet,
                reason=reason,
                dry_run=dry_run,
                progress=progress,
                origin=source_of("import_scores", file),
                shown_rows=0,
            )
        if preview.problems:
            raise problems_error(preview.problems)
        summary = preview.summary
        self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary} if dry_run else summary)
