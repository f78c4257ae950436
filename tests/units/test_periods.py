"""Codes reused over time, lineage, parents resolved by period, and what a
repeated write changes (DESIGN §2: a code names one unit at any one time)."""

from datetime import date

import pytest
from django.db.models import F

from units.models import Unit, UnitLineage
from units.services import LineageRow, UnitInputError, UnitRow, units_upsert

REFORM = date(2025, 7, 1)
EVE = date(2025, 6, 30)


def province(code, name, **extra):
    return UnitRow(code=code, name=f"Tỉnh {name}", short_name=name, kind="province", **extra)


def links_of(unit):
    return sorted((link.predecessor.name, link.kind) for link in unit.predecessor_links.select_related("predecessor"))


@pytest.mark.django_db
def test_a_reused_code_gets_a_new_unit_and_the_old_one_is_closed_the_day_before():
    units_upsert(rows=[province("19", "Thái Nguyên"), province("06", "Bắc Kạn")])
    changes = units_upsert(
        rows=[province("19", "Thái Nguyên", valid_from=REFORM, predecessor_codes=("19", "06"))],
    )
    assert [unit.code for unit in changes.created] == ["19"]
    old, new = Unit.objects.filter(code="19").order_by(F("valid_from").asc(nulls_first=True))
    assert (old.valid_from, old.valid_to) == (None, EVE)
    assert (new.valid_from, new.valid_to) == (REFORM, None)
    assert Unit.objects.get(code="06").valid_to == EVE
    assert links_of(new) == [("Tỉnh Bắc Kạn", "merge"), ("Tỉnh Thái Nguyên", "merge")]
    assert {link.effective_date for link in UnitLineage.objects.all()} == {REFORM}


@pytest.mark.django_db
def test_lineage_kinds_follow_from_the_predecessor_codes():
    units_upsert(rows=[UnitRow(code=c, name=f"Xã {c}", kind="commune") for c in ("00001", "00002", "00003", "00004")])
    units_upsert(
        rows=[
            # 00001 renamed; 00002 split between two; 00003 and 00004 merged into the second part.
            UnitRow(code="00001", name="Phường Mới", kind="commune", valid_from=REFORM, predecessor_codes=("00001",)),
            UnitRow(code="00010", name="Xã Mười", kind="commune", valid_from=REFORM, predecessor_codes=("00002",)),
            UnitRow(
                code="00011",
                name="Xã Mười Một",
                kind="commune",
                valid_from=REFORM,
                predecessor_codes=("00002", "00003", "00004"),
            ),
        ]
    )
    kinds = {
        (link.predecessor.code, link.successor.code): link.kind
        for link in UnitLineage.objects.select_related("predecessor", "successor")
    }
    assert kinds == {
        ("00001", "00001"): "rename",
        ("00002", "00010"): "split",
        ("00002", "00011"): "split",
        ("00003", "00011"): "merge",
        ("00004", "00011"): "merge",
    }


@pytest.mark.django_db
def test_parents_are_the_units_holding_the_code_during_the_childs_life():
    units_upsert(rows=[province("19", "Thái Nguyên"), province("06", "Bắc Kạn")])
    units_upsert(rows=[province("19", "Thái Nguyên", valid_from=REFORM, predecessor_codes=("19", "06"))])
    units_upsert(
        rows=[
            UnitRow(code="172", name="Thị xã Phổ Yên", kind="district", parent_code="19", valid_to=EVE),
            UnitRow(code="05440", name="Phường Phổ Yên", kind="commune", parent_code="19", valid_from=REFORM),
            UnitRow(code="19-NV", name="Sở Nội vụ", kind="department", parent_code="19"),
        ]
    )
    old, new = Unit.objects.filter(code="19").order_by(F("valid_from").asc(nulls_first=True))
    assert Unit.objects.get(code="172").parent == old
    assert Unit.objects.get(code="05440").parent == new
    assert Unit.objects.get(code="19-NV").parent == new  # still in force: the unit in force now


