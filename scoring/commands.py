"""What the scoring commands share: their file and framework arguments, a file's
problems as the command's error, and the import of a file through the admin's path."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from cchc_portal.commands import problems_error
from scoring.models import Framework
from scoring.services import ScoringInputError
from scoring.spreadsheets.previews import import_file
from scoring.spreadsheets.reader import TableError

__all__ = ["add_import_arguments", "file_import", "file_problems", "framework_get", "source_of"]


def add_import_arguments(parser) -> None:
    """The arguments of the commands that import a file into a framework."""
    parser.add_argument("file")
    parser.add_argument("--framework", required=True, metavar="SLUG")
    parser.add_argument("--sheet", help=_("the sheet to read (default: the first)"))
    parser.add_argument("--reason", default="", help=_("why: required to correct a published framework"))
    parser.add_argument("--dry-run", action="store_true", help=_("check and report what would change, write nothing"))


def framework_get(slug: str) -> Framework:
    try:
        return Framework.objects.select_related("index").get(slug=slug)
    except Framework.DoesNotExist:
        raise CommandError(_("no framework %(slug)s") % {"slug": slug}) from None


@contextmanager
def file_problems(file: str) -> Iterator[None]:
    """Every problem of reading or checking ``file`` as the command's error."""
    try:
        yield
    except (TableError, ScoringInputError) as error:
        raise problems_error(error.messages) from error
    except OSError as error:
        raise problems_error([f"{file}: {error.strerror}"]) from error


def source_of(command: str, path: str) -> str:
    """What a revision records as its source: the command and the file's name."""
    return f"{command} {Path(path).name}"


def file_import(command: str, kind: str, *, file: str, framework: str, dry_run: bool, **options) -> str:
    """Import ``file`` into the framework ``framework`` (a slug) as ``kind`` (scores or
    results) through ``previews.import_file``, the admin's path; the summary to print.
    ``options``: ``import_file``'s (sheet, reason, progress)."""
    with file_problems(file):
        preview = import_file(
            kind,
            framework=framework_get(framework),
            source=file,
            dry_run=dry_run,
            origin=source_of(command, file),
            shown_rows=0,  # a command prints the summary only
            **options,
        )
    if preview.problems:
        raise problems_error(preview.problems)
    return _("Dry run, nothing written: %(summary)s") % {"summary": preview.summary} if dry_run else preview.summary
