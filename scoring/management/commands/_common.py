"""What the scoring commands share: their framework argument, problems on
standard error, and a progress bar."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from cchc_portal.tables import TableError
from scoring.models import Framework
from scoring.services import ScoringInputError
from units.management.commands._report import problems_error

__all__ = ["ProgressBar", "add_import_arguments", "file_problems", "framework_get", "problems_error", "source_of"]


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


class ProgressBar:
    """``progress(done, total)`` drawn with tqdm on standard error when it is a
    terminal, silent otherwise (logs and tests)."""

    def __init__(self, label: str, stream=None):
        self.label, self.stream, self.bar = label, stream or sys.stderr, None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.label, unit=_("rows"), file=self.stream, disable=None)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
