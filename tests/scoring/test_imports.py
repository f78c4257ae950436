"""import_framework, import_scores, import_results and publish on the sample files of
tests/data: real-world quirks, hand-computed results, every bad cell reported and
nothing half-written, re-imports that change nothing, the audit trail."""

from datetime import timedelta
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from scoring import engine
from scoring.models import Criterion, Framework, Result, Revision, Score, ScoreChange
from scoring.services import scores as scores_service
from scoring.services.scores import KEEP, ScoreCell
from scoring.spreadsheets.imports import scores_from_file
from tests.scoring.samples import DATA, EXPECTED, SLUG, framework_import, indexes
from units.models import Unit
from units.services import UnitRow, units_upsert


def test_the_framework_file_gives_the_tree_kinds_components_and_the_participants_of_the_block(binh_phuoc, capsys):
    framework = framework_import()
    assert "9 tiêu chí, 4 đơn vị tham gia" in capsys.readouterr().out
    criteria = {criterion.code: criterion for criterion in framework.criteria.all()}
    assert (criteria["2"].max_points, criteria["2.1"].max_points, criteria["2"].is_leaf) == (D("14.5"), D("4.5"), False)
    assert (criteria["4"].kind, criteria["5"].kind, criteria["3"].component) == ("bonus", "penalty", "survey")
    assert criteria["1.1"].parent == criteria["1"]
    # Thái Nguyên's city is a district too, but not under scope 70.
    assert sorted(framework.participants.values_list("code", flat=True)) == ["689", "692", "693", "695"]


def test_importing_the_framework_again_changes_nothing(framework, capsys):
    framework_import()
    assert "không thay đổi" in capsys.readouterr().out
    assert Revision.objects.count() == 0


@pytest.mark.parametrize("sample", ["scores_wide.xlsx", "scores_wide.ods", "scores_long.csv", "scores_long_comma.csv"])
def test_every_layout_and_format_gives_the_hand_computed_results(framework, sample):
    call_command("import_scores", str(DATA / sample), framework=SLUG)
    assert indexes(framework) == EXPECTED
    not_applicable = Score.objects.get(unit__code="695", criterion__code="1.2")
    assert (not_applicable.not_applicable, not_applicable.points) == (True, None)


@pytest.mark.parametrize("sample", ["scores_wide.xlsx", "scores_long.csv"])
def test_a_file_hands_its_cells_to_the_services_as_named_score_cells(framework, sample):
    cells = scores_from_file(DATA / sample, framework).cells
    assert len(cells) == 18 and all(type(cell) is ScoreCell for cell in cells)
    not_applicable = next(cell for cell in cells if cell.value is engine.NOT_APPLICABLE)
    criterion = Criterion.objects.get(pk=not_applicable.criterion_id)
    assert (criterion.code, Unit.objects.get(pk=not_applicable.unit_id).code) == ("1.2", "695")
    assert (not_applicable.self_assessed_points, not_applicable.note) == (KEEP, KEEP)  # no such columns: kept


def test_reimporting_the_same_file_changes_nothing_and_a_corrected_one_only_its_cells(framework, tmp_path, capsys):
    call_command("import_scores", str(DATA / "scores_wide.xlsx"), framework=SLUG)
    assert "3 đơn vị (dạng ngang): 18 ô được tạo" in capsys.readouterr().out
    stamps = dict(Score.objects.values_list("pk", "updated_at"))
    assert all(abs(stamp - timezone.now()) < timedelta(minutes=1) for stamp in stamps.values())  # the database's clock
    call_command("import_scores", str(DATA / "scores_long.csv"), framework=SLUG)
    assert "0 ô được tạo, 0 ô thay đổi, 18 ô không đổi" in capsys.readouterr().out
    assert dict(Score.objects.values_list("pk", "updated_at")) == stamps
    assert Revision.objects.count() == 1

    corrected = tmp_path / "corrected.csv"
    corrected.write_text("Mã đơn vị;Mã tiêu chí;Điểm\n692;2.2;6\n692;1.1;2\n", encoding="utf-8")
    call_command("import_scores", str(corrected), framework=SLUG)
    revision = Revision.objects.first()
    change = ScoreChange.objects.get(revision=revision)
    assert (change.unit.code, change.criterion.code, change.old_points, change.new_points) == ("692", "2.2", 5, 6)
    assert (revision.cells_changed, revision.source) == (1, "import_scores corrected.csv")
    assert indexes(framework)["692"] == (D("69.00"), 3)
    changed = Score.objects.get(unit__code="692", criterion__code="2.2").pk
    after = dict(Score.objects.values_list("pk", "updated_at"))
    assert after[changed] > stamps.pop(changed)
    assert {pk: stamp for pk, stamp in after.items() if pk != changed} == stamps


