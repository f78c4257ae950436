"""English names of what staff write (a framework's name and source, its criteria,
its bands): stored beside the Vietnamese, shown on every English page, download
and chart, and a missing one marked rather than mixed in silently; set by an
editor at any status, by a criteria file's "Tên tiếng Anh" column, or carried
by a copy; given in the API beside the name as published."""

import csv
import io
import json
import re
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from scoring import services
from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Framework, FrameworkEvent, Index
from scoring.spreadsheets.imports import criteria_from_file
from scoring.spreadsheets.reader import TableError, Upload
from staff.models import StaffRole
from tests.factories import UnitFactory, publish, score
from tests.staff.conftest import user_with
from units.models import Unit

pytestmark = pytest.mark.django_db

CRITERIA = {"1": ("Công tác chỉ đạo", "Direction", "60"), "2": ("Cải cách thủ tục", "Procedure reform", "40")}
# The default scheme's labels (migration 0002) and their English names (0010).
BANDS = {"Xuất sắc": "Excellent", "Tốt": "Good", "Khá": "Fair", "Trung bình": "Average", "Yếu": "Poor"}
SOURCE = ("Theo quyết định công bố của tỉnh", "As the province's decision publishes them")
NAME = ("Chỉ số CCHC các huyện năm", "District PAR INDEX")


def _round(year: int, units, points: dict[str, tuple[str, str]]) -> Framework:
    framework = services.framework_create(
        index=Index.objects.get(slug="cchc"),
        year=year,
        scope="70",
        block="district",
        name=f"{NAME[0]} {year}",
        name_en=f"{NAME[1]} {year}",
        source_note=SOURCE[0],
        source_note_en=SOURCE[1],
        criteria=[
            services.CriterionSpec(code, vietnamese, Decimal(maximum), name_en=english)
            for code, (vietnamese, english, maximum) in CRITERIA.items()
        ],
        band_scheme=BandScheme.objects.get(name=DEFAULT_BAND_SCHEME),
        participants=units,
    )
    services.scores_set(
        framework=framework,
        entries=[
            score(unit, code, value) for unit in units for code, value in zip("12", points[unit.code], strict=True)
        ],
    )
    publish(framework)
    return framework


@pytest.fixture
def units():
    province = UnitFactory(code="70", name="Tỉnh Bình Phước", kind=Unit.Kind.PROVINCE)
    return [UnitFactory(code=code, parent=province) for code in ("689", "690")]


@pytest.fixture
def framework(units):
    """2022 after 2021: 689 has 50 + 34 = 84 (Tốt), 690 has 45 + 30 = 75 (Khá)."""
    _round(2021, units, {"689": ("40", "30"), "690": ("50", "35")})
    return _round(2022, units, {"689": ("50", "34"), "690": ("45", "30")})


