"""The workspace's forms: the framework editor's, with the text formats of their
fields (the criteria typed one a line, ``code;name;max[;kind[;component]]``, and
the bands, ``label;lower bound``, parsed into what the services take and written
back); the workflow's (send for review, publish, send back); a grid's reason; the
scores file uploaded back."""

from collections.abc import Mapping
from datetime import datetime, time
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format, get_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assessments.models import DEADLINE_FIELDS
from assessments.services import Deadlines
from scoring import services
from scoring.forms import import_reason_field, import_reason_problem, import_upload_checked, note_field, sheet_field
from scoring.models import DEFAULT_BAND_SCHEME, Band, BandScheme, Criterion, Framework, Index, participant_parents
from scoring.services.common import HUNDRED, amount_problem
from scoring.services.framework_edits import band_label_clean
from scoring.spreadsheets.imports import CRITERION_COMPONENTS, CRITERION_KINDS, code_like, criteria_from_file
from scoring.spreadsheets.reader import TableError, Upload, header_key, parse_number
from staff.access import NATIONAL, Access, Action
from units.models import Unit

CRITERIA_FILE_MAX_BYTES = 2**20  # a criteria tree of a few hundred rows is a few kilobytes
_FIELDS_PER_LINE = (3, 5)  # code;name;max, then optionally ;kind and ;component


def _label(model, field: str):
    """A form field's label: the model field's (lazy) name, as the admin shows it."""
    return capfirst(model._meta.get_field(field).verbose_name)


# --- the criteria as typed -------------------------------------------------


def criteria_from_text(text: str) -> tuple[list[services.CriterionSpec], list[str]]:
    """The criteria typed one a line as ``code;name;max[;kind[;component]]`` (a
    tab separates too, as a spreadsheet's cells pasted), and every problem,
    naming its line. Blank lines are skipped; a maximum may have a decimal
    comma or dot ("14,50"); kind and component take the words of a criteria
    file (thường, điểm cộng, điểm trừ; thẩm định, điều tra xã hội học) or the
    English ones. The tree itself (parents, sums of maxima) is the service's
    to check."""
    lines = text.splitlines()
    if (problem := services.criteria_count_problem(sum(1 for line in lines if line.strip()))) is not None:
        return [], [problem]
    specs, errors = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";" if ";" in line else "\t")]
        values = {"line": number}
        if not _FIELDS_PER_LINE[0] <= len(parts) <= _FIELDS_PER_LINE[1]:
            errors.append(
                _("line %(line)s: write code;name;maximum, optionally followed by ;kind and ;component") % values
            )
            continue
        raw_code, name, raw_max, raw_kind, raw_component = (*parts, "", "")[:5]
        line_errors = []
        code = code_like(raw_code)
        if code is None:
            line_errors.append(
                _("line %(line)s: %(value)s is not a criterion code such as 1, 1.2 or 1.2.3")
                % {**values, "value": raw_code or '""'}
            )
        if not name:
            line_errors.append(_("line %(line)s: the name is empty") % values)
        try:
            max_points = parse_number(raw_max)
        except ValueError:
            line_errors.append(_("line %(line)s: maximum %(value)s is not a number") % {**values, "value": raw_max})
        kind = CRITERION_KINDS.get(header_key(raw_kind))
        if kind is None:
            line_errors.append(
                _("line %(line)s: %(value)s is not a kind of criterion (normal, bonus, penalty)")
                % {**values, "value": raw_kind}
            )
        component = CRITERION_COMPONENTS.get(header_key(raw_component))
        if component is None:
            line_errors.append(
                _("line %(line)s: %(value)s is not a component (appraisal, survey)")
                % {**values, "value": raw_component}
            )
        if line_errors:
            errors += line_errors
        else:
            specs.append(services.CriterionSpec(code, name, max_points, kind, component))
    return specs, errors


def criteria_as_text(framework: Framework) -> str:
    """The framework's criteria in the editor's format, the kind and component
    written only where they are not the usual ones, the maxima with this
    language's decimal mark."""
    decimal_mark = get_format("DECIMAL_SEPARATOR")
    lines = []
    for criterion in framework.criteria.order_by("order", "code"):
        fields = [criterion.code, criterion.name, str(criterion.max_points).replace(".", decimal_mark)]
        if criterion.component != criterion.Component.APPRAISAL:
            fields += [criterion.kind, criterion.component]
        elif criterion.kind != criterion.Kind.NORMAL:
            fields.append(criterion.kind)
        lines.append(";".join(fields))
    return "\n".join(lines)


