"""Site-wide template helpers."""

from django import template
from django.urls import translate_url

from cchc_portal import numbers
from cchc_portal.caching import public_path
from cchc_portal.languages import marked_html

register = template.Library()
register.filter("points", numbers.points)
register.filter("signed", numbers.signed)
register.filter("percent", numbers.percent)
register.filter("count", numbers.count)
# A stored name in the page's language, an untranslated one marked (``languages``).
register.filter("marked", marked_html, is_safe=True)


@register.simple_tag(takes_context=True)
def language_url(context, language_code: str) -> str:
    """The current page (with its query) in another language: /rankings/x/ ↔ /en/rankings/x/.
    Links rather than a form: a public page holds no CSRF token, so it can be cached.
    A public page keeps only the query parameters it reads (``public_path``)."""
    return translate_url(public_path(context["request"]), language_code)
