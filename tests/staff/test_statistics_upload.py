"""Dossier statistics in the workspace: a province's editor downloads the template
of the province's units, fills it and uploads it, checked first and then
imported, for their own province's units only; nobody else may."""

import io

import openpyxl
import pytest
from django.urls import reverse

from dossiers.models import DossierStatistics, StatisticsImport

pytestmark = pytest.mark.django_db

UPLOAD = reverse("staff:statistics_upload")
TEMPLATE = reverse("staff:statistics_template")


def filled(client, rows) -> io.BytesIO:
    """The template as downloaded, with ``rows`` ({code: (period, received, on time, late)}) filled in."""
    book = openpyxl.load_workbook(io.BytesIO(client.get(TEMPLATE).content))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    columns = {name: headers.index(name) + 1 for name in ("Kỳ", "Tiếp nhận", "Đúng hạn", "Trễ hạn")}
    for row in sheet.iter_rows(min_row=2):
        code = row[0].value
        if code in rows:
            for name, value in zip(columns, rows[code], strict=True):
                sheet.cell(row=row[0].row, column=columns[name], value=value)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "so-lieu.xlsx"
    return data


def test_an_editor_fills_the_template_checks_it_then_imports_it(client, world):
    client.force_login(world.users["province_editor"])
    assert client.get(UPLOAD).status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(client.get(TEMPLATE).content))
    codes = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert codes == ["25000", "25100", "692", "695"]  # Bình Phước's units in force: no other province's
    checked = client.post(
        UPLOAD, {"file": filled(client, {"25000": ("Quý IV/2024", "1.204", "1.200", "4")}), "dry_run": "on"}
    )
    assert checked.status_code == 200 and not DossierStatistics.objects.exists()
    assert "1 dòng: 1 tạo mới" in checked.content.decode()
    imported = client.post(UPLOAD, {"file": filled(client, {"25000": ("Quý IV/2024", "1.204", "1.200", "4")})})
    assert imported.status_code == 302
    stored = DossierStatistics.objects.get()
    assert (stored.unit, stored.period, stored.received, stored.resolved_late) == (world.ours, "2024-Q4", 1_204, 4)
    assert StatisticsImport.objects.get().user == world.users["province_editor"]


def test_another_provinces_unit_is_refused_and_nothing_is_written(client, world):
    client.force_login(world.users["other_province_editor"])  # Thái Nguyên's
    book = openpyxl.Workbook()
    book.active.append(["Mã đơn vị", "Kỳ", "Tiếp nhận"])
    book.active.append(["5500", "2024", "10"])
    book.active.append(["25000", "2024", "12"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "so-lieu.xlsx"
    response = client.post(UPLOAD, {"file": data})
    assert response.status_code == 400
    assert "dòng 3, cột Mã đơn vị, giá trị &#x27;25000&#x27;: 25000 Xã Tân Tiến" in response.content.decode()
    assert not DossierStatistics.objects.exists()


@pytest.mark.parametrize("role", ["district_editor", "reviewer", "unit_respondent"])
def test_only_province_editors_and_administrators_import_statistics(client, world, role):
    client.force_login(world.users[role])
    assert client.get(UPLOAD).status_code == 403
    assert client.get(TEMPLATE).status_code == 403
    client.force_login(world.users["administrator"])
    assert client.get(UPLOAD).status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(client.get(TEMPLATE).content))
    assert book.worksheets[0].max_row == 1 + 6  # every unit in force but the two provinces
