"""``/api/units/<code>/statistics/`` (DESIGN §7) and the demo's statistics, which
are the seeds' real figures: each checked against ``seed_facts.csv`` (a copy of
``shared/seed_facts.csv`` in ``tests/data``)."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers.models import DossierStatistics
from units.models import Unit
from units.services import UnitRow, units_upsert

pytestmark = pytest.mark.django_db

SEED_FACTS = Path(__file__).parent.parent / "data" / "seed_facts.csv"
DEMO = Path(__file__).parent.parent.parent / "fixtures" / "statistics_demo.csv"
ENDED = date(2025, 6, 30)


@pytest.fixture
def seed_units():
    """The seeds' units as the official list has them: districts ended by the 2025 reorganisation."""
    units_upsert(
        rows=[
            UnitRow(code="87", name="Tỉnh Đồng Tháp", kind="province", valid_to=ENDED),
            UnitRow(code="874", name="Huyện Thanh Bình", kind="district", parent_code="87", valid_to=ENDED),
            UnitRow(code="79", name="Thành phố Hồ Chí Minh", kind="province"),
            UnitRow(code="783", name="Huyện Củ Chi", kind="district", parent_code="79", valid_to=ENDED),
            UnitRow(code="19", name="Tỉnh Thái Nguyên", kind="province", valid_to=ENDED),
        ]
    )
    call_command("import_statistics", str(DEMO), stdout=io.StringIO())


def facts(seed: str) -> dict[str, dict]:
    with SEED_FACTS.open(encoding="utf-8") as file:
        return {row["item"]: row for row in csv.DictReader(file) if row["seed"] == seed}


def numbers(text: str) -> list[int]:
    return [int(number) for number in re.findall(r"\d+", text)]


def document(client, code: str, on: str = "") -> dict:
    response = client.get(f"/api/units/{code}/statistics/" + (f"?on={on}" if on else ""))
    assert response.status_code == 200
    return response.json()


def test_thanh_binh_2020_as_seed_001_reports_it(client, seed_units):
    fact = facts("001")["dossiers received and returned"]
    district, communes, on_time, late, online, interlinked, post = numbers(fact["note"].replace("3-4", ""))
    periods = {item["level"]: item for item in document(client, "874", on="2020-12-31")["periods"]}
    assert periods["all"]["received"] == int(fact["value"]) == 113_468
    assert (periods["own"]["received"], periods["below"]["received"]) == (district, communes) == (21_146, 92_322)
    whole = periods["all"]
    assert (whole["resolved_on_time"], whole["resolved_late"], whole["online"]) == (on_time, late, online)
    assert (whole["interlinked"], whole["postal"]) == (interlinked, post) == (1_819, 4_046)
    # 70.395 on time and none late: every dossier reported resolved was on time.
    assert (whole["on_time_rate"], whole["late_rate"]) == ("100.0000", "0.0000")
    assert whole["online_rate"] == "0.2344"  # 266 / 113.468 = 0.23442…


def test_cu_chi_2019_as_seed_003_reports_it(client, seed_units):
    seed = facts("003")
    periods = {item["level"]: item for item in document(client, "783", on="2019-12-31")["periods"]}
    own, communes = periods["own"], periods["below"]
    online, eligible = numbers(seed["online dossier rate (district)"]["note"])[:2]
    assert (own["online_partial"], own["online_eligible"]) == (online, eligible) == (3_750, 10_119)
    assert own["published_rates"]["online_rate"] == seed["online dossier rate (district)"]["value"] == "37.06"
    assert own["online_rate"] == "37.0590"  # 3.750 / 10.119, which the article rounds to 37,06
    online, eligible = numbers(seed["online dossier rate (communes)"]["note"])
    assert (communes["online_partial"], communes["online_eligible"]) == (online, eligible) == (22_148, 37_813)
    assert communes["published_rates"]["online_rate"] == seed["online dossier rate (communes)"]["value"] == "58.6"
    assert communes["online_rate"] == "58.5724"
    resolved, pending = numbers(seed["dossiers district one-stop"]["note"])
    assert own["received"] == int(seed["dossiers district one-stop"]["value"]) == 24_704
    assert (own["resolved_on_time"], own["resolved_late"], own["pending"]) == (resolved, 0, pending)
    assert communes["received"] == int(seed["dossiers communes"]["value"]) == 417_983
    on_time, late = 417_974, 9
    assert (
        f"on time {on_time}" in seed["dossiers communes"]["note"]
        and f"late {late} " in seed["dossiers communes"]["note"]
    )
    assert (communes["resolved_on_time"], communes["resolved_late"], communes["apology_letters"]) == (
        on_time,
        late,
        late,
    )
    # 9 of 417.983 is 0,00215…%: the article wrote 0,0021%, kept as published beside the computed 0.0022.
    assert (communes["late_rate"], communes["published_rates"]["late_rate"]) == ("0.0022", "0.0021")
    assert (communes["on_time_rate"], communes["published_rates"]["on_time_rate"]) == ("99.9978", "99.997")


