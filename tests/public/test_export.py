"""Exports: the JSON document, CSV and XLSX downloads, the scoring template and
export_results, against hand-computed frameworks."""

import csv
import io
import json
import time
import zipfile
from datetime import UTC
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from public.documents import framework_results_document
from public.downloads import results_csv, results_xlsx
from public.management.commands.export_results import Command as ExportResults
from public.tables import ranking_table
from scoring import services
from scoring.models import Framework
from scoring.selectors import ranking_for
from scoring.spreadsheets.reader import grid
from scoring.spreadsheets.writers import safe_text, scoring_template_xlsx, sheet_title
from tests.factories import DOCUMENT_BANDS, UnitFactory, make_framework, publish, score

pytestmark = pytest.mark.django_db

# 1 (40) = 1.1 (25) + 1.2 (15); 2 (60) = 2.1 (60)
ROWS = (("1", "40"), ("1.1", "25"), ("1.2", "15"), ("2", "60"), ("2.1", "60"))
BOM = b"\xef\xbb\xbf"


def scores(framework, table):
    """Score ``{unit: (1.1, 1.2, 2.1)}``."""
    entries = [
        score(unit, code, value)
        for unit, values in table.items()
        for code, value in zip(("1.1", "1.2", "2.1"), values, strict=True)
    ]
    services.scores_set(framework=framework, entries=entries)


@pytest.fixture
def rounds():
    """2021 (published): b 90 (1st), a 80 (2nd), c 60 (3rd).
    2022 (published): a 93.91 (1st, up 1); b and c 85 (2nd, tied; b down 1, c up 1:
    c's 1.2 is not applicable, so 72.25 of 85); d 45.50 (new); e nothing entered
    (unranked, listed last although its code comes first)."""
    e = UnitFactory(name="Huyện Chưa Chấm")
    a = UnitFactory(name="Huyện Đồng Phú")
    b, c, d = UnitFactory.create_batch(3)
    before = make_framework(year=2021, units=[a, b, c], rows=ROWS)
    scores(before, {a: ("20", "10", "50"), b: ("25", "15", "50"), c: ("10", "10", "40")})
    publish(before, decision="12/QĐ-UBND", day="2022-03-01")
    after = make_framework(year=2022, units=[a, b, c, d, e], rows=ROWS)
    scores(after, {a: ("25", "15", "53.91"), b: ("20", "10", "55"), c: ("25", "NA", "47.25"), d: ("10", "5", "30.5")})
    publish(after, decision="501/QĐ-UBND", day="2023-03-29")
    after = Framework.objects.select_related("index", "publication").get(pk=after.pk)
    return after, {"a": a, "b": b, "c": c, "d": d, "e": e}


def field(code, points, max_points, delta):
    return {"code": code, "name": f"Tiêu chí {code}", "points": points, "max_points": max_points, "delta": delta}


def test_document_has_the_framework_summary_and_results_in_rank_order(rounds):
    framework, units = rounds
    document = framework_results_document(framework)
    assert document["framework"] == {
        "slug": "cchc-2022-70-district",
        "index": "cchc",
        "year": 2022,
        "scope": "70",
        "block": "district",
        "name": "Chỉ số CCHC 2022",
        "name_en": None,
        "mode": "computed",
        "publication": {"decision": "501/QĐ-UBND", "date": "2023-03-29"},
        "bands": DOCUMENT_BANDS,
        "fields": [
            {"code": "1", "name": "Tiêu chí 1", "name_en": None, "max_points": "40.00"},
            {"code": "2", "name": "Tiêu chí 2", "name_en": None, "max_points": "60.00"},
        ],
        "corrections": [],
    }
    # mean (45.50 + 85 + 85 + 93.91) / 4 = 77.3525 → 77.35; median (85 + 85) / 2
    assert document["summary"] == {
        "count": 5,
        "mean": "77.35",
        "median": "85.00",
        "min": "45.50",
        "max": "93.91",
        "up": 2,
        "down": 1,
        "unchanged": 0,
        "new": 2,
        "bands": {"Xuất sắc": 1, "Tốt": 2, "Khá": 0, "Trung bình": 0, "Yếu": 1},
    }
    assert [item["unit"]["code"] for item in document["results"]] == [units[key].code for key in "abcde"]
    assert document["results"][0] == {
        "unit": {"code": units["a"].code, "name": "Huyện Đồng Phú"},
        "index": "93.91",
        "total_points": "93.91",
        "applicable_max": "100.00",
        "rank": 1,
        "tied": False,
        "band": "Xuất sắc",
        "delta_index": "13.91",
        "delta_rank": 1,
        "previous": {"index": "80.00", "rank": 2},
        "fields": [field("1", "40.00", "40.00", "10.00"), field("2", "53.91", "60.00", "3.91")],
    }


