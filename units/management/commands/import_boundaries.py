"""Import the units' outlines for the public maps from a GeoJSON FeatureCollection
(e.g. a CC BY boundary set), each feature keyed to a unit by a property holding its
code. All or nothing: every bad feature is named, and then nothing is written."""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cchc_portal.commands import problems_error
from units.services import UnitInputError, boundaries_import


class Command(BaseCommand):
    help = _("Import the units' outlines for the maps from a GeoJSON file, keyed by unit code.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("a GeoJSON FeatureCollection of Polygon or MultiPolygon features"))
        parser.add_argument("--key", default="code", help=_("the feature property holding the unit code"))
        parser.add_argument("--source", default="", help=_("where the outlines come from, and their licence"))
        parser.add_argument(
            "--on",
            type=date.fromisoformat,
            help=_("YYYY-MM-DD: a reused code means the unit holding it on this day (today by default)"),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("report what would change, write nothing"))

    def handle(self, *args, file, key, source, on=None, dry_run=False, **options):
        path = Path(file)
        size = path.stat().st_size if path.is_file() else None
        if size is None:
            raise CommandError(_("%(file)s: no such file") % {"file": file})
        if size > settings.BOUNDARIES_MAX_BYTES:
            raise CommandError(
                _("%(file)s is %(size)s MB; at most %(limit)s MB of outlines are read")
                % {
                    "file": file,
                    "size": number_format(size / 2**20, 1),
                    "limit": number_format(settings.BOUNDARIES_MAX_BYTES / 2**20, 0),
                }
            )
        try:
            collection = json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise CommandError(_("%(file)s is not JSON: %(error)s") % {"file": file, "error": error}) from error
        try:
            changes = boundaries_import(
                collection=collection, key=key, source=source or path.name, on=on, dry_run=dry_run
            )
        except UnitInputError as error:
            raise problems_error(error.messages) from error
        message = _("%(created)s outlines created, %(updated)s replaced") % {
            "created": changes.created,
            "updated": changes.updated,
        }
        self.stdout.write(message + (" " + _("(dry run: nothing written)") if dry_run else ""))
