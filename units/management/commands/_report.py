"""Shared output of the unit commands."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from units.services import UnitChanges


def problems_error(messages) -> CommandError:
    """Every problem on standard error, then a non-zero exit."""
    return CommandError("\n" + "\n".join(f"  {message}" for message in messages))


def changes_summary(changes: UnitChanges, *, dry_run: bool) -> str:
    summary = _(
        "%(created)s units created, %(updated)s updated, %(unchanged)s unchanged; "
        "%(links_created)s lineage links created, %(links_updated)s updated"
    ) % {
        "created": len(changes.created),
        "updated": len(changes.updated),
        "unchanged": changes.unchanged,
        "links_created": changes.links_created,
        "links_updated": changes.links_updated,
    }
    return _("Dry run, nothing written: %(summary)s") % {"summary": summary} if dry_run else summary
