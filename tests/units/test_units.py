from datetime import date

import pytest
from django.db import IntegrityError

from cchc_portal.text import fold, slugify_vi
from tests.factories import UnitFactory
from units.models import Unit, UnitLineage
from units.services import UnitInputError, UnitRow, units_upsert


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Đồng Phú", "dong-phu"),
        ("Huyện Đồng Phú", "huyen-dong-phu"),
        ("ĐỊNH HÓA", "dinh-hoa"),
        ("Thị xã Phổ Yên", "thi-xa-pho-yen"),
        ("Sở Lao động - Thương binh và Xã hội", "so-lao-dong-thuong-binh-va-xa-hoi"),
    ],
)
def test_slug_keeps_the_d_of_d_stroke(name, slug):
    assert slugify_vi(name) == slug


def test_fold_removes_diacritics_case_and_extra_spaces():
    assert fold("  Huyện   ĐỒNG Phú ") == "huyen dong phu"


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["dong phu", "Đồng Phú", "ĐỒNG PHÚ", "huyen dong", "695"])
def test_search_ignores_diacritics_and_finds_by_code(query):
    dong_phu = UnitFactory(code="695", name="Huyện Đồng Phú", short_name="Đồng Phú")
    UnitFactory(code="696", name="Huyện Bù Đăng", short_name="Bù Đăng")
    UnitFactory(code="27316", name="Phường An Đông", short_name="An Đông")  # "phu" begins no word of it
    assert list(Unit.objects.search(query)) == [dong_phu]


@pytest.mark.django_db
def test_search_by_short_name_whatever_the_type_label():
    pho_yen = UnitFactory(code="172", name="Thành phố Phổ Yên", short_name="Phổ Yên", type_label="Thành phố")
    assert list(Unit.objects.search("Phổ Yên")) == [pho_yen]
    assert list(Unit.objects.search("   ")) == []


@pytest.mark.django_db
def test_units_upsert_creates_then_updates_by_code_and_links_parents():
    rows = [
        UnitRow(code="70", name="Tỉnh Bình Phước", kind="province", short_name="Bình Phước"),
        UnitRow(code="695", name="Huyện Đồng Phú", kind="district", short_name="Đồng Phú", parent_code="70"),
    ]
    assert len(units_upsert(rows=rows).created) == 2
    dong_phu = Unit.objects.get(code="695")
    assert (dong_phu.slug, dong_phu.parent.code) == ("dong-phu", "70")
    units_upsert(rows=[UnitRow(code="695", name="Thị xã Đồng Phú", kind="district", parent_code="70")])
    dong_phu.refresh_from_db()
    assert dong_phu.name == "Thị xã Đồng Phú"
    assert dong_phu.short_name == "Đồng Phú"  # a blank short name keeps the stored one
    assert dong_phu.search_name == " thi xa dong phu dong phu "
    assert Unit.objects.count() == 2


@pytest.mark.django_db
def test_units_upsert_with_an_unknown_parent_writes_nothing():
    with pytest.raises(UnitInputError, match="99"):
        units_upsert(rows=[UnitRow(code="695", name="Huyện Đồng Phú", kind="district", parent_code="99")])
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_units_upsert_rejects_a_code_given_twice():
    rows = [
        UnitRow(code="695", name="Huyện Đồng Phú", kind="district"),
        UnitRow(code="695", name="Khác", kind="district"),
    ]
    with pytest.raises(UnitInputError) as error:
        units_upsert(rows=rows)
    assert error.value.messages == ["đơn vị 695: mã 695 nhập hai lần"]
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_database_rejects_inverted_validity_and_self_lineage():
    unit = UnitFactory()
    unit.valid_from, unit.valid_to = date(2025, 7, 1), date(2025, 6, 30)
    with pytest.raises(IntegrityError):
        unit.save()


@pytest.mark.django_db
def test_database_rejects_a_unit_succeeding_itself():
    unit = UnitFactory()
    with pytest.raises(IntegrityError):
        UnitLineage.objects.create(predecessor=unit, successor=unit, kind="rename")