def test_document_shows_ties_falls_and_a_not_applicable_criterion(rounds):
    framework, _ = rounds
    b, c = framework_results_document(framework)["results"][1:3]
    assert (b["rank"], b["tied"], b["delta_index"], b["delta_rank"]) == (2, True, "-5.00", -1)
    assert b["fields"] == [field("1", "30.00", "40.00", "-10.00"), field("2", "55.00", "60.00", "5.00")]
    assert (c["rank"], c["tied"], c["total_points"], c["applicable_max"], c["index"]) == (
        2,
        True,
        "72.25",
        "85.00",
        "85.00",
    )
    assert (c["delta_index"], c["delta_rank"], c["previous"]) == ("25.00", 1, {"index": "60.00", "rank": 3})


def test_document_gives_nulls_for_a_new_unit_and_an_unranked_one(rounds):
    framework, units = rounds
    new, unranked = framework_results_document(framework)["results"][3:]
    assert (new["rank"], new["band"], new["previous"], new["delta_index"], new["delta_rank"]) == (
        4,
        "Yếu",
        None,
        None,
        None,
    )
    assert unranked == {
        "unit": {"code": units["e"].code, "name": "Huyện Chưa Chấm"},
        "index": None,
        "total_points": "0.00",
        "applicable_max": "100.00",
        "rank": None,
        "tied": False,
        "band": "",
        "delta_index": None,
        "delta_rank": None,
        "previous": None,
        "fields": [field("1", "0.00", "40.00", None), field("2", "0.00", "60.00", None)],
    }


def test_document_of_a_draft_in_published_mode_uses_the_name_as_published():
    unit = UnitFactory(name="Thành phố Phổ Yên")
    framework = make_framework(mode=Framework.Mode.PUBLISHED, rows=(("1", "14.5"),))
    services.published_results_set(
        framework=framework,
        rows=[services.PublishedResultRow(unit.code, D("70.56"), rank=1, unit_name="Thị xã Phổ Yên")],
    )
    document = framework_results_document(framework)
    assert (document["framework"]["mode"], document["framework"]["publication"]) == ("published", None)
    item = document["results"][0]
    assert (item["unit"]["name"], item["index"], item["total_points"], item["band"]) == (
        "Thị xã Phổ Yên",
        "70.56",
        None,
        "Khá",
    )
    assert item["fields"] == [field("1", None, "14.50", None)]


def framework_with(unit_count, scope):
    units = UnitFactory.create_batch(unit_count)
    before = make_framework(year=2021, units=units, rows=ROWS, scope=scope)
    scores(before, {unit: ("20", "10", str(30 + i)) for i, unit in enumerate(units)})
    publish(before)
    after = make_framework(year=2022, units=units, rows=ROWS, scope=scope)
    scores(after, {unit: ("25", "NA", str(50 - i)) for i, unit in enumerate(units)})
    return Framework.objects.select_related("index", "publication").get(pk=after.pk)


@pytest.mark.parametrize("unit_count", [2, 20])
@pytest.mark.parametrize("export", [framework_results_document, results_csv, results_xlsx])
def test_exports_run_four_queries_whatever_the_number_of_units(django_assert_num_queries, export, unit_count):
    framework = framework_with(unit_count, scope=str(unit_count))
    with django_assert_num_queries(4):  # criteria, results, previous round, bands
        export(framework)


def read_csv(data, delimiter):
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode()), delimiter=delimiter))


def test_vietnamese_csv_has_a_bom_semicolons_and_decimal_commas(rounds):
    framework, units = rounds
    data = results_csv(framework)
    assert data.startswith(BOM + '"Hạng";"Đồng hạng";"Mã";"Đơn vị";"Chỉ số";"Xếp loại";"± Chỉ số";"± Hạng";'.encode())
    lines = data.decode("utf-8-sig").splitlines()
    code = units["a"].code
    assert lines[1] == (
        f'"1";"";"{code}";"Huyện Đồng Phú";"93,91";"Xuất sắc";"13,91";"1";"40,00";"10,00";"53,91";"3,91"'
    )
    assert lines[2].startswith(f'"2";"đồng hạng";"{units["b"].code}";')
    # Every cell quoted, numbers too; a minus is a number's sign, not escaped.
    assert lines[2].endswith(';"85,00";"Tốt";"-5,00";"-1";"30,00";"-10,00";"55,00";"5,00"')
    assert lines[5] == f'"";"";"{units["e"].code}";"Huyện Chưa Chấm";"";"";"";"";"0,00";"";"0,00";""'
    header = read_csv(data, ";")[0]
    assert (header[8], header[10]) == ("1. Tiêu chí 1 (40,00)", "2. Tiêu chí 2 (60,00)")


