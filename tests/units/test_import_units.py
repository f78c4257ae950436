"""import_units: real-world files, every bad cell reported, nothing half-written."""

from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from units.models import Unit, UnitLineage
from units.services import UnitRow, units_upsert


def write_csv(tmp_path, text, *, name="units.csv", bom=True):
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


@pytest.fixture
def thai_nguyen(db):
    units_upsert(rows=[UnitRow(code="19", name="Tỉnh Thái Nguyên", short_name="Thái Nguyên", kind="province")])


def test_a_semicolon_csv_with_title_rows_and_vietnamese_headers(tmp_path, thai_nguyen, capsys):
    path = write_csv(
        tmp_path,
        "DANH MỤC CƠ QUAN, ĐƠN VỊ;;;\n"
        "Kèm theo Quyết định số 1/QĐ-UBND;;;\n"
        ";;;\n"
        "STT;MÃ;Tên đơn vị;Loại;Mã cấp trên;Ghi chú\n"
        "1;19-NV;Sở Nội vụ;Sở;19;\n"
        "2;19-TP;Sở Tư pháp;sở, ban, ngành;19;đổi tên 2024\n",
    )
    call_command("import_units", str(path))
    assert "2 đơn vị được tạo" in capsys.readouterr().out
    home_affairs = Unit.objects.get(code="19-NV")
    assert (home_affairs.name, home_affairs.kind, home_affairs.parent.code) == ("Sở Nội vụ", "department", "19")
    assert Unit.objects.get(code="19-TP").kind == "department"


def test_an_xlsx_whose_codes_were_typed_as_numbers_gets_them_padded(tmp_path, thai_nguyen):
    path = tmp_path / "units.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["code", "name", "kind", "parent_code", "valid_from"])
    sheet.append([168, "Huyện Phú Lương", "huyện", 19, None])
    sheet.append([5440, "Thị trấn Đu", "thị trấn", 168, date(2000, 1, 1)])
    book.save(path)
    call_command("import_units", str(path))
    du = Unit.objects.get(code="05440")
    assert (du.type_label, du.parent.code, du.valid_from) == ("Thị trấn", "168", date(2000, 1, 1))
    assert Unit.objects.get(code="168").type_label == "Huyện"


def test_every_bad_row_is_reported_with_row_column_value_and_reason_and_nothing_is_written(tmp_path, thai_nguyen):
    path = write_csv(
        tmp_path,
        "Mã,Tên,Loại,Mã cấp trên,Hiệu lực từ\n"
        "19-XD,,sở,19,\n"
        "19-NV,Sở Nội vụ,sở,19,\n"
        "19-GD,Sở Giáo dục,phòng,19,\n"
        "19-YT,Sở Y tế,sở,19,31/2/2020\n"
        "19-NV,Sở Nội vụ,sở,19,\n"
        "19-KH,Sở KH,sở,77,\n",
        bom=False,
    )
    with pytest.raises(CommandError) as error:
        call_command("import_units", str(path))
    assert [line.strip() for line in str(error.value).strip().splitlines()] == [
        "dòng 2, cột Tên, giá trị '': tên trống",
        "dòng 4, cột Loại, giá trị 'phòng': không phải loại đơn vị"
        " (tỉnh, huyện, xã, sở, bộ … hoặc province, district, commune …)",
        "dòng 5, cột Hiệu lực từ, giá trị '31/2/2020': không phải ngày; ghi 2025-07-01 hoặc 1/7/2025",
    ]
    assert list(Unit.objects.values_list("code", flat=True)) == ["19"]
    # With the cells fixed, the service finds the rest: a code twice, an unknown parent.
    path.write_text("Mã,Tên,Loại,Mã cấp trên\n19-NV,Sở Nội vụ,sở,19\n19-NV,Sở Nội vụ,sở,19\n19-KH,Sở KH,sở,77\n")
    with pytest.raises(CommandError) as error:
        call_command("import_units", str(path))
    assert [line.strip() for line in str(error.value).strip().splitlines()] == [
        "dòng 3: mã 19-NV nhập hai lần",
    ]
    path.write_text("Mã,Tên,Loại,Mã cấp trên\n19-NV,Sở Nội vụ,sở,19\n19-KH,Sở KH,sở,77\n")
    with pytest.raises(CommandError) as error:
        call_command("import_units", str(path))
    assert [line.strip() for line in str(error.value).strip().splitlines()] == [
        "dòng 3: không có đơn vị cấp trên 77 trong thời gian hiệu lực của đơn vị",
    ]
    assert list(Unit.objects.values_list("code", flat=True)) == ["19"]


def test_dry_run_and_predecessor_codes(tmp_path, thai_nguyen, capsys):
    units_upsert(rows=[UnitRow(code="06", name="Tỉnh Bắc Kạn", kind="province")])
    path = write_csv(
        tmp_path,
        'code,name,kind,valid_from,predecessor_codes\n19,Tỉnh Thái Nguyên,tỉnh,1/7/2025,"19, 06"\n',
    )
    call_command("import_units", str(path), dry_run=True)
    assert capsys.readouterr().out.startswith("Chạy thử, không ghi gì")
    assert Unit.objects.count() == 2
    call_command("import_units", str(path))
    new = Unit.objects.get(code="19", valid_from=date(2025, 7, 1))
    assert sorted(UnitLineage.objects.filter(successor=new).values_list("predecessor__code", "kind")) == [
        ("06", "merge"),
        ("19", "merge"),
    ]
    assert set(Unit.objects.filter(valid_from=None).values_list("valid_to", flat=True)) == {date(2025, 6, 30)}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("units.txt", b"code,name\n", "units.txt: dùng tệp xlsx, ods hoặc csv"),
        ("units.xlsx", b"code,name,kind\n", "units.xlsx không phải tệp xlsx"),
        ("units.csv", b"PK\x03\x04rest", "units.csv có đuôi .csv nhưng là bảng tính"),
        ("units.csv", b"M\xe3,T\xean\n", "units.csv không phải văn bản UTF-8: hãy lưu dưới dạng CSV UTF-8"),
        ("units.csv", b"a,b\n1,2\n", "không có dòng tiêu đề nêu các cột Mã (code), Tên (name), Loại (kind)"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_reason(tmp_path, db, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        call_command("import_units", str(path))


def test_a_file_over_the_size_limit_is_refused(tmp_path, db, settings):
    settings.IMPORT_MAX_BYTES = 100
    path = write_csv(tmp_path, "code,name,kind\n" + "x" * 200)
    with pytest.raises(CommandError, match="giới hạn"):
        call_command("import_units", str(path))
