"""Site-wide template helpers."""

from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context, language_code: str) -> str:
    """The current page (with its query) in another language: /rankings/x/ ↔ /en/rankings/x/.
    Links rather than a form: a public page holds no CSRF token, so it can be cached."""
    return translate_url(context["request"].get_full_path(), language_code)
