"""The upload of a statistics file, as the admin and the staff workspace take it."""

from django import forms
from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.services import statistics_import
from dossiers.spreadsheets import statistics_from_file
from scoring.forms import import_upload_checked, sheet_field
from scoring.spreadsheets.reader import TableError, Upload


class StatisticsUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "xlsx, ods or csv: Mã đơn vị or Tên đơn vị, Kỳ (2019, Quý IV/2019, 12/2019), optionally Cấp, then any "
            "counts (Tiếp nhận, Trước hạn, Đúng hạn, Trễ hạn, Đang giải quyết, Quá hạn, Trực tuyến một phần, Trực "
            "tuyến toàn trình, …), published rates and Nguồn."
        ),
        validators=[import_upload_checked],
    )
    sheet = sheet_field()
    dry_run = forms.BooleanField(label=gettext_lazy("Check only, write nothing"), required=False, initial=True)

    def import_file(self, request, *, source: str, writable=None) -> bool:
        """Read and import the valid form's file (only check it when ``dry_run``),
        every problem put on the form and the summary told as a message;
        whether anything was written. ``writable``: as ``statistics_from_file``."""
        upload, dry_run = self.cleaned_data["file"], self.cleaned_data["dry_run"]
        try:
            rows = statistics_from_file(
                Upload(upload.name, b"".join(upload.chunks())),
                sheet=self.cleaned_data["sheet"] or None,
                writable=writable,
            )
            result = statistics_import(rows=rows, user=request.user, source=source, dry_run=dry_run)
        except TableError as error:
            for message in error.messages:
                self.add_error(None, message)
            return False
        if dry_run:
            messages.info(request, _("Checked, nothing written: %(summary)s") % {"summary": result.summary})
            return False
        messages.success(request, result.summary)
        return True