def test_thai_nguyen_2017_as_seed_004_reports_it(client, seed_units):
    fact = facts("004")["dossiers one-stop"]
    [item] = document(client, "19", on="2017-12-31")["periods"]
    assert item["period"] == "2017" and item["received"] == int(fact["value"]) == 746_305
    assert item["published_rates"] == {"on_time_rate": "98.6"} and "98.6% on time" in fact["note"]
    assert item["on_time_rate"] is None  # the article gives no counts to compute it from
    assert (item["procedures_online_partial"], item["procedures_online_full"]) == (499, 42)
    assert "499 at level 3; 42 at level 4" in fact["note"]


def test_the_document_lists_periods_in_order_with_their_levels_and_is_one_query(client):
    unit = Unit.objects.create(code="783", name="Huyện Củ Chi", short_name="Củ Chi", slug="cu-chi", kind="district")
    for period, kind, start, end, level, received in [
        ("2019-12", "month", date(2019, 12, 1), date(2019, 12, 31), "all", 30),
        ("2019", "year", date(2019, 1, 1), date(2019, 12, 31), "below", 200),
        ("2019-Q4", "quarter", date(2019, 10, 1), date(2019, 12, 31), "all", 90),
        ("2019", "year", date(2019, 1, 1), date(2019, 12, 31), "all", 300),
        ("2020", "year", date(2020, 1, 1), date(2020, 12, 31), "all", 0),
    ]:
        DossierStatistics.objects.create(
            unit=unit, period=period, kind=kind, starts_on=start, ends_on=end, level=level, received=received
        )
    with CaptureQueriesContext(connection) as queries:
        body = document(client, "783")
    assert [(item["period"], item["level"]) for item in body["periods"]] == [
        ("2019", "all"),
        ("2019", "below"),
        ("2019-Q4", "all"),
        ("2019-12", "all"),
        ("2020", "all"),
    ]
    assert body["unit"] == {"code": "783", "name": "Huyện Củ Chi"}
    nothing = body["periods"][-1]  # none received: no rate, never 0 % or 100 %
    assert (nothing["received"], nothing["online_rate"], nothing["on_time_rate"]) == (0, None, None)
    assert nothing["resolved_late"] is None and nothing["published_rates"] == {} and "is_sample" not in nothing
    statistics_queries = [query for query in queries.captured_queries if "dossiers_" in query["sql"]]
    assert len(statistics_queries) == 1


def test_an_unknown_unit_is_a_404_with_an_error(client):
    response = client.get("/api/units/99999/statistics/")
    assert response.status_code == 404 and "error" in response.json()


def test_a_merged_unit_lists_its_predecessors_records_apart_from_its_own(client, provinces):
    old, bac_kan, new = provinces
    for unit, year, received in ((old, 2017, 746_305), (bac_kan, 2024, 120_000), (new, 2025, 90_000)):
        DossierStatistics.objects.create(
            unit=unit, period=str(year), kind="year", starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
            received=received,
        )  # fmt: skip
    body = document(client, "19")
    assert [(item["period"], item["received"]) for item in body["periods"]] == [("2025", 90_000)]
    assert [
        (entry["unit"]["name"], [(item["period"], item["received"]) for item in entry["periods"]])
        for entry in body["predecessors"]
    ] == [("Tỉnh Thái Nguyên", [("2017", 746_305)]), ("Tỉnh Bắc Kạn", [("2024", 120_000)])]
    # The old Thái Nguyên, asked for on a day of its own: its records, no predecessors key.
    earlier = document(client, "19", on="2017-12-31")
    assert [item["received"] for item in earlier["periods"]] == [746_305] and "predecessors" not in earlier