def _english(name: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def _text(response) -> str:
    """What a reader sees of a response: a page's text with its charts' labels
    (their JSON decoded), a CSV's cells, or every cell of an XLSX's sheets."""
    content_type = response["Content-Type"]
    if content_type.startswith("text/html"):
        page = response.content.decode()
        charts = [
            json.dumps(json.loads(unescape(data)), ensure_ascii=False)
            for data in re.findall(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', page, re.S)
        ]
        return unescape(re.sub(r"<[^>]+>", " ", page)) + " ".join(charts)
    if content_type.startswith("text/csv"):
        return " ".join(" ".join(row) for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return " ".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)


def _outputs(client, framework, units) -> dict[str, str]:
    ranking = _english("public:ranking", framework.slug)
    unit = _english("public:unit_profile", units[0].code)
    compare = _english("public:compare") + f"?units={units[0].code},{units[1].code}"
    paths = {
        "home": _english("public:home"),
        "ranking": ranking,
        "ranking sorted by a field": ranking + "?sort=-field-1",
        "method": _english("public:ranking_method", framework.slug),
        "unit": unit,
        "compare": compare,
        "ranking CSV": ranking + "?format=csv",
        "ranking XLSX": ranking + "?format=xlsx",
        "unit CSV": unit + "?format=csv",
        "compare XLSX": compare + "&format=xlsx",
    }
    outputs = {}
    for what, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, what
        outputs[what] = _text(response)
    return outputs


def test_english_pages_and_downloads_show_no_vietnamese_stored_name_when_translations_exist(client, framework, units):
    vietnamese = [NAME[0], SOURCE[0], *(name for name, _english, _max in CRITERIA.values()), *BANDS]
    for what, text in _outputs(client, framework, units).items():
        leftovers = [name for name in vietnamese if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)]
        assert leftovers == [], f"{what} shows {leftovers}"
        assert "[VI]" not in text and "not yet translated" not in text, what
    outputs = _outputs(client, framework, units)
    assert f"{NAME[1]} 2022" in outputs["ranking"] and SOURCE[1] in outputs["ranking"]
    assert "1. Direction" in outputs["ranking"] and "2. Procedure reform" in outputs["ranking CSV"]
    assert "Good" in outputs["ranking"] and "Fair" in outputs["ranking XLSX"] and "Good" in outputs["compare XLSX"]
    assert "by 1. Direction, highest first" in outputs["ranking sorted by a field"]  # the caption
    assert "Excellent" in outputs["method"] and "Procedure reform" in outputs["method"]
    assert f"{NAME[1]} 2021" in outputs["unit"] and "Good" in outputs["unit CSV"]


def test_the_vietnamese_pages_keep_the_names_as_published(client, framework, units):
    page = _text(client.get(reverse("public:ranking", args=[framework.slug])))
    assert f"{NAME[0]} 2022" in page and "1. Công tác chỉ đạo" in page and "Tốt" in page and SOURCE[0] in page
    assert "Direction" not in page and "Good" not in page and "VI" not in page


def test_a_missing_translation_is_marked_on_english_pages_and_in_downloads(client, framework, units):
    services.framework_english_set(
        framework=framework, name_en="", source_note_en=SOURCE[1], criteria={"2": ""}, bands={}
    )
    ranking = _english("public:ranking", framework.slug)
    page = client.get(ranking).content.decode()
    assert '<h1><span lang="vi">Chỉ số CCHC các huyện năm 2022</span> <abbr class="untranslated"' in page
    assert '<span lang="vi">Cải cách thủ tục</span> <abbr class="untranslated"' in page
    assert "Direction" in page  # the translated one is unchanged
    header = next(csv.reader(io.StringIO(client.get(ranking + "?format=csv").content.decode("utf-8-sig"))))
    assert "2. Cải cách thủ tục [VI] (40.00)" in header and "1. Direction (60.00)" in header
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(ranking + "?format=xlsx").content))
    about = dict(workbook.worksheets[1].iter_rows(values_only=True))
    assert about["Ranking"] == "Chỉ số CCHC các huyện năm 2022 [VI]"
    assert about["[VI]"] == "not yet translated: shown in Vietnamese"
    assert workbook.worksheets[0].title == "Chỉ số CCHC các huyện năm 2022"
    # Nothing is marked on a Vietnamese page.
    assert "untranslated" not in client.get(_english("public:ranking", framework.slug, language="vi")).content.decode()


def test_an_untranslated_band_is_marked_in_the_table_and_the_chart(client, framework, units):
    services.framework_english_set(framework=framework, name_en="X", source_note_en="", criteria={}, bands={"Tốt": ""})
    page = client.get(_english("public:ranking", framework.slug)).content.decode()
    assert '<td><span lang="vi">Tốt</span> <abbr class="untranslated"' in page
    assert "Tốt [VI]" in _text(client.get(_english("public:ranking", framework.slug)))  # the legend
    assert "<td>Fair</td>" in page


def test_english_names_change_at_any_status_and_are_recorded_and_shown_at_once(
    client, framework, units, django_capture_on_commit_callbacks
):
    ranking = _english("public:ranking", framework.slug)
    revisions = framework.revisions.count()
    assert "Direction" in client.get(ranking).content.decode()  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.framework_english_set(
            framework=framework,
            name_en=f"{NAME[1]} 2022",
            source_note_en=SOURCE[1],
            criteria={"1": "Leadership and direction", "2": "Procedure reform"},
            bands={"Tốt": "Good"},
        )
    assert changed
    assert "Leadership and direction" in client.get(ranking).content.decode()
    event = framework.events.get(action=FrameworkEvent.Action.TRANSLATED)
    assert event.note == "1 criterion"
    assert framework.revisions.count() == revisions  # no figure changed: no revision, no correction
    assert framework.publication.corrected_at is None
    assert not services.framework_english_set(
        framework=framework, name_en=f"{NAME[1]} 2022", source_note_en=SOURCE[1], criteria={}, bands={}
    )


