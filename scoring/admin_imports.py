"""Imports in the admin with django-import-export: upload → preview (the changes
row by row, or every problem) → confirm. Its views, forms and temporary storage
carry the file; reading, checking and writing are ``scoring.spreadsheets.previews`` (the
commands' readers and services), so a file is judged the same everywhere.

A file larger than ``IMPORT_BACKGROUND_BYTES`` becomes an ``ImportJob``: checked
and then imported by background tasks, with a status page showing progress,
the preview and the result."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.admin import ImportMixin
from import_export.formats.base_formats import Format
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Result

from scoring.forms import import_reason_field, import_reason_problem, import_upload_checked, sheet_field
from scoring.models import Framework, ImportJob
from scoring.spreadsheets.previews import RESULTS, SCORES, Preview, import_file
from scoring.spreadsheets.reader import Upload
from scoring.tasks import import_job_start


class SpreadsheetFormat(Format):
    """xlsx, ods or csv, told apart by the file's name and checked against its
    content by the reader (``scoring.spreadsheets.reader.grid``)."""

    def __init__(self, encoding=None):
        self.encoding = encoding

    def get_title(self):
        return "xlsx, ods, csv"

    def create_dataset(self, in_stream):
        return Upload("", in_stream)  # named by the resource, which is given the file's name

    def can_import(self):
        return True


class PreviewResult(Result):
    """django-import-export's result of an import, holding our preview."""

    def __init__(self, preview: Preview):
        super().__init__()
        self.preview = preview

    def has_errors(self):
        return bool(self.preview.problems)


class FrameworkFileResource(resources.Resource):
    """A file of one kind (scores or published results) for one framework."""

    kind = ""

    def __init__(self, framework: Framework | None = None, sheet: str = "", reason: str = ""):
        super().__init__()
        self.framework, self.sheet, self.reason = framework, sheet, reason

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        upload = Upload(kwargs.get("file_name") or "", dataset.data)
        preview = import_file(
            self.kind,
            framework=self.framework,
            source=upload,
            sheet=self.sheet or None,
            user=kwargs.get("user"),
            reason=self.reason,
            dry_run=dry_run,
        )
        return PreviewResult(preview)


class ScoresResource(FrameworkFileResource):
    kind = SCORES

    @classmethod
    def get_display_name(cls):
        return _("Scores")


class ResultsResource(FrameworkFileResource):
    kind = RESULTS

    @classmethod
    def get_display_name(cls):
        return _("Published results")


_MODES = {SCORES: Framework.Mode.COMPUTED, RESULTS: Framework.Mode.PUBLISHED}


class FrameworkImportForm(ImportForm):
    framework = forms.ModelChoiceField(queryset=Framework.objects.none(), label=gettext_lazy("Framework"))
    sheet = sheet_field()
    reason = import_reason_field()
    field_order = ["framework", "import_file", "sheet", "reason", "format", "resource"]

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["framework"].queryset = Framework.objects.filter(mode=_MODES[resources[0].kind]).select_related(
            "publication"
        )
        self.fields["import_file"].label = _("File (xlsx, ods or csv)")
        self.fields["format"].label = _("Format")

    def clean_import_file(self):
        return import_upload_checked(self.cleaned_data["import_file"])

    def clean(self):
        cleaned = super().clean()
        if problem := import_reason_problem(cleaned.get("framework"), cleaned.get("reason", "")):
            self.add_error("reason", problem)
        return cleaned


class FrameworkConfirmForm(ConfirmImportForm):
    framework = forms.ModelChoiceField(queryset=Framework.objects.all(), widget=forms.HiddenInput())
    sheet = forms.CharField(required=False, widget=forms.HiddenInput())
    reason = forms.CharField(required=False, widget=forms.HiddenInput())


class FrameworkImportMixin(ImportMixin):
    """The admin's import of a framework's file (``resource_classes`` names the kind)."""

    import_form_class = FrameworkImportForm
    confirm_form_class = FrameworkConfirmForm
    import_template_name = "admin/scoring/import.html"
    formats = [SpreadsheetFormat]
    import_formats = [SpreadsheetFormat]

    def get_context_data(self, **kwargs):
        return {
            "import_limit_mb": number_format(settings.IMPORT_MAX_BYTES / 2**20, 0),
            "background_kb": number_format(settings.IMPORT_BACKGROUND_BYTES / 2**10, 0),
        }

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        if form is None or not form.is_bound or not form.is_valid():
            return {}
        data = form.cleaned_data
        return {"framework": data["framework"], "sheet": data.get("sheet", ""), "reason": data.get("reason", "")}

    def get_import_data_kwargs(self, **kwargs):
        return {}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            data = import_form.cleaned_data
            initial.update(framework=data["framework"].pk, sheet=data.get("sheet", ""), reason=data.get("reason", ""))
        return initial

    def import_action(self, request, **kwargs):
        """Small files as django-import-export does them; a large one becomes a
        background job, and the browser goes to its status page."""
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid() and form.cleaned_data["import_file"].size > settings.IMPORT_BACKGROUND_BYTES:
                job = self.import_job_create(request, form)
                return HttpResponseRedirect(reverse("admin:scoring_importjob_change", args=[job.pk]))
        return super().import_action(request, **kwargs)

    def import_job_create(self, request, form) -> ImportJob:
        data = form.cleaned_data
        return import_job_start(
            kind=self.get_import_resource_classes(request)[0].kind,
            framework=data["framework"],
            upload=data["import_file"],
            sheet=data.get("sheet", ""),
            reason=data.get("reason", ""),
            user=request.user,
        )

    def add_success_message(self, result, request):
        preview = result.preview
        if preview.rows_changed:
            messages.success(request, _("Imported: %(summary)s.") % {"summary": preview.summary})
        else:
            messages.info(request, _("Nothing changed: the stored figures already match the file."))
