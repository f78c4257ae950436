"""Score-entry grids: what they accept, what they refuse (naming the cell), the
audit trail of a hand edit, corrections of a published ranking, and two people
saving the same cell."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from scoring import engine, services
from scoring.models import Result, Revision, Score, ScoreChange

pytestmark = pytest.mark.django_db


def grid_url(world, unit=None):
    return reverse("staff:unit_grid", args=[world.framework.slug, (unit or world.ours).code])


def field(world, code, unit=None):
    criterion = world.framework.criteria.get(code=code)
    return f"c-{(unit or world.ours).pk}-{criterion.pk}"


def cell(world, code, unit=None):
    return Score.objects.get(criterion__framework=world.framework, criterion__code=code, unit=unit or world.ours)


def save(client, world, typed: dict, original: dict | None = None, **extra):
    """POST the unit grid: ``typed`` {code: text}; the originals default to the stored values."""
    data = {}
    for code, text in typed.items():
        name = field(world, code)
        stored = cell(world, code)
        was = "KAD" if stored.not_applicable else ("" if stored.points is None else f"{stored.points:.2f}")
        data[name] = text
        data["o-" + name] = (original or {}).get(code, was)
    return client.post(grid_url(world), {**data, **extra})


@pytest.fixture
def editor(client, world):
    client.force_login(world.users["province_editor"])
    return client


def test_the_unit_grid_shows_maxima_subtotals_and_the_index(editor, world):
    page = editor.get(grid_url(world)).content.decode()
    # 1.1 = 10, 1.2 = 10 → field 1 = 20,00 of 60,00; 2 = 10; index 30 / 100 = 30,00.
    assert 'data-code="1">20,00</output>' in page
    assert 'value="10,00"' in page and "60,00" in page
    assert '<output id="index">30,00</output>' in page


def test_a_decimal_comma_is_saved_and_the_results_recomputed(editor, world):
    response = save(editor, world, {"1.2": "13,96"})
    assert response.status_code == 302
    assert cell(world, "1.2").points == Decimal("13.96")
    # 10 + 13.96 + 10 = 33.96 of 100.
    assert Result.objects.get(framework=world.framework, unit=world.ours).index == Decimal("33.96")
    page = editor.get(response.url).content.decode()
    assert "Đã lưu" in page and '<output id="index">33,96</output>' in page


def test_not_applicable_and_blank(editor, world):
    save(editor, world, {"1.2": "KAD", "2": ""})
    assert cell(world, "1.2").not_applicable and cell(world, "2").points is None
    result = Result.objects.get(framework=world.framework, unit=world.ours)
    # 10 points of the 60 that still apply (100 − 40 for 1.2): 16.666… → 16.67.
    assert (result.total_points, result.applicable_max, result.index) == (Decimal(10), Decimal(60), Decimal("16.67"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("13,966", "2 chữ số thập phân"),
        ("20,01", "tối đa"),
        ("-1", "là số âm"),
        ("mười", "Không phải là số"),
        ("1e3", "Không phải là số"),
        ("1 0", "Không phải là số"),  # not 10: a space parts thousands only
        ("12 34", "Không phải là số"),
    ],
)
def test_a_bad_cell_is_named_and_nothing_is_written(editor, world, typed, message):
    revisions = Revision.objects.count()
    response = save(editor, world, {"1.1": typed, "1.2": "12"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Chưa lưu gì" in page and f"25000 · 1.1: «{typed}»" in page and message in page
    assert f'value="{typed}"' in page  # what was typed stays in the box
    assert cell(world, "1.2").points == Decimal(10) and Revision.objects.count() == revisions
    assert cell(world, "1.1").points == Decimal(10)


def test_a_hand_edit_is_audited(editor, world):
    before = Revision.objects.count()
    save(editor, world, {"1.1": "12,5"})
    revision = Revision.objects.latest("pk")
    assert Revision.objects.count() == before + 1
    assert revision.user == world.users["province_editor"] and revision.cells_changed == 1
    change = ScoreChange.objects.get(revision=revision)
    assert (change.unit, change.criterion.code, change.old_points, change.new_points) == (
        world.ours,
        "1.1",
        Decimal(10),
        Decimal("12.5"),
    )


def test_an_unchanged_save_writes_nothing(editor, world):
    before = Revision.objects.count()
    response = save(editor, world, {"1.1": "10", "1.2": "10,00"})
    assert response.status_code == 302 and Revision.objects.count() == before


def test_a_correction_of_a_published_ranking_needs_a_reason(editor, world):
    services.framework_publish(framework=world.framework, decision_number="9/QĐ", decision_date=date(2023, 3, 1))
    response = save(editor, world, {"1.1": "12"})
    assert response.status_code == 400 and "lý do" in response.content.decode()
    assert cell(world, "1.1").points == Decimal(10)
    assert save(editor, world, {"1.1": "12"}, reason="Sai sót khi nhập").status_code == 302
    revision = Revision.objects.latest("pk")
    assert revision.reason == "Sai sót khi nhập" and revision.results_before["25000"] == {"index": "30.00", "rank": 1}
    assert world.framework.publication.__class__.objects.get(framework=world.framework).corrected_at is not None


def test_the_second_of_two_editors_gets_a_conflict(world):
    first, second = Client(), Client()
    first.force_login(world.users["province_editor"])
    second.force_login(world.users["district_editor"])
    # Both opened the grid when 1.1 was 10,00.
    assert save(first, world, {"1.1": "11"}, {"1.1": "10.00"}).status_code == 302
    response = save(second, world, {"1.1": "15", "1.2": "12"}, {"1.1": "10.00", "1.2": "10.00"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "người khác" in page and "11,00" in page and 'value="15"' in page
    assert cell(world, "1.1").points == Decimal(11) and cell(world, "1.2").points == Decimal(10)  # nothing written
    # Saving again, having seen the other value, replaces it.
    name = field(world, "1.1")
    assert f'name="o-{name}" value="11.00"' in page
    assert save(second, world, {"1.1": "15"}, {"1.1": "11.00"}).status_code == 302
    assert cell(world, "1.1").points == Decimal(15)


def test_the_same_value_saved_twice_is_no_conflict(world):
    edit = services.ScoreEdit(cell(world, "1.1").criterion_id, world.ours.pk, Decimal(10), Decimal(12))
    services.scores_edit(framework=world.framework, edits=[edit])
    services.scores_edit(framework=world.framework, edits=[edit])  # a double click
    assert cell(world, "1.1").points == Decimal(12)
    with pytest.raises(services.ScoreConflict) as conflict:
        services.scores_edit(framework=world.framework, edits=[edit._replace(value=engine.NOT_APPLICABLE)])
    assert conflict.value.cells == {(edit.criterion_id, world.ours.pk): Decimal(12)}


def test_the_grid_pages_cost_a_fixed_number_of_queries(editor, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert editor.get(grid_url(world)).status_code == 200
    with django_assert_max_num_queries(12):
        assert editor.get(reverse("staff:criterion_grid", args=[world.framework.slug, "1.1"])).status_code == 200


def test_a_two_megabyte_cell_is_named_and_not_echoed_back(editor, world):
    revisions = Revision.objects.count()
    response = save(editor, world, {"1.1": "9" * 2 * 2**20, "1.2": "12"})
    assert response.status_code == 400
    page = response.content.decode()
    assert len(response.content) < 100_000, len(response.content)
    assert "25000 · 1.1: «" + "9" * 60 + "…»" in page and "Dài hơn 30 ký tự" in page
    assert f'value="{"9" * 30}"' in page  # the box keeps what it could hold
    assert cell(world, "1.2").points == Decimal(10) and Revision.objects.count() == revisions


@pytest.mark.parametrize("published", [False, True])
def test_a_reason_over_the_limit_is_refused_naming_it_and_nothing_is_written(editor, world, published):
    # Regression: on a draft a 3,000-character reason was dropped and the cells saved without it.
    if published:
        services.framework_publish(framework=world.framework, decision_number="9/QĐ", decision_date=date(2023, 3, 1))
    revisions = Revision.objects.count()
    reason = "Sai sót khi nhập " * 180  # 3,059 characters and a space
    response = save(editor, world, {"1.1": "12,5"}, reason=reason)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Chưa lưu gì" in page and "Tối đa 2000 ký tự: nội dung này có 3059 ký tự." in page
    assert 'value="12,5"' in page  # the typed cell stays in its box
    assert (reason.strip() in page) is published  # and the reason in its box where there is one
    assert cell(world, "1.1").points == Decimal(10) and Revision.objects.count() == revisions


def test_a_reason_at_the_limit_is_kept_whole(editor, world):
    reason = "a" * 2000
    assert save(editor, world, {"1.1": "12,5"}, reason=reason).status_code == 302
    assert Revision.objects.latest("pk").reason == reason
