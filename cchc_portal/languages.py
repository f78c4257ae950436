"""Names staff write, in the page's language.

A framework's name, its criteria, its bands and its source are written in
Vietnamese, and may carry an English version (``name_en``…). ``in_language``
picks the one a page shows: the Vietnamese on a Vietnamese page; the English
on an English page, or, where none is stored yet, the Vietnamese as an
``Untranslated`` text, which every output marks rather than mixing the two
languages silently: ``marked_html`` on a page (the text tagged ``lang="vi"``
with a visible "VI"), ``marked_text`` in a download or a chart ("Tốt [VI]").
"""

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext


class Untranslated(str):
    """A Vietnamese text shown where another language was asked for: it has no translation yet."""

    __slots__ = ()


def in_language(vietnamese: str, english: str) -> str:
    """``vietnamese`` on a page of the site's language (or outside any request),
    ``english`` on another page when there is one, else ``vietnamese`` as
    ``Untranslated``. An empty text stays empty: nothing is missing."""
    if not vietnamese or get_language() in (None, settings.LANGUAGE_CODE):
        return vietnamese
    return english or Untranslated(vietnamese)


def marked_html(text: str) -> SafeString:
    """``text`` escaped; when untranslated, in ``lang="vi"`` followed by a visible
    "VI" that says, to a mouse and to a screen reader, that it has no translation."""
    if not isinstance(text, Untranslated):
        return escape(text)
    note = escape(gettext("not yet translated: shown in Vietnamese"))
    return mark_safe(  # nosec B308 B703 # noqa: S308 - every text is escaped
        f'<span lang="vi">{escape(text)}</span> <abbr class="untranslated" title="{note}">VI'
        f'<span class="sr"> ({note})</span></abbr>'
    )


def marked_text(text: str) -> str:
    """``text`` as a download or a chart writes it: "Tốt [VI]" when untranslated."""
    return f"{text} [VI]" if isinstance(text, Untranslated) else text
