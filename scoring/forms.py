"""Form fields the admin and the staff workspace share."""

from django import forms
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
