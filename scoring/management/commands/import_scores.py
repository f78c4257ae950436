from contextlib import closing

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cchc_portal.commands import ProgressBar
from scoring.commands import add_import_arguments, file_problems, framework_get, source_of
from scoring.services import scores_import
from scoring.spreadsheets.imports import scores_from_file
from scoring.spreadsheets.previews import scores_summary


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
            scores = scores_from_file(file, framework, sheet=sheet, progress=progress)
            progress.close()
            report = scores_import(
                framework=framework,
                cells=scores.cells,
                reason=reason,
                source=source_of("import_scores", file),
                dry_run=dry_run,
            )
        summary = scores_summary(scores, report)
        self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary} if dry_run else summary)
