from datetime import date

import pytest

from units.models import Unit
from units.services import UnitRow, units_upsert

MERGED = date(2025, 7, 1)


@pytest.fixture
def provinces(db) -> tuple[Unit, Unit, Unit]:
    """(old Thái Nguyên, Bắc Kạn, new Thái Nguyên): the two ended on 30/6/2025 and
    were merged on 1/7/2025 into a new Thái Nguyên that reuses the code 19."""
    ended = date(2025, 6, 30)
    units_upsert(
        rows=[
            UnitRow(code="19", name="Tỉnh Thái Nguyên", kind="province", valid_to=ended),
            UnitRow(code="06", name="Tỉnh Bắc Kạn", kind="province", valid_to=ended),
        ]
    )
    units_upsert(
        rows=[
            UnitRow(
                code="19", name="Tỉnh Thái Nguyên", kind="province", valid_from=MERGED, predecessor_codes=("19", "06")
            )
        ]
    )
    return (
        Unit.objects.get(code="19", valid_to=ended),
        Unit.objects.get(code="06"),
        Unit.objects.get(code="19", valid_from=MERGED),
    )
