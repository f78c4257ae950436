from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dossiers.services import statistics_import
from dossiers.spreadsheets import statistics_from_file
from scoring.commands import file_problems, source_of


class Command(BaseCommand):
    help = _(
        "Import dossier (TTHC) statistics per unit and period (DESIGN §10): unit code or name, Kỳ (2019, "
        "2019-Q4, 12/2019), then any counts (Tiếp nhận, Trước hạn, Đúng hạn, Trễ hạn, Đang giải quyết, Quá hạn, "
        "Trực tuyến một phần, Trực tuyến toàn trình, Thanh toán trực tuyến, Bưu chính công ích, Liên thông, Thư "
        "xin lỗi…). A file with any bad row writes nothing; the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--sheet", help=_("the sheet to read (default: the first)"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check and report what would change, write nothing")
        )

    def handle(self, *args, file, sheet=None, dry_run=False, **options):
        with file_problems(file):
            rows = statistics_from_file(file, sheet=sheet)
            result = statistics_import(rows=rows, source=source_of("import_statistics", file), dry_run=dry_run)
        summary = result.summary
        self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary} if dry_run else summary)
