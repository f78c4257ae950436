import pytest

from tests.scoring.samples import framework_import
from units.services import UnitRow, units_upsert


@pytest.fixture
def binh_phuoc(db):
    """Bình Phước with four districts; Bù Đốp takes part but has no scores in the samples."""
    units_upsert(
        rows=[
            UnitRow(code="70", name="Tỉnh Bình Phước", short_name="Bình Phước", kind="province"),
            UnitRow(code="689", name="Thành phố Đồng Xoài", short_name="Đồng Xoài", kind="district", parent_code="70"),
            UnitRow(code="692", name="Huyện Lộc Ninh", short_name="Lộc Ninh", kind="district", parent_code="70"),
            UnitRow(code="693", name="Huyện Bù Đốp", short_name="Bù Đốp", kind="district", parent_code="70"),
            UnitRow(code="695", name="Huyện Đồng Phú", short_name="Đồng Phú", kind="district", parent_code="70"),
            UnitRow(code="19", name="Tỉnh Thái Nguyên", short_name="Thái Nguyên", kind="province"),
            UnitRow(code="164", name="Thành phố Thái Nguyên", kind="district", parent_code="19"),
        ]
    )


@pytest.fixture
def framework(binh_phuoc):
    return framework_import()