def test_english_names_name_every_problem_and_change_nothing(framework):
    with pytest.raises(services.ScoringInputError) as error:
        services.framework_english_set(
            framework=framework,
            name_en="x" * 301,
            source_note_en="",
            criteria={"9": "Nine", "1": "y" * 501},
            bands={"Đạt": "Pass"},
        )
    assert error.value.messages == [
        "tiêu chí 9: không có tiêu chí này",
        "mức Đạt: không có mức này",
        "tên tiếng Anh quá dài",
        "tiêu chí 1: tên tiếng Anh quá dài",
    ]
    framework.refresh_from_db()
    assert framework.name_en == f"{NAME[1]} 2022" and framework.source_note_en == SOURCE[1]


def test_the_api_gives_english_names_beside_the_names_as_published(client, framework):
    document = client.get(reverse("api:framework_results", args=[framework.slug])).json()
    assert document["framework"]["name"] == f"{NAME[0]} 2022"
    assert document["framework"]["name_en"] == f"{NAME[1]} 2022"
    assert document["framework"]["bands"][:2] == [
        {"label": "Xuất sắc", "label_en": "Excellent", "lower_bound": "90.00"},
        {"label": "Tốt", "label_en": "Good", "lower_bound": "80.00"},
    ]
    assert document["framework"]["fields"] == [
        {"code": "1", "name": "Công tác chỉ đạo", "name_en": "Direction", "max_points": "60.00"},
        {"code": "2", "name": "Cải cách thủ tục", "name_en": "Procedure reform", "max_points": "40.00"},
    ]
    first = document["results"][0]
    assert first["band"] == "Tốt"  # as stored and published
    assert [field["name"] for field in first["fields"]] == ["Công tác chỉ đạo", "Cải cách thủ tục"]


CRITERIA_CSV = "Mã tiêu chí,Tiêu chí,Điểm tối đa{header}\n1,Công tác chỉ đạo,60{first}\n2,Cải cách thủ tục,40{second}\n"


def _criteria_file(header="", first="", second=""):
    return criteria_from_file(
        Upload("criteria.csv", CRITERIA_CSV.format(header=header, first=first, second=second).encode())
    )


def test_a_criteria_file_sets_english_names_from_its_column_and_keeps_them_without_it(framework):
    specs = _criteria_file(",Tên tiếng Anh", ",Direction and steering", ",")
    assert [spec.name_en for spec in specs] == ["Direction and steering", ""]
    services.framework_criteria_set(framework=framework, criteria=specs, reason="English names")
    assert dict(framework.criteria.values_list("code", "name_en")) == {"1": "Direction and steering", "2": ""}
    # A file without the column keeps them, and changes nothing.
    assert [spec.name_en for spec in _criteria_file()] == [None, None]
    assert not services.framework_criteria_set(framework=framework, criteria=_criteria_file(), reason="again")
    assert dict(framework.criteria.values_list("code", "name_en")) == {"1": "Direction and steering", "2": ""}


def test_a_criteria_file_names_an_english_name_too_long():
    with pytest.raises(TableError) as error:
        _criteria_file(",English name", "," + "x" * 501, ",Reform")
    [message] = error.value.messages
    assert message.startswith("dòng 2, cột English name, giá trị 'xxx") and message.endswith(": dài hơn 500 ký tự")


def test_a_copy_carries_the_english_names_into_its_year(framework):
    copy = services.framework_copy(source=framework, year=2023)
    assert copy.name_en == f"{NAME[1]} 2023"
    assert dict(copy.criteria.values_list("code", "name_en")) == {"1": "Direction", "2": "Procedure reform"}


def test_an_editor_sets_english_names_on_a_published_framework_in_the_staff_page(client, framework, units):
    url = reverse("staff:framework_english", args=[framework.slug])
    client.force_login(user_with(StaffRole.Role.REVIEWER, units[0].parent, name="reviewer"))
    assert client.get(url).status_code == 403
    client.force_login(user_with(StaffRole.Role.PROVINCE_EDITOR, units[0].parent, name="editor"))
    page = client.get(url)
    assert page.status_code == 200
    assert "Công tác chỉ đạo" in page.content.decode() and 'value="Direction"' in page.content.decode()
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    (_criterion, box), _second = form.criterion_boxes
    data[box.html_name] = "Steering"
    response = client.post(url, data)
    assert response.status_code == 302
    assert framework.criteria.get(code="1").name_en == "Steering"
    staff_page = client.get(reverse("staff:framework", args=[framework.slug])).content.decode()
    assert "Tên tiếng Anh" in staff_page and "English names changed" not in staff_page
    assert "đổi tên tiếng Anh" in staff_page  # the workflow step, in the history on the page