_CRITERIA_HELP = gettext_lazy(
    "One criterion a line: code;name;maximum, optionally ;kind (normal, bonus, penalty) and ;component "
    "(appraisal, survey). A parent's maximum is the sum of its children's. Example: 1;Công tác chỉ đạo;14,50"
)


def _criteria_field(required: bool) -> forms.CharField:
    return forms.CharField(
        label=capfirst(Criterion._meta.verbose_name_plural),
        help_text=_CRITERIA_HELP,
        required=required,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80, "spellcheck": "false"}),
    )


def _block_name_field() -> forms.CharField:
    return forms.CharField(
        label=_label(Framework, "block_name"),
        required=False,
        max_length=200,
        help_text=Framework._meta.get_field("block_name").help_text,
    )


# --- the bands as typed ---------------------------------------------------


def bands_from_text(text: str) -> tuple[list[tuple[str, Decimal]], list[str]]:
    """The bands typed one a line as ``label;lower bound`` (a tab separates too),
    and every problem, naming its line: an empty or too long label, a bound
    that is not a number in 0..100 with at most 2 decimals (a decimal comma or
    dot: "70,5"), a label or a bound already on an earlier line. Blank lines
    are skipped. No bound of 0 is required: an index below every bound gets
    no band, as in the national scheme (DESIGN §3 rule 6)."""
    bands, errors = [], []
    label_lines, bound_lines = {}, {}
    max_length = Band._meta.get_field("label").max_length
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";" if ";" in line else "\t")]
        values = {"line": number}
        if len(parts) != 2:
            errors.append(_("line %(line)s: write label;lower bound") % values)
            continue
        label, raw_bound = band_label_clean(parts[0]), parts[1]
        line_errors = []
        if not label:
            line_errors.append(_("line %(line)s: the label is empty") % values)
        elif len(label) > max_length:
            line_errors.append(
                _("line %(line)s: the label is longer than %(max)s characters") % {**values, "max": max_length}
            )
        elif label in label_lines:
            line_errors.append(
                _("line %(line)s: the label %(label)s is also on line %(first)s")
                % {**values, "label": label, "first": label_lines[label]}
            )
        try:
            lower_bound = parse_number(raw_bound)
        except ValueError:
            lower_bound = raw_bound or '""'
        problem = amount_problem(_("line %(line)s: lower bound") % values, lower_bound, HUNDRED)
        if problem is not None:
            line_errors.append(problem)
        elif lower_bound in bound_lines:
            line_errors.append(
                _("line %(line)s: the lower bound %(value)s is also on line %(first)s")
                % {**values, "value": raw_bound, "first": bound_lines[lower_bound]}
            )
        label_lines.setdefault(label, number)
        if not isinstance(lower_bound, str):
            bound_lines.setdefault(lower_bound, number)
        if line_errors:
            errors += line_errors
        else:
            bands.append((label, lower_bound))
    return bands, errors


def _bound_as_text(lower_bound: Decimal) -> str:
    """90.00 as "90", 70.50 as "70,5" on a Vietnamese page: as a person types it."""
    return f"{lower_bound.normalize():f}".replace(".", get_format("DECIMAL_SEPARATOR"))


def bands_as_text(bands) -> str:
    """Bands (highest first) in the editor's format, one ``label;lower bound`` a line."""
    return "\n".join(f"{band.label};{_bound_as_text(band.lower_bound)}" for band in bands)


class BandsForm(forms.Form):
    bands_text = forms.CharField(
        label=capfirst(Band._meta.verbose_name_plural),
        help_text=gettext_lazy(
            "One band a line: label;lower bound, a number from 0 to 100 (decimal comma allowed). An index gets "
            "the band with the highest lower bound it reaches; an index below every lower bound gets no band, "
            "so end with a band at 0 unless that is meant. Example: Xuất sắc;90 … Yếu;0"
        ),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 40, "spellcheck": "false"}),
    )

    def clean_bands_text(self):
        bands, errors = bands_from_text(self.cleaned_data["bands_text"])
        if errors:
            raise forms.ValidationError(errors)
        if not bands:
            raise forms.ValidationError(_("Type at least one band: label;lower bound."))
        self.cleaned_data["bands"] = bands
        return self.cleaned_data["bands_text"]


