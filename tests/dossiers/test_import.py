"""Importing dossier statistics: files shaped as provinces write them (title rows,
a header of two rows with merged cells, a row numbering the columns, counts
with thousands dots), every bad cell named, nothing half-written, the same file
again a no-op, an audit of every change, codes read as they stood in the period
(across the 2025 merger), through the command and the admin."""

import io
from datetime import date

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from dossiers.models import DossierStatistics, StatisticsImport
from dossiers.services import statistics_import
from dossiers.spreadsheets import parse_count, statistics_from_file
from scoring.spreadsheets.reader import TableError, Upload
from units.models import Unit
from units.services import UnitRow, units_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(provinces):
    """Huyện Củ Chi (783) and the Thái Nguyên merger of 2025 (``conftest.provinces``)."""
    units_upsert(
        rows=[
            UnitRow(code="79", name="Thành phố Hồ Chí Minh", kind="province"),
            UnitRow(code="783", name="Huyện Củ Chi", kind="district", parent_code="79"),
        ]
    )
    old, _bac_kan, new = provinces
    return {"783": Unit.objects.get(code="783"), "19": old, "19+": new}


def workbook(rows, merges=()) -> Upload:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    data = io.BytesIO()
    book.save(data)
    return Upload("thong-ke.xlsx", data.getvalue())


def report(*data_rows) -> Upload:
    """A provincial report: two title rows, a header whose upper cells "Số hồ sơ"
    and "Kết quả giải quyết" are merged over the counts, a row of column numbers."""
    return workbook(
        [
            ["UBND THÀNH PHỐ HỒ CHÍ MINH"],
            ["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"],
            [
                "Mã đơn vị",
                "Tên đơn vị",
                "Kỳ báo cáo",
                "Số hồ sơ",
                None,
                "Kết quả giải quyết",
                None,
                None,
                "Thư xin lỗi",
            ],
            [None, None, None, "Tiếp nhận", "Trực tuyến toàn trình", "Trước hạn", "Đúng hạn", "Trễ hạn", None],
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)"],
            *data_rows,
        ],
        merges=["A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:H3", "I3:I4"],
    )


def test_a_provincial_report_with_title_rows_and_a_merged_header_is_read_exactly(units):
    rows = statistics_from_file(
        report(
            ["783", "Huyện Củ Chi", "Quý IV/2019", "417.983", "1.204", "0", "417.974", "9", "9"],
            [783, "Huyện Củ Chi", "12/2019", 140_211.0, "37", None, "140 200", "11", None],
        )
    )
    assert [(row.row, row.period.label, row.unit.code) for row in rows] == [
        (6, "2019-Q4", "783"),
        (7, "2019-12", "783"),
    ]
    assert rows[0].counts == {
        "received": 417_983,  # "417.983" is four hundred thousand, not 417,983 thousandths
        "resolved_early": 0,
        "resolved_on_time": 417_974,
        "resolved_late": 9,
        "online_full": 1_204,
        "apology_letters": 9,
    }
    assert rows[1].counts["received"] == 140_211 and rows[1].counts["resolved_on_time"] == 140_200
    assert rows[1].counts["resolved_early"] is None  # blank: not reported, not 0
    result = statistics_import(rows=rows, source="thong-ke.xlsx")
    assert (result.created, result.changed, result.unchanged) == (2, 0, 0)
    stored = DossierStatistics.objects.get(period="2019-Q4")
    assert (stored.kind, stored.starts_on, stored.ends_on) == ("quarter", date(2019, 10, 1), date(2019, 12, 31))
    assert stored.level == "all" and stored.received == 417_983


def test_every_bad_cell_is_named_and_nothing_is_written(units):
    upload = report(
        ["783", "Huyện Củ Chi", "Quý V/2019", "1", "0", "0", "1", "0", None],
        ["999", "Huyện Không Có", "2019", "1", "0", "0", "1", "0", None],
        ["783", "Huyện Củ Chi", "2019", "12,5", "-1", "0", "1", "0", None],
        ["783", "Huyện Củ Chi", "2019-Q1", "10", "11", "0", "1", "0", None],
        ["783", "Huyện Củ Chi", "2020", "10", "0", "0", "1", "0", None],
        ["783", "Huyện Củ Chi", "Năm 2020", "10", "0", "0", "1", "0", None],
    )
    with pytest.raises(TableError) as error:
        statistics_from_file(upload)
    assert error.value.messages == [
        "dòng 6, cột Kỳ báo cáo, giá trị 'Quý V/2019': "
        "không phải kỳ như 2019, 2019-Q4 (Quý IV/2019) hay 2019-12 (12/2019)",
        "dòng 7, cột Mã đơn vị, giá trị '999': không có đơn vị nào mang mã này vào ngày cuối của kỳ",
        "dòng 8, cột Tiếp nhận, giá trị '12,5': không phải số hồ sơ: một số nguyên như 417.983",
        "dòng 8, cột Trực tuyến toàn trình, giá trị '-1': không phải số hồ sơ: một số nguyên như 417.983",
        "dòng 9, cột Trực tuyến toàn trình, giá trị '11': lớn hơn số tiếp nhận (10)",
        "dòng 11, cột Kỳ báo cáo, giá trị 'Năm 2020': Huyện Củ Chi, 2020 đã có ở dòng 10",
    ]
    assert not DossierStatistics.objects.exists()