def test_a_published_framework_is_corrected_only_with_a_reason(framework, tmp_path):
    call_command("import_scores", str(DATA / "scores_wide.xlsx"), framework=SLUG)
    call_command("publish", framework=SLUG, decision="501/QĐ-UBND", date="29/3/2023")
    corrected = tmp_path / "corrected.csv"
    corrected.write_text("Mã đơn vị;Mã tiêu chí;Điểm\n692;2.2;6\n", encoding="utf-8")
    with pytest.raises(CommandError, match="lý do"):
        call_command("import_scores", str(corrected), framework=SLUG)
    assert indexes(framework)["692"] == (D("68.00"), 3)
    call_command("import_scores", str(corrected), framework=SLUG, reason="Phúc khảo theo đơn ngày 5/4/2023")
    revision = Revision.objects.first()
    assert revision.results_before["692"] == {"index": "68.00", "rank": 3}
    assert indexes(framework)["692"] == (D("69.00"), 3)


def write_sheet(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("bad_row", [0, 2, 4], ids=["first", "middle", "last"])
def test_a_bad_row_anywhere_writes_nothing_and_every_bad_cell_is_reported(framework, tmp_path, bad_row):
    rows = [["695", 3, 4.5, 2, 9], ["689", 4, 5, 4, 10], ["Lộc Ninh", 1, 1, 1, 1], ["693", 1, 1, 1, 1]]
    rows.insert(bad_row, ["999", "x", 7, -1, "1,234"])
    path = write_sheet(tmp_path / "bad.xlsx", [["Mã đơn vị", "1.1", "1.2", "2.1", "2.2"], *rows])
    with pytest.raises(CommandError) as raised:
        call_command("import_scores", str(path), framework=SLUG)
    message = str(raised.value)
    row = bad_row + 2
    assert f"dòng {row}, cột Mã đơn vị, giá trị '999': không có đơn vị này" in message
    assert f"dòng {row}, cột 1.1, giá trị 'x': không phải là số, cũng không phải KAD" in message
    assert f"dòng {row}, cột 1.2, giá trị '7': điểm 7: vượt điểm tối đa 6" in message
    assert f"dòng {row}, cột 2.1, giá trị '-1': điểm -1: là số âm" in message
    assert f"dòng {row}, cột 2.2, giá trị '1,234': điểm 1,234: quá 2 chữ số thập phân" in message
    assert Score.objects.count() == 0
    assert Revision.objects.count() == 0


def test_a_unit_by_an_ambiguous_name_lists_the_candidates(framework, tmp_path):
    units_upsert(rows=[UnitRow(code="697", name="Thị xã Đồng Phú", kind="district", parent_code="70")])
    framework.participants.add(*framework.participants.model.objects.filter(code="697"))
    path = write_sheet(tmp_path / "names.xlsx", [["Đơn vị", "1.1"], ["dong phu", 2], ["Huyện Đồng Phú", 3]])
    with pytest.raises(CommandError) as raised:
        call_command("import_scores", str(path), framework=SLUG)
    candidates = "nhiều đơn vị có tên này: 695 Huyện Đồng Phú; 697 Thị xã Đồng Phú"
    assert f"dòng 2, cột Đơn vị, giá trị 'dong phu': {candidates}" in str(raised.value)
    assert "dòng 3" not in str(raised.value)  # the full name is not ambiguous


def test_a_code_and_a_name_that_disagree_is_an_error(framework, tmp_path):
    path = write_sheet(tmp_path / "shifted.xlsx", [["Mã", "Tên", "1.1"], [689, "Huyện Lộc Ninh", 2]])
    with pytest.raises(CommandError, match="mã 689 là Thành phố Đồng Xoài"):
        call_command("import_scores", str(path), framework=SLUG)


def test_a_total_column_that_disagrees_is_reported(framework, tmp_path):
    rows = [["Mã đơn vị", "1.1", "4", "5", "Tổng"], ["689", 4, 1, 0.5, 5], ["695", 3, 0, 0, 3]]
    path = write_sheet(tmp_path / "total.xlsx", rows)
    with pytest.raises(CommandError) as raised:
        call_command("import_scores", str(path), framework=SLUG)
    assert "dòng 2, cột Tổng, giá trị '5': không khớp với tổng điểm đã nhập (4,50)" in str(raised.value)
    assert "dòng 3" not in str(raised.value)


def test_scores_on_a_parent_criterion_or_an_unknown_one_are_errors(framework, tmp_path):
    long = tmp_path / "long.csv"
    long.write_text("unit_code,criterion_code,points\n689,1,3\n689,9.9,1\n689,1.1,2\n689,1.1,3\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_scores", str(long), framework=SLUG)
    message = str(raised.value)
    assert "dòng 2, cột criterion_code, giá trị '1': tiêu chí 1 có tiêu chí con" in message
    assert "dòng 3, cột criterion_code, giá trị '9.9': không có tiêu chí 9.9 trong bộ tiêu chí này" in message
    assert "dòng 5, cột criterion_code" in message  # the same cell twice


def test_a_number_typed_code_that_could_be_two_criteria_is_ambiguous(binh_phuoc, tmp_path):
    criteria = tmp_path / "criteria.csv"
    criteria.write_text("code,name,max_points\n1,A,20\n1.1,B,10\n1.10,C,10\n", encoding="utf-8")
    call_command("import_framework", str(criteria), index="cchc", year=2023, scope="70", block="district")
    path = write_sheet(tmp_path / "float.xlsx", [["Mã đơn vị", 1.1, "1.10"], ["689", 2, 3]])
    with pytest.raises(CommandError, match=r"số 1\.1 có thể là tiêu chí 1.1 hoặc 1.10"):
        call_command("import_scores", str(path), framework="cchc-2023-70-district")


def test_a_dry_run_reports_and_writes_nothing(framework, capsys):
    call_command("import_scores", str(DATA / "scores_wide.xlsx"), framework=SLUG, dry_run=True)
    assert "không ghi gì" in capsys.readouterr().out
    assert Score.objects.count() == 0


def test_published_results_by_name_with_a_rank_that_disagrees(binh_phuoc, capsys):
    framework = framework_import(mode="published", slug="ket-qua-2022")
    call_command("import_results", str(DATA / "results_district.xlsx"), framework="ket-qua-2022")
    got = {result.unit.code: result for result in Result.objects.filter(framework=framework).select_related("unit")}
    assert (got["695"].index, got["695"].rank, got["695"].field_points) == (D("93.91"), 1, {"2": "13.96"})
    assert (got["692"].rank, got["692"].published_rank, got["692"].rank_disagrees) == (3, 4, True)
    capsys.readouterr()
    call_command("import_results", str(DATA / "results_district.xlsx"), framework="ket-qua-2022")
    assert "0 đơn vị thay đổi" in capsys.readouterr().out


def test_publish_needs_a_real_date(framework):
    with pytest.raises(CommandError):
        call_command("publish", framework=SLUG, decision="501/QĐ-UBND", date="31/2/2023")
    assert not hasattr(Framework.objects.get(slug=SLUG), "publication")


def test_the_blank_template_filled_in_imports_back_and_again_changes_nothing(framework, tmp_path, capsys):
    template = tmp_path / "phieu.xlsx"
    call_command("export_results", framework=SLUG, template=True, output=str(template))
    book = openpyxl.load_workbook(template)
    sheet = book.worksheets[0]
    codes = [cell.value for cell in sheet[2][2:]]
    filled = {"689": {"1.1": 4, "1.2": "KAD", "3": 70.25}, "693": {"2.2": "9,5", "5": 1}}
    for row in sheet.iter_rows(min_row=4):
        for code, value in filled.get(row[0].value, {}).items():
            row[2 + codes.index(code)].value = value
    book.save(template)
    capsys.readouterr()
    call_command("import_scores", str(template), framework=SLUG)
    assert "4 đơn vị (dạng ngang): 5 ô được tạo" in capsys.readouterr().out  # blank cells are not entered
    # 689: 4 + 70.25 of 100 − 6 not applicable = 74.25 / 94 = 78.99 (78.989…); 693: 9.5 − 1 = 8.5.
    assert {code: index for code, (index, _rank) in indexes(framework).items()} == {
        "689": D("78.99"),
        "693": D("8.50"),
        "692": None,
        "695": None,
    }
    call_command("import_scores", str(template), framework=SLUG)
    assert "0 ô được tạo, 0 ô thay đổi, 5 ô không đổi" in capsys.readouterr().out


@pytest.fixture
def whole_framework_path(monkeypatch):
    """Imports compare with every stored cell, as for a national file, and so
    compute the results while the cells are being written (another thread)."""
    monkeypatch.setattr(scores_service, "_FEW_UNITS", 0)


def test_a_large_import_computes_the_results_while_it_writes_the_cells(framework, whole_framework_path, tmp_path):
    call_command("import_scores", str(DATA / "scores_wide.xlsx"), framework=SLUG)
    assert indexes(framework) == EXPECTED
    corrected = tmp_path / "corrected.csv"
    corrected.write_text("Mã đơn vị;Mã tiêu chí;Điểm\n692;2.2;6\n", encoding="utf-8")
    call_command("import_scores", str(corrected), framework=SLUG)
    assert indexes(framework)["692"] == (D("69.00"), 3)
    assert ScoreChange.objects.get().new_points == 6


def test_a_write_that_fails_alongside_the_results_leaves_nothing_written(framework, whole_framework_path, monkeypatch):
    def failing_write(staged, revision_id):
        raise IntegrityError("the disk is full")

    monkeypatch.setattr(scores_service, "_score_cells_write", failing_write)
    with pytest.raises(IntegrityError, match="disk is full"), transaction.atomic():
        call_command("import_scores", str(DATA / "scores_wide.xlsx"), framework=SLUG)
    assert (Score.objects.count(), Revision.objects.count()) == (0, 0)
    assert not Result.objects.filter(framework=framework).exclude(index=None).exists()


def test_the_named_sheet_is_read_and_an_unknown_one_lists_the_sheets(framework, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Hướng dẫn"
    book.active.append(["Điền điểm vào trang Điểm"])
    hidden = book.create_sheet("Danh mục")
    hidden.sheet_state = "hidden"
    scores = book.create_sheet("Điểm")
    for row in [["Mã đơn vị", "1.1", "1.2"], ["695", 3, " "], ["689", 4, 5]]:
        scores.append(row)
    path = tmp_path / "sheets.xlsx"
    book.save(path)
    call_command("import_scores", str(path), framework=SLUG, sheet="Điểm")
    assert dict(Score.objects.values_list("unit__code", "points").filter(criterion__code="1.1")) == {
        "695": 3,
        "689": 4,
    }
    assert not Score.objects.filter(unit__code="695", criterion__code="1.2").exists()  # a blank of spaces
    with pytest.raises(CommandError) as raised:
        call_command("import_scores", str(path), framework=SLUG, sheet="Diem")
    assert "không có trang tính tên Diem; các trang tính của tệp: Hướng dẫn, Danh mục, Điểm" in str(raised.value)
    with pytest.raises(CommandError, match="Mã đơn vị"):  # the first sheet by default: no header row there
        call_command("import_scores", str(path), framework=SLUG)
