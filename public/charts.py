"""Plotly figures of the public pages, as the plain data / layout dicts that
plotly.js draws. A page embeds one with ``json_script`` and ``static/js/charts.js``
draws every ``figure.chart`` on it: no inline script, no request off the site.

The dicts are written by hand rather than through ``plotly.graph_objects``, whose
validation costs more than rendering the whole ranking page. Numbers go out as
floats with two places (chart positions only: the tables beside the charts show
the exact figures); labels in the page's language, numbers in its style
(``separators``: "93,91" in Vietnamese). Every label is inert text: plotly.js
draws a subset of HTML in its text (``<a href>`` as a real link, ``<b>``,
``<br>``), so ``_inert`` writes < > & as entities, which plotly.js shows as
those characters (see ``plotly_text``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.formats import get_format
from django.utils.translation import gettext as _

from cchc_portal.languages import marked_text
from scoring.models import Result
from scoring.selectors import BandRange, RankingRow

# By a band's position in its scheme, best first: colours that keep 4.5:1 against
# white (green 5.7, blue 6.0, orange 4.9, purple 8.6, red 6.2, grey 8.5) and differ
# in hue and lightness from their neighbours, so no two bands look alike.
BAND_COLOURS = ("#1b7837", "#2166ac", "#b35806", "#762a83", "#b2182b", "#4d4d4d")
NO_BAND_COLOUR = "#6e7781"
LINE_COLOURS = ("#2166ac", "#b35806", "#1b7837", "#762a83")
_BAR_HEIGHT = 22  # pixels per unit in a horizontal bar chart
# The keys under which plotly.js draws a string as text: trace names (legend,
# hover), category values (tick labels, hover), titles' and annotations' text,
# tick and hover texts. Not ``hovertemplate``: it is this module's own markup
# (``<extra>``), and the labels it shows come in through the keys above.
_TEXT_KEYS = frozenset({"name", "x", "y", "categoryarray", "text", "ticktext", "tickvals", "hovertext"})
_PLOTLY_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def plotly_text(text: str) -> str:
    """``text`` as plotly.js shows it literally: it reads tags (``<a href>``,
    ``<b>``, ``<br>``) in any text it draws, and decodes &amp;, &lt;, &gt; and
    numeric entities, but not &quot; (hence not ``html.escape``'s quotes).
    "Sở <KH&CN>" becomes "Sở &lt;KH&amp;CN&gt;", which it draws as "Sở <KH&CN>"."""
    return text.translate(_PLOTLY_ENTITIES)


def _inert(node, key: str | None = None):
    """The figure ``node`` with every string under a text key made ``plotly_text``:
    one pass over the finished figure, so that no label escapes it."""
    if isinstance(node, dict):
        return {name: _inert(value, name) for name, value in node.items()}
    if isinstance(node, list):
        return [_inert(value, key) for value in node]
    if isinstance(node, str) and key in _TEXT_KEYS:
        return plotly_text(node)
    return node


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _layout(**extra) -> dict:
    """What every chart shares: the language's separators, a font that reads on a
    phone, room for the labels, no plotly logo or toolbar (see charts.js)."""
    decimal, thousands = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")
    layout = {
        "separators": f"{decimal}{thousands}",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13},
        "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"align": "left"},
    }
    layout.update(extra)
    return layout


def band_styles(bands: Sequence[BandRange]) -> dict[str, tuple[str, str]]:
    """Each band of a scheme (best first), by its label as results store it: its
    colour (``BAND_COLOURS``, by position) and its name in the page's language
    as a chart or a map writes it (``marked_text``: "Tốt [VI]" untranslated)."""
    return {
        band.label: (colour, marked_text(band.local_label)) for band, colour in zip(bands, BAND_COLOURS, strict=False)
    }


def ranking_dots(rows: Sequence[RankingRow], bands: Sequence[BandRange]) -> dict:
    """Each shown unit's index as a dot with its value beside it, in the table's
    order, coloured by band (the legend, in the order of ``bands``). The axis
    starts where the indexes do (rounded down to a multiple of 5), and its title
    says so: dots, not bars, whose lengths would exaggerate the differences."""
    styles = band_styles(bands)
    traces: dict[str, dict] = {}
    for row in rows:
        result = row.result
        colour, label = styles.get(result.band, (NO_BAND_COLOUR, result.band or _("no band")))
        trace = traces.setdefault(
            result.band,
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": label,
                "x": [],
                "y": [],
                "marker": {"color": colour, "size": 12},
                "texttemplate": "%{x:.2f}",
                "textposition": "middle right",
                "textfont": {"color": "#1f2328"},
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{x:.2f}<extra>%{fullData.name}</extra>",
            },
        )
        trace["x"].append(_number(result.index))
        trace["y"].append(result.display_name)
    names = [row.result.display_name for row in rows]
    indexes = [row.result.index for row in rows if row.result.index is not None]
    start = 5 * math.floor(float(min(indexes, default=0)) / 5 - 0.2) if indexes else 0
    start = min(max(start, 0), 95)
    title = _("Index") if start == 0 else _("Index (the axis starts at %(start)s)") % {"start": start}
    # On a phone (charts.js): names cut short, so that the dots keep most of the width.
    narrow = {"yaxis": {"tickvals": names, "ticktext": [_short(name) for name in names]}}
    figure = {
        "data": [traces[band] for band in sorted(traces, key=lambda band: _position(band, list(styles)))],
        "layout": _layout(
            height=max(len(rows), 3) * _BAR_HEIGHT + 90,
            xaxis={
                "range": [start, 100],
                "title": {"text": title},
                "automargin": True,
                "fixedrange": True,
                "zeroline": False,
            },
            yaxis={
                "categoryorder": "array",
                "categoryarray": names[::-1],  # the first row on top
                "automargin": True,
                "fixedrange": True,
                "gridcolor": "#eaeef2",
            },
            legend={"orientation": "h", "y": 1, "yanchor": "bottom", "x": 0},
            margin={"l": 10, "r": 50, "t": 40, "b": 40},
            meta={"narrow": narrow},
        ),
    }
    return _inert(figure)


def _short(name: str, length: int = 20) -> str:
    """``name`` cut at ``length`` characters, with an ellipsis."""
    return name if len(name) <= length else name[: length - 1].rstrip() + "…"


def _position(label: str, band_labels: Sequence[str]) -> int:
    return band_labels.index(label) if label in band_labels else len(band_labels)


def results_over_time(series: Sequence[tuple[str, Sequence[Result]]], *, with_rank: bool = False) -> dict:
    """Index by year, one line per (name, results) series, results in any order,
    each point labelled with its value: a unit's history on its profile (each
    ranking series it took part in), or each compared unit's. ``with_rank`` adds
    the rank by year as a second small chart under the first, on the same years
    (first at the top): two aligned charts, not two axes on one, whose lines
    would seem to cross where nothing happened."""
    traces = []
    for position, (name, results) in enumerate(series):
        colour = LINE_COLOURS[position % len(LINE_COLOURS)]
        ordered = sorted((result for result in results if result.index is not None), key=_year_of)
        years = [result.framework.year for result in ordered]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers+text" if with_rank else "lines+markers",
                "name": name,
                "x": years,
                "y": [_number(result.index) for result in ordered],
                "line": {"color": colour, "width": 3},
                "marker": {"size": 9},
                "texttemplate": "%{y:.2f}",
                "textposition": "top center",
                "cliponaxis": False,
                "hovertemplate": "%{x}: %{y:.2f}<extra>%{fullData.name}</extra>",
            }
        )
        if with_rank:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers+text",
                    "name": _("%(name)s: rank") % {"name": name},
                    "x": years,
                    "y": [result.rank for result in ordered],
                    "yaxis": "y2",
                    "line": {"color": colour, "width": 2, "dash": "dot"},
                    "marker": {"size": 7, "symbol": "diamond"},
                    "texttemplate": "%{y}",
                    "textposition": "top center",
                    "cliponaxis": False,
                    "showlegend": False,
                    "hovertemplate": "%{x}: " + _("rank %{y}") + "<extra>%{fullData.name}</extra>",
                }
            )
    years = {"title": {"text": _("Year")}, "dtick": 1, "tickformat": "d", "automargin": True, "fixedrange": True}
    index_axis = {"title": {"text": _("Index")}, "automargin": True, "fixedrange": True}
    if not with_rank:
        layout = _layout(
            height=340,
            xaxis=years,
            yaxis=index_axis,
            showlegend=True,
            legend={"orientation": "h", "y": -0.3},
            margin={"l": 10, "r": 10, "t": 10, "b": 60},
        )
        return _inert({"data": traces, "layout": layout})
    worst = max((result.rank or 1 for _name, results in series for result in results), default=1)
    indexes = [float(result.index) for _name, results in series for result in results if result.index is not None]
    low, high = (min(indexes), max(indexes)) if indexes else (0, 100)
    layout = _layout(
        height=440,
        xaxis={**years, "anchor": "y2"},
        yaxis={**index_axis, "domain": [0.52, 1], "range": [max(0, low - 8), min(100, high + 8)]},
        yaxis2={
            "domain": [0, 0.4],
            "range": [worst + 0.5, 0.5],  # first at the top
            "tick0": 1,
            "dtick": max(1, math.ceil(worst / 5)),
            "title": {"text": _("Rank")},
            "tickformat": "d",
            "automargin": True,
            "fixedrange": True,
        },
        showlegend=len(series) > 1,
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 10, "r": 20, "t": 20, "b": 60},
    )
    return _inert({"data": traces, "layout": layout})


def series_of(results: Sequence[Result]) -> list[tuple[str, list[Result]]]:
    """Results grouped by ranking series (index, scope and block: the rounds that
    compare year to year), named by index and block, the newest series first."""
    series: dict[tuple, tuple[str, list[Result]]] = {}
    for result in results:
        framework = result.framework
        key = (framework.index_id, framework.scope, framework.block)
        name = f"{marked_text(framework.index.local_name)} · {framework.block_display}"
        series.setdefault(key, (name, []))[1].append(result)
    return list(series.values())


def yearly_series_of(results: Sequence[Result]) -> list[tuple[str, list[Result]]]:
    """``series_of`` the yearly rounds only: a monthly index's rounds are in the
    tables, not on the charts of the years."""
    return series_of([result for result in results if not result.framework.month])


def _year_of(result: Result) -> tuple[int, int]:
    return result.framework.year, result.framework.month


def rates_over_time(rows) -> dict | None:
    """The on-time and the online rate by period, as two lines with their values
    (``public.statistics`` rows in period order; a period's first row of the
    unit's own, the level covering most): None unless a rate has two periods."""
    first: dict[tuple, object] = {}
    for row in rows:
        key = (row.record.starts_on, row.record.ends_on)
        if key not in first or (first[key].predecessor is not None and row.predecessor is None):
            first[key] = row
    chosen = list(first.values())
    periods = [row.record.period_shown for row in chosen]
    lines = [
        (_("On time"), [row.on_time.computed for row in chosen], LINE_COLOURS[2]),
        (_("Online"), [row.online.computed for row in chosen], LINE_COLOURS[0]),
    ]
    lines = [line for line in lines if sum(value is not None for value in line[1]) >= 2]
    if not lines:
        return None
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers+text",
            "name": name,
            "x": periods,
            "y": [_number(value) for value in values],
            "line": {"color": colour, "width": 3},
            "marker": {"size": 9},
            "texttemplate": "%{y:.2f}%",
            "textposition": "top center",
            "cliponaxis": False,
            "connectgaps": True,
            "hovertemplate": "%{x}: %{y:.4f}%<extra>%{fullData.name}</extra>",
        }
        for name, values, colour in lines
    ]
    layout = _layout(
        height=340,
        xaxis={"type": "category", "title": {"text": _("Period")}, "automargin": True, "fixedrange": True},
        yaxis={"title": {"text": _("Rate (%)")}, "range": [0, 105], "automargin": True, "fixedrange": True},
        showlegend=True,
        legend={"orientation": "h", "y": -0.3},
        margin={"l": 10, "r": 10, "t": 20, "b": 60},
    )
    return _inert({"data": traces, "layout": layout})
