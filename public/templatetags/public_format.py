"""The public pages' figures: rank moves as ▲ 6 / ▼ 2 with words for screen readers
and the trend classes of changes (both ``public.tables``'), shares of a maximum and
differences, bands in the page's language, and the ranking table's rows (``public.tables``)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.safestring import mark_safe

from public.tables import rank_move, ranking_rows_html, trend
from scoring import engine

register = template.Library()
register.simple_tag(rank_move)
register.filter(trend)


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


@register.filter
def band_label(result, labels):
    """A result's band in the page's language (``labels``: ``selectors.band_labels``)."""
    return labels.of(result.framework, result.band)


@register.simple_tag
def ranking_rows(ranking):
    """The ranking table's body rows (``public.tables``)."""
    return mark_safe(ranking_rows_html(ranking))  # nosec B308 B703 # noqa: S308 - every text is escaped there
