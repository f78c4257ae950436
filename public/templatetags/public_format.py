"""The public pages' figures: rank moves as ▲ 6 / ▼ 2 with words for screen readers,
the trend classes of changes, shares of a maximum, and the ranking table's rows (numbers
through ``cchc_portal.numbers``)."""

from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from cchc_portal.numbers import local_decimal, signed
from scoring import engine

register = template.Library()


@register.simple_tag
def rank_move(delta_rank):
    """▲ 6 for a unit that moved up six places, ▼ 2 down, = unchanged; nothing if
    unknown. An f-string with escaped words: a ranking page has a hundred."""
    if delta_rank is None:
        return ""
    if delta_rank > 0:
        kind, mark = "up", f"▲ {delta_rank}"
        words = ngettext("up %(n)d place", "up %(n)d places", delta_rank) % {"n": delta_rank}
    elif delta_rank < 0:
        kind, mark = "down", f"▼ {-delta_rank}"
        words = ngettext("down %(n)d place", "down %(n)d places", -delta_rank) % {"n": -delta_rank}
    else:
        kind, mark, words = "same", "=", gettext("unchanged")
    words = escape(words)
    return mark_safe(f'<span class="move {kind}" title="{words}">{mark}<span class="sr">{words}</span></span>')  # nosec B308 B703 # noqa: S308


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


@register.simple_tag
def ranking_rows(ranking):
    """The ranking table's body rows: rank (tie, a disagreeing published rank),
    unit, index, band, changes when there is a previous round, then each field's
    points and change. Written here with f-strings rather than as a template
    loop or with ``format_html``: a page of 100 units is 6,000 template lookups
    or 2,000 ``format_html`` calls, most of the page's time. Every text goes
    through ``escape``; numbers are formatted here, classes are constants."""
    # gettext outside the f-strings, where makemessages can find the texts.
    tied, new_unit, sample = escape(gettext("tied")), escape(gettext("new unit")), escape(gettext("sample data"))
    disagrees = escape(gettext("The decision states another rank"))
    tied = f' <span class="tie">{tied}</span>'
    new_unit = f'<span class="new">{new_unit}</span>'
    sample = f'<span class="sample-mark" title="{sample}">*</span>'

    # One reverse() for every row: the unit pages differ only by the code.
    unit_url = reverse("public:unit_profile", kwargs={"code": "CODE"}).replace("CODE", "{}")
    sample_row = ' class="sample"'
    separator = get_format("DECIMAL_SEPARATOR")

    def number(value):
        return "—" if value is None else local_decimal(value, 2, separator)

    html = []
    for row in ranking.rows:
        result, is_sample = row.result, row.shows_sample_data
        published = ""
        if result.rank_disagrees:
            words = escape(gettext("published: %(rank)s") % {"rank": result.published_rank})
            published = f' <span class="flag" title="{disagrees}">⚠ {words}</span>'
        html.append(
            f'<tr{sample_row if is_sample else ""}><td class="rank">{result.rank or "—"}'
            f"{tied if result.tied else ''}{published}</td>"
            f'<th scope="row" class="unit"><a href="{escape(unit_url.format(quote(result.unit.code)))}">'
            f"{escape(result.display_name)}</a>{sample if is_sample else ''}</th>"
            f'<td class="num index">{number(result.index)}</td><td>{escape(result.band)}</td>'
        )
        if ranking.has_previous_round:
            change = signed(result.delta_index, separator) if result.previous_id else new_unit
            html.append(
                f'<td class="num delta {trend(result.delta_index)}">{change}</td>'
                f'<td class="num">{rank_move(result.delta_rank)}</td>'
            )
        for cell in row.fields:
            delta = (
                ""
                if cell.delta is None
                else f'<span class="delta {trend(cell.delta)}">{signed(cell.delta, separator)}</span>'
            )
            html.append(f'<td class="num field">{number(cell.points)}{delta}</td>')
        html.append("</tr>\n")
    return mark_safe("".join(html))  # nosec B308 B703 # noqa: S308 - every text above is escaped
