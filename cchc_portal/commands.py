"""What every app's commands share: problems on standard error and a progress bar."""

import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def problems_error(messages) -> CommandError:
    """Every problem on standard error, then a non-zero exit."""
    return CommandError("\n" + "\n".join(f"  {message}" for message in messages))


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
