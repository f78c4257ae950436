"""Form fields the admin and the staff workspace share."""

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The most characters of a reason or a note (a correction's reason, a send-back note).
NOTE_MAX_LENGTH = 2000


def note_field(label, *, required: bool = True, required_message=None, help_text="") -> forms.CharField:
    """A reason or a note of at most ``NOTE_MAX_LENGTH`` characters: a longer one is
    refused with the limit named, never cut or dropped, and the form shows it again."""
    errors = {"max_length": gettext_lazy("At most %(limit_value)d characters: this text has %(show_value)d.")}
    if required_message:
        errors["required"] = required_message
    return forms.CharField(
        label=label,
        required=required,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=errors,
        help_text=help_text,
    )


def import_upload_checked(upload):
    """A spreadsheet uploaded to import (the admin's, the workspace's): refused
    above ``IMPORT_MAX_BYTES``, naming its size and the limit."""
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise forms.ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": number_format(upload.size / 2**20, 1),
                "limit": number_format(settings.IMPORT_MAX_BYTES / 2**20, 0),
            }
        )
    return upload


def sheet_field() -> forms.CharField:
    """Which sheet of an uploaded workbook to read (the first when empty)."""
    return forms.CharField(
        label=gettext_lazy("Sheet"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("The sheet to read; the first when empty."),
    )


def import_reason_field() -> forms.CharField:
    """Why an import changes a framework: required when it corrects a published one
    (``import_reason_problem``)."""
    return note_field(
        gettext_lazy("Reason for the change"),
        required=False,
        help_text=gettext_lazy("Required to correct a published framework."),
    )


def import_reason_problem(framework, reason: str) -> str | None:
    """Why an import into ``framework`` with ``reason`` is refused: a published framework is corrected with a reason."""
    if framework is not None and framework.is_published and not reason.strip():
        return _("This framework is published: say why it is corrected.")
    return None