# --- a new framework -------------------------------------------------------


def _month_field(help_text=None) -> forms.IntegerField:
    """A monthly round's month (1–12); blank for a yearly round."""
    return forms.IntegerField(
        label=_label(Framework, "month"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=help_text or gettext_lazy("Only for a monthly index, such as the 766 service index; else blank."),
    )


class NewFrameworkForm(forms.Form):
    index = forms.ModelChoiceField(label=_label(Framework, "index"), queryset=Index.objects.all(), empty_label=None)
    year = forms.IntegerField(label=_label(Framework, "year"), min_value=2000, max_value=2100)
    month = _month_field()
    scope = forms.ChoiceField(label=_label(Framework, "scope"))
    block = forms.ChoiceField(label=_label(Framework, "block"), choices=Framework.Block.choices)
    block_name = _block_name_field()
    name = forms.CharField(label=_label(Framework, "name"), max_length=300)
    name_en = forms.CharField(
        label=_label(Framework, "name_en"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Optional: shown on English pages; all English names can be set later too."),
    )
    band_scheme = forms.ModelChoiceField(
        label=_label(Framework, "band_scheme"), queryset=BandScheme.objects.all(), empty_label=None
    )
    mode = forms.ChoiceField(label=_label(Framework, "mode"), choices=Framework.Mode.choices)
    criteria_text = _criteria_field(required=False)
    criteria_file = forms.FileField(
        label=gettext_lazy("or a criteria file"),
        required=False,
        help_text=gettext_lazy(
            "xlsx, ods or csv with the columns Mã tiêu chí, Tiêu chí, Điểm tối đa, optionally Tên tiếng Anh (the "
            "English name); at most 1 MB."
        ),
    )

    def __init__(self, *args, scopes: Mapping[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes = scopes
        self.fields["scope"].choices = list(scopes.items())
        self.fields["band_scheme"].initial = BandScheme.objects.filter(name=DEFAULT_BAND_SCHEME).first()

    def clean_scope(self):
        # The choices already hold only the user's scopes; say so in the user's terms anyway.
        scope = self.cleaned_data["scope"]
        if scope not in self.scopes:
            raise forms.ValidationError(_("You do not edit the frameworks of scope %(scope)s.") % {"scope": scope})
        return scope

    def clean(self):
        cleaned = super().clean()
        text, upload = cleaned.get("criteria_text", ""), cleaned.get("criteria_file")
        if text.strip() and upload:
            raise forms.ValidationError(_("Give the criteria either typed or as a file, not both."))
        if upload:
            cleaned["criteria"] = self._criteria_read(upload)
        elif text.strip():
            specs, errors = criteria_from_text(text)
            if errors:
                self.add_error("criteria_text", errors)
            cleaned["criteria"] = specs
        else:
            self.add_error("criteria_text", _("Type the criteria, or choose a criteria file."))
        return cleaned

    def _criteria_read(self, upload) -> list[services.CriterionSpec]:
        if upload.size > CRITERIA_FILE_MAX_BYTES:
            self.add_error(
                "criteria_file",
                _("%(file)s is larger than %(limit)s KB.")
                % {"file": upload.name, "limit": CRITERIA_FILE_MAX_BYTES // 1024},
            )
            return []
        try:
            return criteria_from_file(Upload(upload.name, upload.read()))
        except TableError as error:
            self.add_error("criteria_file", error.messages)
            return []


class CopyForm(forms.Form):
    source = forms.ModelChoiceField(label=gettext_lazy("Copy from"), queryset=Framework.objects.none())
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    month = _month_field(help_text=gettext_lazy("For a monthly series; blank: the source's month."))
    name = forms.CharField(
        label=_label(Framework, "name"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Blank: the source's name with the new year (or month)."),
    )

    def __init__(self, *args, access: Access, scopes: Mapping[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes = scopes
        self.fields["source"].queryset = access.frameworks(Action.VIEW).order_by("-year", "-month", "scope", "block")
        self.fields["source"].label_from_instance = lambda framework: f"{framework.name} ({framework.slug})"

    def clean_source(self):
        source = self.cleaned_data["source"]
        if source.scope not in self.scopes:
            raise forms.ValidationError(
                _("You may read this framework but not create frameworks of its scope (%(scope)s).")
                % {"scope": source.scope}
            )
        return source


# --- editing a draft -------------------------------------------------------


class DetailsForm(forms.Form):
    name = forms.CharField(label=_label(Framework, "name"), max_length=300)
    block_name = _block_name_field()
    band_scheme = forms.ModelChoiceField(
        label=_label(Framework, "band_scheme"), queryset=BandScheme.objects.all(), empty_label=None
    )


class EnglishNamesForm(forms.Form):
    """The English names of a framework, its source, its bands and its criteria:
    a box beside each Vietnamese name, bands and criteria in their order."""

    name_en = forms.CharField(label=_label(Framework, "name_en"), required=False, max_length=300)
    source_note_en = forms.CharField(
        label=_label(Framework, "source_note_en"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, bands, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.bands = [
            (band, self._box(f"band-{band.pk}", band.label, band.label_en, Band, "label_en")) for band in bands
        ]
        self.criteria = [
            (criterion, self._box(f"criterion-{criterion.pk}", criterion.name, criterion.name_en, Criterion, "name_en"))
            for criterion in criteria
        ]

    def _box(self, name: str, label: str, initial: str, model, field: str) -> str:
        self.fields[name] = forms.CharField(
            label=label, required=False, max_length=model._meta.get_field(field).max_length
        )
        self.initial.setdefault(name, initial)
        return name

    @property
    def band_boxes(self):
        return [(band, self[name]) for band, name in self.bands]

    @property
    def criterion_boxes(self):
        return [(criterion, self[name]) for criterion, name in self.criteria]

    def names(self) -> tuple[dict[str, str], dict[str, str]]:
        """The English names typed: (band label -> label, criterion code -> name)."""
        return (
            {band.label: self.cleaned_data[name] for band, name in self.bands},
            {criterion.code: self.cleaned_data[name] for criterion, name in self.criteria},
        )


class CriteriaForm(forms.Form):
    criteria_text = _criteria_field(required=True)

    def clean_criteria_text(self):
        specs, errors = criteria_from_text(self.cleaned_data["criteria_text"])
        if errors:
            raise forms.ValidationError(errors)
        if not specs:
            raise forms.ValidationError(_("Type the criteria, or choose a criteria file."))
        self.cleaned_data["criteria"] = specs
        return self.cleaned_data["criteria_text"]


class ParticipantsForm(forms.Form):
    ADD, REPLACE = "add", "replace"

    kind = forms.ChoiceField(label=gettext_lazy("Kind of unit"), choices=Unit.Kind.choices)
    parent = forms.ModelChoiceField(label=_label(Unit, "parent"), queryset=Unit.objects.none())
    in_force = forms.BooleanField(required=False)  # labelled with the round's last day
    how = forms.ChoiceField(
        label=gettext_lazy("What to do"),
        choices=[
            (ADD, gettext_lazy("Add them to the participants")),
            (REPLACE, gettext_lazy("Replace the participants")),
        ],
        widget=forms.RadioSelect,
        initial=ADD,
    )

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        parent = self.fields["parent"]
        parent.queryset = participant_parents(framework)
        parent.label_from_instance = lambda unit: f"{unit.code} · {unit.name}"
        if framework.scope == NATIONAL:
            parent.required = False
            parent.empty_label = _("none: units without a parent (provinces, ministries)")
        self.fields["in_force"].initial = True
        self.fields["in_force"].label = _("Only units in force on %(date)s (the end of the period assessed)") % {
            "date": date_format(framework.reference_date, "SHORT_DATE_FORMAT")
        }

    def units(self) -> QuerySet:
        """The units the valid form chooses."""
        data = self.cleaned_data
        units = Unit.objects.filter(kind=data["kind"])
        units = units.filter(parent=data["parent"]) if data["parent"] else units.filter(parent__isnull=True)
        if data["in_force"]:
            units = units.valid_on(self.framework.reference_date)
        return units


class RemoveForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = framework.participants.all()


class ScoresUploadForm(forms.Form):
    """A scores file uploaded in the workspace: the scoring sheet filled in, or
    any file the admin's import reads."""

    file = forms.FileField(
        label=gettext_lazy("File (xlsx, ods or csv)"),
        help_text=gettext_lazy("The scoring sheet downloaded above, or a file in the long layout."),
    )
    sheet = sheet_field()
    reason = import_reason_field()

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework

    def clean_file(self):
        return import_upload_checked(self.cleaned_data["file"])

    def clean(self):
        cleaned = super().clean()
        if problem := import_reason_problem(self.framework, cleaned.get("reason", "")):
            self.add_error("reason", problem)
        return cleaned


# --- the workflow and the grids --------------------------------------------


class NoteForm(forms.Form):
    note = note_field(gettext_lazy("Why"), required_message=gettext_lazy("Say why the framework goes back to draft."))


def _blank_cells(missing: int) -> str:
    return ngettext("%(count)s cell is not entered", "%(count)s cells are not entered", missing) % {
        "count": number_format(missing, force_grouping=True)
    }


class SubmitForm(forms.Form):
    """Sending for review: with cells not entered, only once the sender confirms it,
    the form naming how many (they count 0 against the full maximum)."""

    confirm_blank = forms.BooleanField(required=False)

    def __init__(self, *args, missing: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.missing = missing
        self.fields["confirm_blank"].label = _("Send for review although %(cells)s (each counts 0)") % {
            "cells": _blank_cells(missing)
        }

    def clean(self):
        if self.missing and not self.cleaned_data.get("confirm_blank"):
            raise forms.ValidationError(
                _("%(cells)s: tick the box to send the framework for review anyway.")
                % {"cells": capfirst(_blank_cells(self.missing))}
            )
        return self.cleaned_data


class PublishForm(forms.Form):
    decision_number = forms.CharField(label=gettext_lazy("Decision number"), max_length=100)
    # A text box in the page's language (29/03/2023 in Vietnamese), not the browser's date picker,
    # whose format follows the browser's locale.
    decision_date = forms.DateField(
        label=gettext_lazy("Decision date"),
        widget=forms.DateInput(attrs={"placeholder": gettext_lazy("yyyy-mm-dd"), "autocomplete": "off"}),
    )
    signer = forms.CharField(label=gettext_lazy("Signing body"), max_length=200, required=False)
    confirm = forms.BooleanField(
        error_messages={"required": gettext_lazy("Publishing is a public, official act: tick the box to confirm it.")}
    )

    def __init__(self, *args, missing: int, **kwargs):
        super().__init__(*args, **kwargs)
        label = _("I confirm publishing this ranking: it becomes public and official")
        if missing:
            label += " " + _("although %(cells)s (each counts 0)") % {"cells": _blank_cells(missing)}
        self.fields["confirm"].label = label


class ReasonForm(forms.Form):
    reason = note_field(gettext_lazy("Reason for the correction"), required=False)


# --- the assessment round -----------------------------------------------------


def _deadline_field(label) -> forms.DateField:
    """A phase's last day, typed in the page's language (29/03/2026 in Vietnamese)."""
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"placeholder": gettext_lazy("yyyy-mm-dd"), "autocomplete": "off"})
    )


def day_end(day) -> datetime:
    """The end of ``day`` in the portal's time zone: a deadline "on 29/3" lasts the whole day."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class RoundForm(forms.Form):
    """The deadlines of a round's phases, each the last day of its phase."""

    self_assessment = _deadline_field(gettext_lazy("Self-assessment until"))
    appraisal = _deadline_field(gettext_lazy("Appraisal until"))
    explanation = _deadline_field(gettext_lazy("Explanation until"))
    finalisation = _deadline_field(gettext_lazy("Final scores until"))

    def deadlines(self) -> Deadlines:
        data = self.cleaned_data
        return Deadlines(
            *(day_end(data[name]) for name in ("self_assessment", "appraisal", "explanation", "finalisation"))
        )

    @classmethod
    def of(cls, round_) -> "RoundForm":
        """The form showing ``round_``'s deadlines."""
        local = {field: timezone.localtime(getattr(round_, field)).date() for field in DEADLINE_FIELDS.values()}
        names = ("self_assessment", "appraisal", "explanation", "finalisation")
        return cls(initial=dict(zip(names, local.values(), strict=True)))


class ReopenForm(forms.Form):
    """One unit's work reopened for the round's current phase, until a day, with a reason."""

    until = _deadline_field(gettext_lazy("Reopen until"))
    reason = note_field(gettext_lazy("Why"), required_message=gettext_lazy("Say why the unit's work is reopened."))