def test_english_csv_has_commas_and_decimal_points(rounds):
    framework, units = rounds
    with translation.override("en"):
        data = results_csv(framework)
    rows = read_csv(data, ",")
    assert rows[0][:9] == [
        "Rank",
        "Tied",
        "Code",
        "Unit",
        "Index",
        "Band",
        "Δ index",
        "Δ rank",
        "1. Tiêu chí 1 [VI] (40.00)",  # no English name: shown in Vietnamese, marked
    ]
    assert data.decode("utf-8-sig").splitlines()[2] == (
        f'"2","tied","{units["b"].code}","{units["b"].name}","85.00","Good","-5.00","-1","30.00","-10.00","55.00","5.00"'
    )


def test_results_table_leaves_out_change_columns_without_a_previous_round():
    unit = UnitFactory()
    framework = make_framework(units=[unit], rows=ROWS)
    scores(framework, {unit: ("20", "10", "50")})
    with translation.override("en"):
        headers, rows = ranking_table(ranking_for(framework=framework))
    assert headers == [
        "Rank",
        "Tied",
        "Code",
        "Unit",
        "Index",
        "Band",
        "1. Tiêu chí 1 [VI] (40.00)",
        "2. Tiêu chí 2 [VI] (60.00)",
    ]
    assert rows == [[1, None, unit.code, unit.name, D("80.00"), "Good", D("30.00"), D("50.00")]]


def load(data):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_has_its_header_on_row_1_frozen_bold_numeric_cells_and_its_source_on_a_second_sheet(rounds):
    framework, units = rounds
    book = load(results_xlsx(framework))
    sheet = book.active
    assert book.sheetnames == ["Chỉ số CCHC 2022", "Thông tin bảng"]
    about = {row[0].value: row[1].value for row in book["Thông tin bảng"].iter_rows()}
    assert about["Bảng xếp hạng"] == "Chỉ số CCHC 2022"
    assert about["Quyết định"] == "Quyết định số 501/QĐ-UBND ngày 29/3/2023"
    assert about["Giấy phép"] == "CC BY 4.0: https://creativecommons.org/licenses/by/4.0/"
    assert [cell.value for cell in sheet[1]][:8] == [
        "Hạng",
        "Đồng hạng",
        "Mã",
        "Đơn vị",
        "Chỉ số",
        "Xếp loại",
        "± Chỉ số",
        "± Hạng",
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[2]] == [
        1,
        None,
        units["a"].code,
        "Huyện Đồng Phú",
        93.91,
        "Xuất sắc",
        13.91,
        1,
        40,
        10,
        53.91,
        3.91,
    ]
    assert (sheet["E2"].data_type, sheet["E2"].number_format) == ("n", "0.00")
    assert (sheet["G3"].value, sheet["H3"].value, sheet["B3"].value) == (-5, -1, "đồng hạng")
    assert sheet.max_row == 6  # header, five units
    assert 8 <= sheet.column_dimensions["D"].width <= 40


def test_xlsx_carries_the_time_of_its_data_not_of_the_clock(rounds, monkeypatch):
    """The same data is the same bytes at any time (a restored backup's downloads
    are byte-identical): the document properties and every zip member carry the
    publication's time, which openpyxl and zipfile would take from the clock."""
    framework, _units = rounds
    first = results_xlsx(framework)
    later = time.time() + 86_400 * 400
    monkeypatch.setattr(time, "time", lambda: later)
    assert results_xlsx(framework) == first
    stamped = framework.publication.published_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    assert load(first).properties.modified == load(first).properties.created == stamped
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        # A zip file records even seconds only.
        zip_time = stamped.replace(second=stamped.second - stamped.second % 2).timetuple()[:6]
        assert {member.date_time for member in archive.infolist()} == {zip_time}
        assert {member.compress_type for member in archive.infolist()} == {zipfile.ZIP_DEFLATED}


