"""Maps drawn by the server as inline SVG from the units' outlines
(``units.models.Boundary``, imported with ``manage.py import_boundaries``): no
tile server, no request off the site, nothing the Content-Security-Policy
forbids (colours are SVG attributes, not styles). A ranking's block coloured by
band; a unit among its neighbours. The page's table is each map's text
alternative; without outlines there is no map, and no error.

The projection is equirectangular, longitudes scaled by the cosine of the
middle latitude: true enough at a province's or a country's scale, and every
point is computed here, in Python, so the SVG holds only numbers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cchc_portal.numbers import local_decimal
from public.charts import NO_BAND_COLOUR, band_styles
from scoring.selectors import BandRange
from units.models import Boundary

WIDTH = 600.0  # the drawing's width in SVG units; it scales to the page
TALLEST = 1.4  # the most its height may be, as a multiple of its width
OTHER_FILL, HIGHLIGHT_FILL, NO_RESULT_FILL = "#d0d7de", "#a40e26", "#f6f8fa"


@dataclass(frozen=True)
class Shape:
    path: str  # the SVG path data: numbers only
    fill: str
    label: str  # what its <title> says
    url: str = ""
    highlight: bool = False


@dataclass(frozen=True)
class Map:
    width: float
    height: float
    shapes: list[Shape]
    legend: list[tuple[str, str]]  # (label, colour)


def _frame(boundaries: Sequence[Boundary]):
    """A function from (longitude, latitude) to SVG (x, y), and the drawing's height."""
    west, east = min(b.west for b in boundaries), max(b.east for b in boundaries)
    south, north = min(b.south for b in boundaries), max(b.north for b in boundaries)
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * squeeze, 1e-6), max(north - south, 1e-6)
    scale = min(WIDTH / span_x, WIDTH * TALLEST / span_y)
    offset_x = (WIDTH - span_x * scale) / 2  # a tall shape stands in the middle

    def project(lon: float, lat: float) -> tuple[float, float]:
        return offset_x + (lon - west) * squeeze * scale, (north - lat) * scale

    return project, span_y * scale


# A point closer than this to the last one drawn is skipped (SVG units; the drawing
# is 600 wide): the path grows with the map's outlines as drawn, not as surveyed.
STEP = 0.75


def _path(boundary: Boundary, project) -> str:
    """The outline as SVG path data (holes cut out by the even-odd rule of the
    template's ``fill-rule``), no two points closer than ``STEP``."""
    parts = []
    for polygon in boundary.polygons():
        for ring in polygon:
            points, last_x, last_y = [], -1e9, -1e9
            for lon, lat in ring:
                x, y = project(lon, lat)
                if abs(x - last_x) >= STEP or abs(y - last_y) >= STEP:
                    points.append(f"{x:.1f},{y:.1f}")
                    last_x, last_y = x, y
            if len(points) >= 3:
                parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)


def ranking_map(outlines: Iterable[tuple], bands: Sequence[BandRange]) -> Map | None:
    """The block coloured by band (``bands``: its scheme's, best first):
    ``outlines`` are (result, boundary) pairs (``scoring.selectors.ranking_outlines``);
    None without any."""
    outlines = list(outlines)
    if not outlines:
        return None
    styles = band_styles(bands)
    project, height = _frame([boundary for _result, boundary in outlines])
    shapes = []
    for result, boundary in outlines:
        if result.index is None:
            label, fill = _("%(unit)s: no index") % {"unit": result.display_name}, NO_RESULT_FILL
        else:
            index = local_decimal(result.index, 2)
            fill, band = styles.get(result.band, (NO_BAND_COLOUR, result.band))
            label = f"{result.display_name}: {index}" + (f" ({band})" if band else "")
        shapes.append(Shape(_path(boundary, project), fill, label, result.unit.get_absolute_url()))
    used = {result.band for result, _boundary in outlines}
    legend = [(name, colour) for band, (colour, name) in styles.items() if band in used]
    return Map(WIDTH, round(height, 1), shapes, legend)


def locator_map(unit, boundaries: Sequence[Boundary]) -> Map | None:
    """``unit`` among the other units of its parent (``boundaries``: theirs and
    its own); None when it has no outline."""
    if not any(boundary.unit_id == unit.pk for boundary in boundaries):
        return None
    project, height = _frame(boundaries)
    ordered = sorted(boundaries, key=lambda boundary: boundary.unit_id == unit.pk)  # the unit drawn last, on top
    shapes = [
        Shape(
            _path(boundary, project),
            HIGHLIGHT_FILL if boundary.unit_id == unit.pk else OTHER_FILL,
            boundary.unit.name,
            "" if boundary.unit_id == unit.pk else boundary.unit.get_absolute_url(),
            highlight=boundary.unit_id == unit.pk,
        )
        for boundary in ordered
    ]
    return Map(WIDTH, round(height, 1), shapes, [(unit.name, HIGHLIGHT_FILL)])
