"""Monthly rounds (the 766 service index): a framework of a year and a month,
ranked by the same engine, compared with the round of the month before (December
with the next January), never with a yearly round of the same index; copied to
the next month; units read as of the month's last day."""

import csv
import io
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from scoring import services
from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Framework, Index, period_label, period_step
from tests.factories import criteria, publish, score
from units.models import Unit
from units.services import UnitRow, units_upsert

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("year", "month", "step", "expected"),
    [
        (2024, 5, 1, (2024, 6)),
        (2024, 12, 1, (2025, 1)),
        (2025, 1, -1, (2024, 12)),
        (2024, 0, 1, (2025, 0)),  # a yearly round steps by years
        (2024, 0, -1, (2023, 0)),
        (2024, 3, -15, (2022, 12)),
    ],
)
def test_a_round_steps_to_the_period_beside_it(year, month, step, expected):
    assert period_step(year, month, step) == expected


def test_a_period_reads_as_vietnamese_writes_it():
    assert (period_label(2024, 0), period_label(2024, 5)) == ("2024", "5/2024")
    assert Framework(year=2024, month=2).reference_date == date(2024, 2, 29)  # a leap year
    assert Framework(year=2024, month=12).reference_date == date(2024, 12, 31)
    assert Framework(year=2024).reference_date == date(2024, 12, 31)


@pytest.fixture
def provinces():
    units_upsert(rows=[UnitRow(code=code, name=f"Tỉnh {code}", kind="province") for code in ("01", "02", "03")])
    return list(Unit.objects.order_by("code"))


def monthly(year, month, units, points, *, publish_it=True, index="phuc-vu-766", maxima=("18", "82")):
    """A 766-style round of two groups (18 and 82 points) for the given month
    (or of another index's two fields)."""
    framework = services.framework_create(
        index=Index.objects.get(slug=index),
        year=year,
        month=month,
        scope="VN",
        block="province",
        name=f"Chỉ số {'766 tháng' if month else 'CCHC'} {period_label(year, month)}",
        criteria=criteria(("1", maxima[0]), ("2", maxima[1])),
        band_scheme=BandScheme.objects.get(name=DEFAULT_BAND_SCHEME),
        participants=units,
    )
    entries = [score(unit, code, value) for unit, (first, second) in zip(units, points, strict=True)
               for code, value in (("1", first), ("2", second))]  # fmt: skip
    services.scores_set(framework=framework, entries=entries)
    if publish_it:
        publish(framework)
    return framework


def test_december_is_compared_with_november_and_january_with_december(provinces):
    november = monthly(2024, 11, provinces, [("18", "70"), ("15", "70"), ("10", "60")])  # 88, 85, 70
    december = monthly(2024, 12, provinces, [("16", "70"), ("18", "70"), ("10", "62")])  # 86, 88, 72
    january = monthly(2025, 1, provinces, [("16", "70"), ("18", "70"), ("18", "70")])  # 86, 88, 88
    assert november.slug == "phuc-vu-766-2024-11-vn-province"
    first, second, third = (december.results.get(unit=unit) for unit in provinces)
    # Hand-computed: 01 from 88,00 (1st) to 86,00 (2nd): −2,00, down 1; 02 from 85 (2nd) to 88 (1st).
    assert (first.delta_index, first.delta_rank) == (D("-2.00"), -1)
    assert (second.delta_index, second.delta_rank) == (D("3.00"), 1)
    assert (third.delta_index, third.delta_rank) == (D("2.00"), 0)
    # January: 02 and 03 tie for first on 88,00; 03 moves up from 3rd to a shared 1st.
    tied = january.results.get(unit=provinces[2])
    assert (tied.rank, tied.tied, tied.delta_rank, tied.delta_index) == (1, True, 2, D("16.00"))
    assert Framework.objects.previous_round(january) == december
    assert Framework.objects.following_round(november) == december


def test_a_yearly_round_of_the_same_index_is_another_series(provinces):
    yearly = monthly(2024, 0, provinces, [("10", "10"), ("10", "10"), ("10", "10")])
    january = monthly(2025, 1, provinces, [("18", "70"), ("15", "70"), ("10", "60")])
    assert Framework.objects.previous_round(january) is None  # not the year 2024 round
    assert all(result.previous_id is None for result in january.results.all())
    assert Framework.objects.previous_round(monthly(2025, 0, provinces, [("1", "1")] * 3)) == yearly


