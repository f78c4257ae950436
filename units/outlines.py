"""Outlines made fit for a drawn map: each ring closed, then simplified
(Douglas–Peucker, a ring split at its farthest point so that it keeps at least
three corners) until the unit holds at most ``MAX_POINTS`` positions. A boundary
set made for surveying holds tens of thousands of points per commune; a map 600
pixels wide shows none of them, and a page of two hundred units must stay small.
Pure functions of lists of (longitude, latitude) pairs: no Django."""

from __future__ import annotations

Ring = list[tuple[float, float]]
Polygon = list[Ring]

MAX_POINTS = 1500  # per unit: about 18 KB of SVG path at most
FIRST_TOLERANCE = 0.0001  # degrees, about 11 m: what the rounding to 5 places already loses, tenfold


def closed(ring: Ring) -> Ring:
    """The ring with its first position repeated at its end, as GeoJSON requires."""
    return ring if ring[0] == ring[-1] else [*ring, ring[0]]


def _distance_squared(point, start, end) -> float:
    """From ``point`` to the segment ``start``–``end``, squared, in degrees."""
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / length))
    px, py = x1 + t * dx - x, y1 + t * dy - y
    return px * px + py * py


def _line_kept(points: Ring, tolerance: float) -> list[bool]:
    """Which of ``points`` (an open line) Douglas–Peucker keeps; iterative, so
    that no outline can exhaust the stack."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    limit, stack = tolerance * tolerance, [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = None, limit
        for index in range(first + 1, last):
            candidate = _distance_squared(points[index], points[first], points[last])
            if candidate > distance:
                farthest, distance = index, candidate
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return keep


def simplified_ring(ring: Ring, tolerance: float) -> Ring:
    """A closed ring simplified within ``tolerance`` degrees, at least a triangle."""
    start = ring[0]
    split = max(range(len(ring)), key=lambda index: _distance_squared(ring[index], start, start))
    if split in (0, len(ring) - 1):  # every position the same: nothing to draw but a point
        return ring[:1] * 4
    kept = []
    for half in (ring[: split + 1], ring[split:]):
        kept += [point for point, keep in zip(half, _line_kept(half, tolerance), strict=True) if keep][len(kept) > 0 :]
    if len(kept) < 4:  # a sliver: a triangle of the start, the split and the corner farthest from both
        third = max(range(len(ring)), key=lambda index: _distance_squared(ring[index], start, ring[split]))
        kept = [start, ring[min(split, third)], ring[max(split, third)], start]
    return kept


def _extent(ring: Ring) -> float:
    longitudes, latitudes = [point[0] for point in ring], [point[1] for point in ring]
    return max(max(longitudes) - min(longitudes), max(latitudes) - min(latitudes))


def simplified(polygons: list[Polygon], max_points: int = MAX_POINTS) -> list[Polygon]:
    """``polygons`` (each a list of rings, the first its outside) with every ring
    closed and simplified, the tolerance doubled until at most ``max_points``
    positions remain; rings smaller than the tolerance (islets, holes) dropped,
    though never the largest polygon."""
    polygons = [[closed(ring) for ring in polygon] for polygon in polygons]
    extents = [[_extent(ring) for ring in polygon] for polygon in polygons]
    largest = max(range(len(polygons)), key=lambda number: extents[number][0])
    tolerance = FIRST_TOLERANCE
    while True:
        result = [
            [
                simplified_ring(ring, tolerance)
                for index, ring in enumerate(polygon)
                if index == 0 or extents[number][index] > tolerance
            ]
            for number, polygon in enumerate(polygons)
            if number == largest or extents[number][0] > tolerance
        ]
        if sum(len(ring) for polygon in result for ring in polygon) <= max_points or tolerance > 10:
            return result
        tolerance *= 2
