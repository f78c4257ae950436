"""The official lists from the packaged dataset. Most tests load a few provinces;
the slow one loads the whole country, as the issue asks, and runs in CI."""

from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from units.models import Unit, UnitLineage
from units.official import official_list

REFORM = date(2025, 7, 1)
EVE = date(2025, 6, 30)
# Thái Nguyên's district-level units before 2025 (GSO codes): two cities, one
# town-turned-city (Phổ Yên) and six districts.
THAI_NGUYEN_DISTRICTS = {"164", "165", "167", "168", "169", "170", "171", "172", "173"}


def snapshot():
    return list(
        Unit.objects.order_by("code", "valid_from").values_list(
            "code", "name", "short_name", "type_label", "kind", "valid_from", "valid_to", "parent__code"
        )
    )


@pytest.mark.django_db
def test_2024_list_of_a_province_has_its_districts_and_communes_with_gso_codes():
    call_command("load_units", official=2024, province=["70"])
    dong_phu = Unit.objects.get(code="695")
    assert (dong_phu.name, dong_phu.short_name, dong_phu.type_label, dong_phu.kind) == (
        "Huyện Đồng Phú",
        "Đồng Phú",
        "Huyện",
        "district",
    )
    assert (dong_phu.parent.code, dong_phu.parent.name) == ("70", "Tỉnh Bình Phước")
    assert (dong_phu.slug, dong_phu.valid_from, dong_phu.valid_to) == ("dong-phu", None, None)
    # Thị trấn Tân Phú, seat of Đồng Phú
    tan_phu = Unit.objects.get(code="25363")
    assert (tan_phu.name, tan_phu.type_label, tan_phu.parent) == ("Thị trấn Tân Phú", "Thị trấn", dong_phu)


@pytest.mark.django_db
def test_2025_list_closes_the_old_units_and_links_them_to_the_new_ones():
    call_command("load_units", official=2024, province=["19", "06"])
    call_command("load_units", official=2025, province=["19"])
    old_thai_nguyen = Unit.objects.get(code="19", valid_to=EVE)
    assert set(old_thai_nguyen.children.filter(kind="district").values_list("code", flat=True)) == THAI_NGUYEN_DISTRICTS
    new = Unit.objects.get(code="19", valid_from=REFORM)
    assert (new.name, new.valid_to) == ("Tỉnh Thái Nguyên", None)
    assert sorted(new.predecessor_links.values_list("predecessor__code", "kind")) == [("06", "merge"), ("19", "merge")]
    # Every old unit ended the day before; every new commune lies in the new province.
    assert not Unit.objects.filter(valid_from=None).exclude(valid_to=EVE).exists()
    assert set(Unit.objects.filter(valid_from=REFORM, kind="commune").values_list("parent", flat=True)) == {new.pk}
    # Every old commune went somewhere; every new commune came from somewhere.
    old_communes = Unit.objects.filter(kind="commune", valid_to=EVE)
    assert not old_communes.filter(successor_links=None).exists()
    assert not Unit.objects.filter(kind="commune", valid_from=REFORM, predecessor_links=None).exists()
    assert Counter(UnitLineage.objects.values_list("kind", flat=True)).keys() <= {"merge", "split", "rename"}
    # The new Thái Nguyên has 92 communes: 15 phường and 77 xã.
    assert Counter(new.children.values_list("type_label", flat=True)) == {"Phường": 15, "Xã": 77}


@pytest.mark.django_db
def test_a_commune_kept_whole_and_alone_is_a_rename_and_an_island_district_became_a_special_zone():
    call_command("load_units", official=2025, province=["79"])  # Hồ Chí Minh City, with Côn Đảo
    con_dao = Unit.objects.get(code="755")  # Huyện Côn Đảo had no communes
    assert (con_dao.kind, con_dao.valid_to) == ("district", EVE)
    [link] = con_dao.successor_links.select_related("successor")
    assert (link.successor.name, link.successor.type_label, link.kind) == ("Đặc khu Côn Đảo", "Đặc khu", "rename")
    renamed = UnitLineage.objects.filter(kind="rename", successor__kind="commune", predecessor__kind="commune")
    for link in renamed.select_related("successor"):
        assert link.successor.predecessor_links.count() == 1


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_the_order_of_the_lists_does_not_matter(capsys):
    call_command("load_units", official=2025, province=["19"])
    alone = snapshot()
    call_command("load_units", official=2025, province=["19"])
    call_command("load_units", official=2024, province=["19", "06"])
    assert "0 đơn vị được tạo, 0 được sửa" in capsys.readouterr().out.splitlines()[-2]
    assert snapshot() == alone


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_and_an_unknown_province_is_refused():
    call_command("load_units", official=2025, province=["19"], dry_run=True)
    assert not Unit.objects.exists()
    with pytest.raises(CommandError, match="không có tỉnh 70 trong danh mục năm 2025"):
        call_command("load_units", official=2025, province=["70"])


def test_the_2025_list_maps_every_old_commune_exactly_once_or_splits_it():
    data = official_list(2025)
    split = Counter(link.predecessor_code for link in data.lineage if link.kind == "split")
    whole = Counter(
        link.predecessor_code for link in data.lineage if link.kind != "split" and len(link.successor_code) == 5
    )
    assert all(count >= 2 for count in split.values())
    assert all(count == 1 for count in whole.values())
    assert not split.keys() & whole.keys()


@pytest.mark.slow
@pytest.mark.django_db
def test_the_whole_country_before_and_after_1_july_2025():
    call_command("load_units", official=2024)
    call_command("load_units", official=2025)
    before = Counter(Unit.objects.valid_on(EVE).values_list("kind", flat=True))
    after = Counter(Unit.objects.valid_on(REFORM).values_list("kind", flat=True))
    assert before == {"province": 63, "district": 696, "commune": 10_035}
    assert after == {"province": 34, "commune": 3_321}
    assert Unit.objects.filter(kind="province", valid_to=EVE).count() == 63
    dong_phu = Unit.objects.get(code="695")
    assert (dong_phu.name, dong_phu.parent.code, dong_phu.parent.name) == ("Huyện Đồng Phú", "70", "Tỉnh Bình Phước")
    thai_nguyen = Unit.objects.valid_on(EVE).get(code="19")
    assert set(thai_nguyen.children.values_list("code", flat=True)) == THAI_NGUYEN_DISTRICTS
    assert not Unit.objects.filter(kind="commune", valid_from=REFORM, predecessor_links=None).exists()
