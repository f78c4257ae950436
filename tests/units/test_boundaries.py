"""Boundaries for the maps: a GeoJSON FeatureCollection keyed by unit code is
imported all or nothing (every bad feature named), again as a no-op that
replaces; then a ranking shows its block coloured by band and a unit page a
locator map, drawn by the server as inline SVG with each unit's name escaped;
without boundaries there is no map and no error."""

import itertools
import json
import math
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from public.charts import BAND_COLOURS
from scoring import services
from tests.factories import make_framework, publish
from units.models import Boundary, Unit
from units.outlines import MAX_POINTS
from units.selectors import unit_outlines
from units.services import UnitRow, units_upsert

pytestmark = pytest.mark.django_db


def squares(codes, *, key="code") -> dict:
    """A FeatureCollection: unit i a 0.1° square in a grid of three columns near Đồng Xoài."""
    features = []
    for position, code in enumerate(codes):
        west, south = 106.8 + (position % 3) * 0.1, 11.5 + (position // 3) * 0.1
        ring = [[west, south], [west + 0.1, south], [west + 0.1, south + 0.1], [west, south + 0.1], [west, south]]
        features.append(
            {"type": "Feature", "properties": {key: code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )
    return {"type": "FeatureCollection", "features": features}


@pytest.fixture
def block():
    """Province 70 and six districts; a published ranking of them: 95, 85, 75, 60, 40 and one with no score."""
    units_upsert(
        rows=[UnitRow(code="70", name="Tỉnh Bình Phước", kind="province")]
        + [UnitRow(code=f"69{n}", name=f"Huyện <b>{n}</b>", kind="district", parent_code="70") for n in range(6)]
    )
    units = list(Unit.objects.filter(kind="district").order_by("code"))
    framework = make_framework(units=units, scope="70")
    points = ["95", "85", "75", "60", "40"]
    services.scores_set(
        framework=framework,
        entries=[services.ScoreEntry(unit.code, "1", D(value)) for unit, value in zip(units, points, strict=False)],
    )
    publish(framework)
    return framework, units


def write(tmp_path, collection) -> str:
    path = tmp_path / "ranh-gioi.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    return str(path)


def test_boundaries_are_imported_keyed_by_code_and_again_as_replacements(block, tmp_path, capsys):
    _framework, units = block
    path = write(tmp_path, squares([unit.code for unit in units]))
    call_command("import_boundaries", path)
    assert "6 ranh giới được tạo, 0 được thay" in capsys.readouterr().out
    outline = Boundary.objects.get(unit__code="690")
    assert (outline.west, outline.south, outline.east, outline.north) == (106.8, 11.5, 106.9, 11.6)
    assert outline.source == "ranh-gioi.geojson"
    call_command("import_boundaries", path)
    assert Boundary.objects.count() == 6


def test_a_bad_file_names_every_bad_feature_and_writes_nothing(block, tmp_path):
    collection = squares(["690", "999", "691", "690"])
    collection["features"][2]["geometry"] = {"type": "Point", "coordinates": [106.9, 11.5]}
    collection["features"].append(squares(["692"])["features"][0])
    collection["features"][4]["geometry"]["coordinates"][0][1] = [200, 11.5]  # no such longitude
    collection["features"].append({"type": "Feature", "properties": {}, "geometry": None})
    with pytest.raises(CommandError) as error:
        call_command("import_boundaries", write(tmp_path, collection))
    message = str(error.value)
    for expected in (
        "đối tượng 2 (code 999): không có đơn vị nào mang mã này",
        "đối tượng 3 (code 691): hình Point",
        "đối tượng 4 (code 690): mã xuất hiện hai lần",
        "đối tượng 5 (code 692): có vị trí không phải [kinh độ, vĩ độ]",
        "đối tượng 6: không có thuộc tính code",
    ):
        assert expected in message, message
    assert not Boundary.objects.exists()  # not even the good first one
    (tmp_path / "x.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="không phải JSON"):
        call_command("import_boundaries", str(tmp_path / "x.geojson"))


def test_the_ranking_and_unit_pages_draw_their_maps_and_nothing_without_outlines(
    client, block, tmp_path, django_capture_on_commit_callbacks
):
    framework, units = block
    assert "ranking-map" not in client.get(framework.get_absolute_url()).content.decode()
    assert "locator-map" not in client.get(units[0].get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the import moves the public pages' data version
        call_command("import_boundaries", write(tmp_path, squares([unit.code for unit in units])), verbosity=0)
    page = client.get(framework.get_absolute_url()).content.decode()
    drawing = page[page.index('<figure class="map">') : page.index("</figure>", page.index('<figure class="map">'))]
    assert drawing.count("<path ") == 6 and "<script" not in drawing
    # Bands: 95 Xuất sắc, 85 Tốt, 75 Khá, 60 Trung bình, 40 Yếu, each its chart colour; the unscored one blank.
    for colour in BAND_COLOURS[:5]:
        assert f'fill="{colour}"' in drawing
    assert "<title>Huyện &lt;b&gt;0&lt;/b&gt;: 95,00 (Xuất sắc)</title>" in drawing  # names escaped
    assert "Huyện &lt;b&gt;5&lt;/b&gt;: chưa có chỉ số" in drawing
    assert f'<a href="{units[1].get_absolute_url()}">' in drawing
    # Three squares wide, two high: 600 by 400 at this latitude's squeeze, near enough.
    assert 'viewBox="0 0 600.0 40' in drawing or 'viewBox="0 0 600.0 39' in drawing

    profile = client.get(units[4].get_absolute_url()).content.decode()
    locator = profile[profile.index('<figure class="map">') :]
    assert locator.count("<path ") == 6 and locator.count('class="highlight"') == 1


@pytest.mark.parametrize("count", [4, 40])
def test_the_map_costs_the_same_queries_whatever_the_number_of_units(client, tmp_path, count):
    units_upsert(
        rows=[UnitRow(code="70", name="Tỉnh Bình Phước", kind="province")]
        + [UnitRow(code=f"7{n:03d}", name=f"Huyện {n}", kind="district", parent_code="70") for n in range(count)]
    )
    units = list(Unit.objects.filter(kind="district"))
    framework = make_framework(units=units, scope="70")
    services.scores_set(framework=framework, entries=[services.ScoreEntry(unit.code, "1", D("80")) for unit in units])
    publish(framework)
    call_command("import_boundaries", write(tmp_path, squares([unit.code for unit in units])), verbosity=0)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(framework.get_absolute_url()).content.decode()
    assert page.count("<path ") == count
    assert len(queries) == 10  # the ranking page's eight (no previous round), and the map's outlines and results


def test_an_administrator_imports_boundaries_in_the_admin(admin_client, block):
    _framework, units = block
    url = reverse("admin:units_boundary_import")
    bad = SimpleUploadedFile("ranh-gioi.geojson", json.dumps(squares(["690", "999"])).encode())
    response = admin_client.post(url, {"file": bad, "key": "code"})
    assert (
        response.status_code == 400
        and "đối tượng 2 (code 999): không có đơn vị nào mang mã này" in response.content.decode()
    )
    assert not Boundary.objects.exists()
    good = SimpleUploadedFile("ranh-gioi.geojson", json.dumps(squares([unit.code for unit in units])).encode())
    response = admin_client.post(url, {"file": good, "key": "code", "source": "Bộ ranh giới mẫu (CC BY 4.0)"})
    assert response.status_code == 302 and Boundary.objects.count() == 6
    assert set(Boundary.objects.values_list("source", flat=True)) == {"Bộ ranh giới mẫu (CC BY 4.0)"}
    assert (
        reverse("admin:units_boundary_import")
        in admin_client.get(reverse("admin:units_boundary_changelist")).content.decode()
    )


def circle(code, points, *, west=106.8, south=11.5, radius=0.05, closed=True) -> dict:
    """A feature: a surveyed circle of ``points`` positions (jagged by a metre), closed or not."""
    ring = [
        [
            round(west + radius + radius * math.cos(2 * math.pi * n / points) + (n % 2) * 1e-5, 6),
            round(south + radius + radius * math.sin(2 * math.pi * n / points), 6),
        ]
        for n in range(points)
    ]
    ring += [ring[0]] if closed else []
    return {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_a_surveyed_outline_is_kept_closed_and_simplified_for_drawing(block, tmp_path):
    """50,000 positions a unit (a surveyed boundary set) are kept as at most
    MAX_POINTS, still within 0,001° of the circle; an unclosed ring is closed;
    a hole is drawn cut out (even-odd), not filled over."""
    collection = {"type": "FeatureCollection", "features": [circle("690", 50_000), circle("691", 5, closed=False)]}
    hole = [[106.83, 11.53], [106.87, 11.53], [106.87, 11.57], [106.83, 11.57], [106.83, 11.53]]
    collection["features"][0]["geometry"]["coordinates"].append(hole)
    call_command("import_boundaries", write(tmp_path, collection), verbosity=0)
    surveyed = Boundary.objects.get(unit__code="690")
    outside, inside = surveyed.polygons()[0]
    assert 8 <= len(outside) <= MAX_POINTS and outside[0] == outside[-1]
    assert inside == hole
    centre = (106.85, 11.55)
    # Every edge stays near the circle: its midpoint, the point farthest from it, too.
    midpoints = [((x1 + x2) / 2, (y1 + y2) / 2) for (x1, y1), (x2, y2) in itertools.pairwise(outside)]
    assert all(abs(math.dist(point, centre) - 0.05) < 0.001 for point in outside + midpoints)
    pentagon = Boundary.objects.get(unit__code="691").polygons()[0][0]
    assert len(pentagon) == 6 and pentagon[0] == pentagon[-1]


def test_a_map_of_thousands_of_points_stays_small(client, block, tmp_path, django_capture_on_commit_callbacks):
    framework, units = block
    features = [circle(unit.code, 20_000, west=106.8 + 0.1 * n) for n, unit in enumerate(units)]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_boundaries", write(tmp_path, {"type": "FeatureCollection", "features": features}))
    page = client.get(framework.get_absolute_url()).content.decode()
    drawing = page[page.index('<figure class="map">') : page.index("</figure>", page.index('<figure class="map">'))]
    assert drawing.count("<path ") == 6 and drawing.count('fill-rule="evenodd"') == 6
    assert len(drawing) < 30_000  # six circles of a hundred pixels' outline each, not 120,000 points


def test_a_map_past_its_limit_reads_no_outline(client, block, tmp_path, settings):
    framework, units = block
    call_command("import_boundaries", write(tmp_path, squares([unit.code for unit in units])), verbosity=0)
    settings.MAP_MAX_UNITS = 5
    with CaptureQueriesContext(connection) as queries:
        page = client.get(framework.get_absolute_url()).content.decode()
    assert "ranking-map" not in page
    assert not any('"geometry"' in query["sql"] for query in queries.captured_queries)


def test_a_reused_code_is_outlined_for_the_unit_holding_it_on_the_day_given(tmp_path):
    old, new = {"kind": "district", "valid_to": date(2025, 6, 30)}, {"kind": "commune", "valid_from": date(2025, 7, 1)}
    units_upsert(
        rows=[
            UnitRow(code="70", name="Tỉnh Bình Phước", kind="province"),
            UnitRow(code="690", name="Huyện cũ", parent_code="70", **old),
            UnitRow(code="691", name="Huyện cũ bên cạnh", parent_code="70", **old),
            UnitRow(code="690", name="Xã mới", parent_code="70", **new),
            UnitRow(code="692", name="Xã mới bên cạnh", parent_code="70", **new),
        ]
    )
    path = write(tmp_path, squares(["690", "691"]))
    call_command("import_boundaries", path, "--on", "2024-01-01", verbosity=0)
    assert set(Boundary.objects.values_list("unit__name", flat=True)) == {"Huyện cũ", "Huyện cũ bên cạnh"}
    call_command("import_boundaries", write(tmp_path, squares(["690", "692"])), verbosity=0)  # today: the commune
    assert Boundary.objects.get(unit__name="Xã mới").unit.kind == "commune"
    # Each unit's locator map: its neighbours of its own time, never the other era's.
    old = Unit.objects.get(name="Huyện cũ")
    assert {b.unit.name for b in unit_outlines(old, 10)} == {"Huyện cũ", "Huyện cũ bên cạnh"}
    new = Unit.objects.get(name="Xã mới")
    assert {b.unit.name for b in unit_outlines(new, 10)} == {"Xã mới", "Xã mới bên cạnh"}


def test_a_hostile_file_is_refused_with_its_reason(admin_client, block, settings):
    url = reverse("admin:units_boundary_import")
    nested = SimpleUploadedFile("sau.geojson", b"[" * 100_000 + b"]" * 100_000)
    response = admin_client.post(url, {"file": nested, "key": "code"})
    assert response.status_code == 400 and "không phải JSON" in response.content.decode()
    settings.BOUNDARIES_UPLOAD_MAX_BYTES = 1000
    large = SimpleUploadedFile("lon.geojson", json.dumps(squares(["690"] * 20)).encode())
    response = admin_client.post(url, {"file": large, "key": "code"})
    assert response.status_code == 400 and "import_boundaries" in response.content.decode()
    assert not Boundary.objects.exists()
