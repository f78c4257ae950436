from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cchc_portal.commands import problems_error
from scoring.spreadsheets.reader import TableError
from scoring.spreadsheets.units import unit_rows_from_file
from units.services import UnitInputError, units_upsert


class Command(BaseCommand):
    help = _(
        "Create or correct units from a spreadsheet (xlsx, ods, csv) with the columns Mã/code, Tên/name, "
        "Loại/kind and optionally Mã cấp trên/parent_code, valid_from, valid_to, predecessor_codes. A file with "
        "any bad row writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--sheet", help=_("the sheet to read (default: the first)"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check and report what would change, write nothing")
        )

    def handle(self, *args, file, sheet=None, dry_run=False, **options):
        try:
            rows = unit_rows_from_file(file, sheet=sheet)
            changes = units_upsert(rows=rows, dry_run=dry_run)
        except (TableError, UnitInputError) as error:
            raise problems_error(error.messages) from error
        except OSError as error:
            raise problems_error([f"{file}: {error.strerror}"]) from error
        self.stdout.write(changes.summary(dry_run=dry_run))