def test_the_same_file_again_changes_nothing_and_a_change_is_audited(units):
    first = report(["783", "Huyện Củ Chi", "2019", "100", "5", "10", "80", "2", "2"])
    statistics_import(rows=statistics_from_file(first), source="a.xlsx")
    again = statistics_import(rows=statistics_from_file(first), source="a.xlsx")
    assert (again.created, again.changed, again.unchanged, again.record) == (0, 0, 1, None)
    assert StatisticsImport.objects.count() == 1
    corrected = report(["783", "Huyện Củ Chi", "2019", "100", "5", "10", "81", "1", "1"])
    result = statistics_import(rows=statistics_from_file(corrected), source="b.xlsx")
    assert (result.created, result.changed) == (0, 1)
    assert result.record.before["783/2019/all"]["resolved_late"] == 2
    assert DossierStatistics.objects.get().resolved_late == 1


def test_columns_a_file_lacks_are_kept_and_a_blank_cell_is_not_reported(units):
    statistics_import(
        rows=statistics_from_file(report(["783", "Huyện Củ Chi", "2019", "100", "5", "10", "80", "2", "2"]))
    )
    postal = workbook([["Mã đơn vị", "Kỳ", "Bưu chính công ích", "Trễ hạn"], ["783", "2019", "4.046", None]])
    statistics_import(rows=statistics_from_file(postal))
    stored = DossierStatistics.objects.get()
    assert (stored.received, stored.postal, stored.resolved_late) == (100, 4_046, None)


def test_a_code_is_read_as_it_stood_in_the_period_across_the_2025_merger(units):
    rows = statistics_from_file(
        workbook([["Mã đơn vị", "Kỳ", "Tiếp nhận"], ["19", "2017", "746.305"], ["19", "2025-Q4", "90.000"]])
    )
    assert [row.unit for row in rows] == [units["19"], units["19+"]]


def test_parse_count_reads_thousands_as_vietnamese_and_english_files_write_them():
    assert [parse_count(value) for value in ("417.983", "417,983", "417 983", "1.234.567", 12.0, "09")] == [
        417_983,
        417_983,
        417_983,
        1_234_567,
        12,
        9,
    ]
    for bad in ("12,5", "1.23", "1.2345", 12.5, -1, True, "abc", "1.234,567"):
        with pytest.raises(ValueError):
            parse_count(bad)


def test_the_command_checks_then_writes_and_names_the_problems(units, tmp_path):
    path = tmp_path / "thong-ke.csv"
    path.write_text("Mã đơn vị;Kỳ;Tiếp nhận;Đúng hạn\n783;2019;24.704;23.972\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_statistics", str(path), "--dry-run", stdout=out)
    assert (
        out.getvalue().startswith("Chạy thử, không ghi gì: 1 dòng: 1 tạo mới")
        and not DossierStatistics.objects.exists()
    )
    call_command("import_statistics", str(path), stdout=io.StringIO())
    assert DossierStatistics.objects.get().resolved_on_time == 23_972
    path.write_text("Mã đơn vị;Kỳ;Tiếp nhận\n783;2019;nhiều\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_statistics", str(path), stdout=io.StringIO())
    assert "dòng 2, cột Tiếp nhận, giá trị 'nhiều'" in str(error.value)
    assert DossierStatistics.objects.get().received == 24_704


def test_the_admin_imports_a_file_and_checks_one_without_writing(client, units):
    client.force_login(get_user_model().objects.create_superuser("quantri", password="x"))
    url = reverse("admin:dossiers_statistics_import")
    assert client.get(url).status_code == 200
    upload = report(["783", "Huyện Củ Chi", "2019", "100", "5", "10", "80", "2", "2"])

    def file():
        data = io.BytesIO(upload.data)
        data.name = "thong-ke.xlsx"
        return data

    check = client.post(url, {"file": file(), "dry_run": "on"})
    assert check.status_code == 200 and not DossierStatistics.objects.exists()
    assert "1 tạo mới" in check.content.decode()
    response = client.post(url, {"file": file()})
    assert response.status_code == 302 and DossierStatistics.objects.get().received == 100
    assert StatisticsImport.objects.get().user.username == "quantri"
