"""The scoring sheet in the workspace: an editor downloads the framework's template
filled with what is stored, for the units the editor enters, and it reads back as
it was (nothing changes); a reviewer enters nothing and downloads nothing."""

import io

import openpyxl
import pytest
from django.urls import reverse

from scoring import engine, services
from scoring.spreadsheets.previews import SCORES, import_file

pytestmark = pytest.mark.django_db


def rows_of(content: bytes) -> dict[str, list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Điểm"]
    return {row[0]: list(row[2:]) for row in sheet.iter_rows(min_row=4, values_only=True)}


def test_an_editor_downloads_the_sheet_filled_for_the_units_it_enters(client, world, tmp_path):
    services.scores_set(
        framework=world.framework, entries=[services.ScoreEntry(world.ours.code, "2", engine.NOT_APPLICABLE)]
    )
    url = reverse("staff:scores_workbook", args=[world.framework.slug])
    client.force_login(world.users["province_editor"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    # Leaves 1.1, 1.2 and 2; every cell 10 but the first unit's 2, not applicable.
    assert rows_of(response.content) == {world.ours.code: [10, 10, "KAD"], world.theirs.code: [10, 10, 10]}
    path = tmp_path / "back.xlsx"
    path.write_bytes(response.content)
    preview = import_file(SCORES, framework=world.framework, source=str(path), dry_run=True)
    assert preview.problems == [] and preview.rows_changed == 0  # it reads back as it was

    client.force_login(world.users["district_editor"])
    assert list(rows_of(client.get(url).content)) == [world.ours.code]  # only its communes
    client.force_login(world.users["reviewer"])
    assert client.get(url).status_code == 403