def test_the_same_month_twice_is_refused_and_a_copy_goes_to_the_next_month(provinces):
    december = monthly(2024, 12, provinces, [("18", "70"), ("15", "70"), ("10", "60")])
    with pytest.raises(services.ScoringInputError, match="12/2024"):
        monthly(2024, 12, provinces, [("18", "70"), ("15", "70"), ("10", "60")])
    copy = services.framework_copy(source=december, year=2025, month=1)
    assert (copy.year, copy.month, copy.name) == (2025, 1, "Chỉ số 766 tháng 1/2025")
    assert copy.slug == "phuc-vu-766-2025-01-vn-province"
    assert set(copy.participants.all()) == set(provinces)
    copy.name = "Chỉ số 766 tháng 1 năm 2025, cập nhật 11/2025"
    assert (
        services.framework_copy(source=copy, year=2025, month=2).name == "Chỉ số 766 tháng 2 năm 2025, cập nhật 11/2025"
    )


def test_a_monthly_round_ranks_the_units_in_force_at_the_end_of_its_month():
    units_upsert(
        rows=[
            UnitRow(code="01", name="Tỉnh cũ", kind="province", valid_to=date(2025, 6, 30)),
            UnitRow(code="02", name="Tỉnh mới", kind="province", valid_from=date(2025, 7, 1)),
        ]
    )
    criteria_file = Path(settings.BASE_DIR) / "fixtures" / "criteria_766.csv"  # the index's five groups
    for month in (6, 7):
        call_command(
            "import_framework", str(criteria_file), "--index", "phuc-vu-766", "--year", "2025",
            "--month", str(month), "--scope", "VN", "--block", "province", verbosity=0,
        )  # fmt: skip
    june, july = (Framework.objects.get(year=2025, month=month) for month in (6, 7))
    assert [unit.name for unit in june.participants.all()] == ["Tỉnh cũ"]
    assert [unit.name for unit in july.participants.all()] == ["Tỉnh mới"]
    groups = list(july.criteria.order_by("order").values_list("max_points", "name_en"))
    assert [points for points, _name in groups] == [18, 20, 22, 22, 18] and groups[-1][1] == "Satisfaction"
    assert june.name.startswith("Chỉ số 766 6/2025, ") and july.slug == "phuc-vu-766-2025-07-vn-province"


def test_the_api_and_pages_show_the_month(client, provinces):
    december = monthly(2024, 12, provinces, [("18", "70"), ("15", "70"), ("10", "60")])
    document = client.get(f"/api/frameworks/{december.slug}/results/").json()["framework"]
    assert (document["year"], document["month"]) == (2024, 12)
    yearly = monthly(2023, 0, provinces, [("18", "70"), ("15", "70"), ("10", "60")])
    assert "month" not in client.get(f"/api/frameworks/{yearly.slug}/results/").json()["framework"]
    page = client.get(december.get_absolute_url()).content.decode()
    assert "Tháng 12/2024" in page
    profile = client.get(provinces[0].get_absolute_url()).content.decode()
    assert "<td>12/2024</td>" in profile and "<td>2023</td>" in profile


def test_a_unit_keeps_each_index_s_fields_apart_and_charts_its_yearly_rounds(client, provinces):
    """The 766 index's group "1" is not the CCHC index's field "1": a unit's
    download gives each its own column; the compare chart, like the unit page's,
    draws the yearly rounds only (a monthly index's rounds are in the table)."""
    for year, points in ((2022, ("40", "40")), (2023, ("45", "45"))):
        monthly(year, 0, provinces, [points] * len(provinces), index="cchc", maxima=("50", "50"))
    monthly(2024, 11, provinces, [("18", "70"), ("15", "70"), ("10", "60")])
    monthly(2024, 12, provinces, [("17", "70"), ("15", "70"), ("10", "60")])
    first = provinces[0]
    download = client.get(first.get_absolute_url(), {"format": "csv"}).content.decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(download), delimiter=";")
    fields = [name for name in header if ". Tiêu chí" in name]
    assert len(fields) == 4 and sum("766" in name for name in fields) == 2  # two per index, each index named
    columns = [header.index(name) for name in fields]
    by_period = {row[0]: [row[column] for column in columns] for row in rows}
    group_first, cchc_first = (
        fields.index("Chỉ số 766: 1. Tiêu chí 1"),
        fields.index("Chỉ số CCHC (PAR INDEX): 1. Tiêu chí 1"),
    )
    assert by_period["12/2024"][group_first] == "17,00" and by_period["12/2024"][cchc_first] == ""
    assert by_period["2023"][cchc_first] == "45,00" and by_period["2023"][group_first] == ""
    page = client.get("/compare/", {"units": f"{first.code},{provinces[1].code}"}).content.decode()
    chart = page[page.index('id="compare-chart"') :]
    chart = chart[: chart.index("</script>")]
    assert "2023" in chart and "2024" not in chart  # the yearly CCHC rounds, not the months of 2024
