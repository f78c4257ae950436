"""Year-over-year across the 1 July 2025 reorganisation, on the official lists
(DESIGN §3 rule 7): a unit re-established unchanged keeps its previous result;
a merged one is new."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from scoring import services
from tests.factories import make_framework, publish
from units.models import Unit

EVE, REFORM = date(2025, 6, 30), date(2025, 7, 1)


def national_round(year, units, indexes):
    framework = make_framework(year=year, units=units, scope="VN", block="province", mode="published")
    services.published_results_set(
        framework=framework,
        rows=[services.PublishedResultRow(code, Decimal(index)) for code, index in indexes.items()],
    )
    publish(framework)
    return {result.unit.code: result for result in framework.results.select_related("unit", "previous")}


@pytest.mark.django_db
def test_hanoi_continues_and_the_merged_thai_nguyen_is_new():
    # Hà Nội (01) was not merged; Thái Nguyên (19) absorbed Bắc Kạn (06), keeping code 19.
    call_command("load_units", official=2025, province=["01", "19"])
    before = Unit.objects.valid_on(EVE).filter(code__in=["01", "19", "06"])
    after = Unit.objects.valid_on(REFORM).filter(code__in=["01", "19"])
    assert before.count() == 3 and after.count() == 2
    old = national_round(2024, before, {"01": "90.00", "19": "85.50", "06": "80.00"})
    new = national_round(2025, after, {"01": "91.25", "19": "88.00"})
    # codes in each table were read as of its year: the 2024 "19" is the old province
    assert old["19"].unit.valid_to == EVE and new["19"].unit.valid_from == REFORM
    # Hà Nội: 90.00 → 91.25, 1st of 3 → 1st of 2
    assert new["01"].previous == old["01"]
    assert (new["01"].delta_index, new["01"].delta_rank) == (Decimal("1.25"), 0)
    # Thái Nguyên is a merger: no previous result, never a made-up one
    assert (new["19"].previous, new["19"].delta_index, new["19"].delta_rank) == (None, None, None)
