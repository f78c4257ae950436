"""What the scoring commands share: their file and framework arguments, and a
file's problems as the command's error."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from cchc_portal.commands import problems_error
from scoring.models import Framework
from scoring.services import ScoringInputError
from scoring.spreadsheets.reader import TableError

__all__ = ["add_import_arguments", "file_problems", "framework_get", "source_of"]


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