def test_xlsx_without_a_time_in_its_data_carries_1980(rounds):
    framework, _units = rounds
    with zipfile.ZipFile(io.BytesIO(scoring_template_xlsx(framework))) as archive:
        assert {member.date_time for member in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        # After a separator of either CSV, or a line break: where a reading with
        # the other separator, or a trimming one, would start a cell.
        ("x,=2+3,", "x,'=2+3,"),
        ("a;=1+1;b", "a;'=1+1;b"),
        ("a, -b", "a, '-b"),
        ('x,"@y"', 'x,"\'@y"'),
        ("a\n+1", "a\n'+1"),
        ("a\t=1", "a\t'=1"),
        # Not after a separator: nothing to escape.
        ("Huyện -x", "Huyện -x"),
        ("Tỷ lệ (%) = a/b", "Tỷ lệ (%) = a/b"),
        ("", ""),
    ],
)
def test_safe_text_puts_an_apostrophe_before_every_formula_start_a_spreadsheet_could_see(raw, safe):
    assert safe_text(raw) == safe


HOSTILE_NAMES = ('=HYPERLINK("http://evil.example","x")', "+1", "@x", "-x")


@pytest.fixture
def hostile():
    """Units whose names a spreadsheet would run as formulas, in rank order; each falls 10 points."""
    units = [UnitFactory(name=name) for name in HOSTILE_NAMES]
    before = make_framework(year=2021, units=units, rows=(("1", "100"),))
    services.scores_set(framework=before, entries=[score(unit, "1", str(90 - i)) for i, unit in enumerate(units)])
    publish(before)
    after = make_framework(year=2022, units=units, rows=(("1", "100"),))
    services.scores_set(framework=after, entries=[score(unit, "1", str(80 - i)) for i, unit in enumerate(units)])
    return after


def test_csv_escapes_formula_names_but_not_negative_numbers(hostile):
    rows = read_csv(results_csv(hostile), ";")[1:]
    assert [row[3] for row in rows] == ["'" + name for name in HOSTILE_NAMES]
    assert {row[6] for row in rows} == {"-10,00"}  # every index fell by 10: a number, not escaped text


def test_xlsx_writes_formula_names_as_string_cells_and_negative_numbers_as_numbers(hostile):
    sheet = load(results_xlsx(hostile)).active
    names = [sheet.cell(row=row, column=4) for row in range(2, 6)]
    assert [cell.value for cell in names] == list(HOSTILE_NAMES)  # as named: no apostrophe to show
    assert {cell.data_type for cell in names} == {"s"}  # text, never a formula
    assert [sheet.cell(row=row, column=7).value for row in range(2, 6)] == [-10, -10, -10, -10]


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("Chỉ số CCHC 2022", "Chỉ số CCHC 2022"),
        ("Khối [A]: sở/ngành?*", "Khối A sở ngành"),
        ("'x'", "x"),
        ("??", "Sheet"),
        # 31 characters at most, cut after a whole word: not "…tỉnh Bình Ph".
        ("Chỉ số CCHC năm 2022 của các huyện tỉnh Bình Phước", "Chỉ số CCHC năm 2022 của các"),
        ("Sởkhoahọcvàcôngnghệthànhphốhànộimới", "Sởkhoahọcvàcôngnghệthànhphốhànộ"),  # one word: cut
    ],
)
def test_sheet_titles_are_what_excel_accepts(name, title):
    assert sheet_title(name) == title
    assert len(sheet_title(name * 10)) <= 31


TEMPLATE_ROWS = (
    ("1", "39.5"),
    ("1.1", "25"),
    ("1.2", "14.5"),
    ("2", "60.5"),
    ("2.1", "60.5"),
    ("3", "5", "bonus"),
    ("3.1", "5", "bonus"),
)


@pytest.fixture
def template_framework():
    units = [UnitFactory(code="695", name="Huyện Đồng Phú"), UnitFactory(code="00123", name="Xã Mẫu")]
    return make_framework(units=units, rows=TEMPLATE_ROWS)


def test_template_has_title_text_code_headers_maxima_and_participants(template_framework, tmp_path):
    book = load(scoring_template_xlsx(template_framework))
    assert book.sheetnames == ["Điểm", "Tiêu chí"]
    sheet = book["Điểm"]
    assert sheet["A1"].value == "Phiếu nhập điểm: Chỉ số CCHC 2022"
    assert "A1:F1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert [cell.value for cell in sheet[2]] == ["Mã đơn vị", "Tên đơn vị", "1.1", "1.2", "2.1", "3.1"]
    assert [cell.value for cell in sheet[3]] == ["Điểm tối đa", None, 25, 14.5, 60.5, 5]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)] == [
        ["00123", "Xã Mẫu", None, None, None, None],
        ["695", "Huyện Đồng Phú", None, None, None, None],
    ]
    assert sheet["A4"].number_format == "@"
    assert sheet.freeze_panes == "C4"
    criteria = [[cell.value for cell in row] for row in book["Tiêu chí"].iter_rows()]
    assert criteria[0] == ["Mã tiêu chí", "Tiêu chí", "Điểm tối đa", "Loại"]
    assert criteria[3] == ["1.2", "Tiêu chí 1.2", 14.5, "Thông thường"]
    assert criteria[7] == ["3.1", "Tiêu chí 3.1", 5, "Điểm thưởng"]
    # As the import reader sees it: codes stay text, "1.1" and "00123", not 1.1 and 123.
    path = tmp_path / "template.xlsx"
    path.write_bytes(scoring_template_xlsx(template_framework))
    rows = grid(path)
    assert rows[1][2:] == ["1.1", "1.2", "2.1", "3.1"]
    assert rows[3][0] == "00123"


