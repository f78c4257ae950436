"""Benchmark: the outlines of a large province's communes, imported and drawn.

150 communes, each outlined as surveyed (a circle of 20,000 positions, jagged by a
metre: what a boundary set made for surveying holds). Times, best of BENCH_RUNS
(default 3), in one run:
  the import, against parsing the GeoJSON file (json.loads), the least any import
  must do: ``import_boundaries`` of the file (checked, closed, simplified, written);
  a unit's locator map among its 150 neighbours as the unit page draws it, and
  the same map drawn from the outlines as surveyed (what a unit page would cost
  without the simplification), as a multiple of it;
and the size of each map's SVG path data. Runs on a throw-away database: a temporary
SQLite file, or the PostgreSQL server of BENCH_DATABASE_URL.

    python bench/maps.py
"""

import io
import json
import math
import os
import tempfile
from pathlib import Path

from common import on_fresh_database, report, seconds

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
UNITS, POINTS = 150, 20_000


def collection() -> dict:
    features = []
    for number in range(UNITS):
        west, south = 105.0 + (number % 15) * 0.1, 21.0 + (number // 15) * 0.1
        ring = [
            [
                round(west + 0.05 + 0.05 * math.cos(2 * math.pi * k / POINTS) + (k % 2) * 1e-5, 6),
                round(south + 0.05 + 0.05 * math.sin(2 * math.pi * k / POINTS), 6),
            ]
            for k in range(POINTS)
        ]
        geometry = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
        features.append({"type": "Feature", "properties": {"code": f"{20000 + number}"}, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def run():
    from django.core.management import call_command

    from public import maps
    from units.models import Boundary, Unit
    from units.selectors import unit_outlines
    from units.services import UnitRow, units_upsert

    rows = [UnitRow(code="99", name="Tỉnh Thử", kind="province")]
    rows += [UnitRow(code=f"{20000 + n}", name=f"Xã {n}", kind="commune", parent_code="99") for n in range(UNITS)]
    units_upsert(rows=rows)
    data = collection()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ranh-gioi.geojson"
        path.write_text(json.dumps(data), encoding="utf-8")
        megabytes = path.stat().st_size / 2**20
        imports = {
            "baseline": min(seconds(lambda: json.loads(path.read_bytes())) for _ in range(RUNS)),
            "import": min(seconds(lambda: call_command("import_boundaries", str(path), stdout=io.StringIO()))
                          for _ in range(RUNS)),
        }  # fmt: skip
    unit = Unit.objects.get(code="20000")
    outlines = unit_outlines(unit, UNITS)
    surveyed = [
        Boundary(unit=b.unit, geometry=feature["geometry"], west=b.west, south=b.south, east=b.east, north=b.north)
        for b, feature in zip(outlines, data["features"], strict=True)
    ]
    sizes = {}

    def draw(label, boundaries):
        def once():
            drawn = maps.locator_map(unit, boundaries)
            sizes[label] = sum(len(shape.path) for shape in drawn.shapes)

        return min(seconds(once) for _ in range(RUNS))

    drawings = {"baseline": draw("map", outlines), "surveyed": draw("surveyed", surveyed)}
    title = f"{UNITS} communes of {POINTS:,} positions each ({megabytes:.0f} MiB of GeoJSON), best of {RUNS}"
    report(f"importing {title}; baseline: parsing the file", imports, ("baseline", "import"))
    report("a locator map among them as kept; against drawing it as surveyed", drawings, ("baseline", "surveyed"))
    kept = sum(len(ring) for b in outlines for polygon in b.polygons() for ring in polygon) / UNITS
    print(f"  positions kept a unit: {kept:,.0f}; path data: map {sizes['map'] / 2**10:,.0f} KiB, ", end="")
    print(f"surveyed {sizes['surveyed'] / 2**10:,.0f} KiB")


if __name__ == "__main__":
    on_fresh_database(run)