@pytest.mark.django_db
def test_two_units_in_force_with_one_code_is_an_error_naming_both_and_nothing_is_written():
    units_upsert(rows=[province("19", "Thái Nguyên")])
    with pytest.raises(UnitInputError) as error:
        units_upsert(
            rows=[province("19", "Thái Nguyên mới", valid_from=REFORM), province("20", "Khác")],
        )
    assert error.value.messages == [
        "mã 19: Tỉnh Thái Nguyên (… – …) và Tỉnh Thái Nguyên mới (1/7/2025 – …) trùng thời gian hiệu lực"
    ]
    assert list(Unit.objects.values_list("code", flat=True)) == ["19"]


@pytest.mark.django_db
def test_a_lineage_link_to_a_missing_unit_is_an_error():
    units_upsert(rows=[province("19", "Thái Nguyên")])
    with pytest.raises(UnitInputError) as error:
        units_upsert(rows=[], lineage=[LineageRow("77", "19", "merge", REFORM)])
    assert error.value.messages == ["liên kết 77 → 19: không có đơn vị 77 có hiệu lực ngày 30/6/2025"]
    assert Unit.objects.get(code="19").valid_to is None


@pytest.mark.django_db
def test_writing_the_same_rows_twice_changes_nothing_and_blank_values_keep_what_is_stored():
    rows = [province("19", "Thái Nguyên"), province("06", "Bắc Kạn")]
    units_upsert(rows=rows)
    units_upsert(rows=[province("19", "Thái Nguyên", valid_from=REFORM, predecessor_codes=("19", "06"))])
    before = list(Unit.objects.values_list("code", "name", "short_name", "valid_from", "valid_to", "parent"))
    again = units_upsert(rows=rows)  # the old list again: its blank valid_to keeps 30/6/2025
    assert not again.changed
    assert again.unchanged == 2
    assert list(Unit.objects.values_list("code", "name", "short_name", "valid_from", "valid_to", "parent")) == before


@pytest.mark.django_db
def test_a_dry_run_reports_and_writes_nothing():
    changes = units_upsert(rows=[province("19", "Thái Nguyên")], dry_run=True)
    assert [unit.code for unit in changes.created] == ["19"]
    assert not Unit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 60])
def test_an_upsert_runs_a_constant_number_of_queries(count, django_assert_num_queries):
    rows = [province("01", "Mẫu")] + [
        UnitRow(code=f"{n:03d}", name=f"Huyện {n}", kind="district", parent_code="01", valid_to=EVE)
        for n in range(100, 100 + count)
    ]
    # savepoint; load the stored units; insert the province, then its districts; release
    with django_assert_num_queries(5):
        units_upsert(rows=rows)
    assert Unit.objects.filter(parent__code="01").count() == count


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Phổ Yên", "pho yen", "PHO YEN"])
def test_search_finds_a_unit_under_its_former_and_current_type(query):
    units_upsert(rows=[UnitRow(code="172", name="Thị xã Phổ Yên", short_name="Phổ Yên", kind="district")])
    units_upsert(
        rows=[
            UnitRow(
                code="172",
                name="Thành phố Phổ Yên",
                short_name="Phổ Yên",
                kind="district",
                valid_from=date(2022, 5, 1),
                predecessor_codes=("172",),
            )
        ]
    )
    found = Unit.objects.search(query).order_by(F("valid_from").asc(nulls_first=True))
    assert [unit.name for unit in found] == ["Thị xã Phổ Yên", "Thành phố Phổ Yên"]
    assert [unit.name for unit in Unit.objects.search("thanh pho pho yen")] == ["Thành phố Phổ Yên"]
    assert [unit.name for unit in Unit.objects.valid_on(date(2022, 4, 30)).search(query)] == ["Thị xã Phổ Yên"]