def test_template_score_cells_accept_zero_to_the_column_maximum_or_kad(template_framework):
    sheet = load(scoring_template_xlsx(template_framework))["Điểm"]
    validations = {str(validation.sqref): validation for validation in sheet.data_validations.dataValidation}
    assert set(validations) == {"C4:C5", "D4:D5", "E4:E5", "F4:F5"}
    d = validations["D4:D5"]
    assert d.type == "custom" and d.allow_blank and d.showErrorMessage
    assert d.formula1 == 'IF(ISNUMBER(D4),AND(D4>=0,D4<=D$3,ROUND(D4,2)=D4),D4="KAD")'
    assert "0 đến 14,50" in d.error and "KAD" in d.error
    assert d.prompt == "0 đến 14,50, hoặc KAD"


def test_template_is_vietnamese_whatever_the_language(template_framework):
    with translation.override("en"):
        book = load(scoring_template_xlsx(template_framework))
    assert book.sheetnames == ["Điểm", "Tiêu chí"]
    assert book["Điểm"]["A3"].value == "Điểm tối đa"
    assert book["Tiêu chí"]["D2"].value == "Thông thường"


def test_a_published_mode_framework_has_no_scoring_template():
    framework = make_framework(mode=Framework.Mode.PUBLISHED)
    with pytest.raises(services.ScoringInputError, match="nhập kết quả đã công bố"):
        scoring_template_xlsx(framework)


def export(*args, **kwargs):
    call_command("export_results", "--framework", "cchc-2022-70-district", *args, **kwargs)


def test_command_writes_each_format_to_a_file(rounds, tmp_path):
    framework, _ = rounds
    for file_format in ("json", "csv", "xlsx"):
        export("--format", file_format, "-o", str(tmp_path / f"out.{file_format}"))
    assert json.loads((tmp_path / "out.json").read_text()) == framework_results_document(framework)
    assert (tmp_path / "out.csv").read_bytes() == results_csv(framework)
    assert load((tmp_path / "out.xlsx").read_bytes()).active["E2"].value == 93.91


def test_command_writes_each_format_to_standard_output(rounds, capsysbinary):
    framework, _ = rounds
    export("--format", "json")
    assert json.loads(capsysbinary.readouterr().out) == framework_results_document(framework)
    export("--format", "csv")
    assert capsysbinary.readouterr().out == results_csv(framework)
    export("--format", "xlsx")
    assert load(capsysbinary.readouterr().out).active["A1"].value == "Hạng"


@pytest.mark.usefixtures("rounds")
def test_command_writes_text_to_a_replaced_stdout_but_never_a_workbook():
    out = io.StringIO()
    export("--format", "json", stdout=out)
    assert json.loads(out.getvalue())["summary"]["count"] == 5
    with pytest.raises(CommandError, match="xlsx"):
        export("--format", "xlsx", stdout=io.StringIO())


def test_command_writes_the_scoring_template(template_framework, tmp_path):
    path = tmp_path / "template.xlsx"
    export("--template", "-o", str(path))
    assert load(path.read_bytes())["Điểm"]["C2"].value == "1.1"
    with pytest.raises(CommandError, match="xlsx"):
        export("--template", "--format", "csv", "-o", str(path))


@pytest.mark.usefixtures("rounds")
def test_command_needs_a_format_for_results(tmp_path):
    with pytest.raises(CommandError, match="--format"):
        export("-o", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_command_refuses_a_template_for_a_published_mode_framework(tmp_path):
    make_framework(mode=Framework.Mode.PUBLISHED)
    with pytest.raises(CommandError, match="nhập kết quả đã công bố"):
        export("--template", "-o", str(tmp_path / "t.xlsx"))
    assert not (tmp_path / "t.xlsx").exists()


def test_command_exits_non_zero_for_an_unknown_framework(capsys):
    with pytest.raises(SystemExit) as exit_:
        ExportResults().run_from_argv(["manage.py", "export_results", "--framework", "nope", "--format", "json"])
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert "nope" in captured.err and captured.out == ""
