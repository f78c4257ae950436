"""Numbers as the current language writes them: 93,91 and +4,21 in Vietnamese,
93.91 and +4.21 in English; rank moves as ▲ 6 / ▼ 2 with words for screen readers."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from scoring import engine

register = template.Library()

MINUS = "\u2212"


@register.filter
def points(value, places=2):
    """A decimal with ``places`` decimals in the current language's style; "—" for none."""
    if value is None or value == "":
        return "—"
    return number_format(Decimal(value), decimal_pos=int(places), use_l10n=True)


@register.filter
def signed(value):
    """A change with its sign: +4,21, −0,30, 0,00; empty for none."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    text = number_format(abs(value), decimal_pos=2, use_l10n=True)
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"{MINUS}{text}"
    return text


@register.simple_tag
def rank_move(delta_rank):
    """▲ 6 for a unit that moved up six places, ▼ 2 down, = unchanged; nothing if unknown."""
    if delta_rank is None:
        return ""
    if delta_rank > 0:
        words = ngettext("up %(n)d place", "up %(n)d places", delta_rank) % {"n": delta_rank}
        return format_html(
            '<span class="move up" title="{0}">▲ {1}<span class="sr">{0}</span></span>', words, delta_rank
        )
    if delta_rank < 0:
        words = ngettext("down %(n)d place", "down %(n)d places", -delta_rank) % {"n": -delta_rank}
        return format_html(
            '<span class="move down" title="{0}">▼ {1}<span class="sr">{0}</span></span>', words, -delta_rank
        )
    words = gettext("unchanged")
    return format_html('<span class="move same" title="{0}">=<span class="sr">{0}</span></span>', words)


@register.filter
def trend(value):
    """CSS class for a signed change."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    return "up" if value > 0 else "down" if value < 0 else "same"


@register.simple_tag
def share(points, maximum):
    """Points as a whole percentage of the maximum ("86%"); empty when either is missing."""
    if points in (None, "") or not maximum:
        return ""
    percent = engine.round_half_up(Decimal(points) * 100 / Decimal(maximum)).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{percent}%"


@register.simple_tag
def difference(value, other):
    """``value − other`` to two places, None when either is missing (for ``signed`` and ``trend``)."""
    if value in (None, "") or other in (None, ""):
        return None
    return engine.delta(Decimal(value), Decimal(other))
