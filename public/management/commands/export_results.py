import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cchc_portal.commands import problems_error
from public.documents import framework_results_document
from public.downloads import results_csv, results_xlsx
from scoring.commands import framework_get
from scoring.models import Framework
from scoring.services import ScoringInputError
from scoring.spreadsheets.writers import scoring_template_xlsx

FORMATS = ("csv", "xlsx", "json")


def _json_bytes(framework: Framework) -> bytes:
    return (json.dumps(framework_results_document(framework), ensure_ascii=False, indent=2) + "\n").encode()


WRITERS = {"csv": results_csv, "xlsx": results_xlsx, "json": _json_bytes}


class Command(BaseCommand):
    help = _(
        "Write a framework's results as CSV, XLSX or JSON (the API's document), published or not, to a file or "
        "standard output; with --template, a blank XLSX scoring sheet for the framework instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--framework", required=True, metavar="SLUG", help=_("the framework's slug"))
        parser.add_argument("--format", choices=FORMATS, help=_("the file format (with --template: xlsx)"))
        parser.add_argument("-o", "--output", metavar="FILE", help=_("the file to write (default: standard output)"))
        parser.add_argument(
            "--template", action="store_true", help=_("write a blank scoring template (xlsx) instead of the results")
        )

    def handle(self, *args, framework, format=None, output=None, template=False, **options):
        if template and format not in (None, "xlsx"):
            raise CommandError(_("the scoring template is an xlsx file; leave out --format or give xlsx"))
        if not template and format is None:
            raise CommandError(_("give --format csv, xlsx or json"))
        framework = framework_get(framework)
        try:
            data = scoring_template_xlsx(framework) if template else WRITERS[format](framework)
        except ScoringInputError as error:
            raise problems_error(error.messages) from error
        if output:
            try:
                Path(output).write_bytes(data)
            except OSError as error:
                raise CommandError(f"{output}: {error.strerror}") from error
        else:
            self._write_stdout(data, binary=template or format == "xlsx")

    def _write_stdout(self, data: bytes, *, binary: bool) -> None:
        """Bytes as they are to a real standard output; text through ``self.stdout``
        when a caller replaced it with a text stream. A workbook is never sent to
        a terminal, where it would only garble the screen."""
        buffer = getattr(self.stdout, "buffer", None)  # OutputWrapper passes it on from the stream it wraps
        if binary and (buffer is None or self.stdout.isatty()):
            raise CommandError(_("an xlsx file is binary: give -o FILE or redirect the output"))
        if buffer is None:
            self.stdout.write(data.decode(), ending="")
        else:
            self.stdout.flush()
            buffer.write(data)
            buffer.flush()
