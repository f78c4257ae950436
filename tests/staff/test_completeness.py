"""Cells not entered count 0 against the full maximum: the framework page names them
per unit and per criterion, sending for review with any of them needs the sender's
confirmation naming how many, and publishing is confirmed in any case."""

import pytest
from django.urls import reverse

from scoring import engine, selectors, services
from scoring.models import Framework, Publication, Score
from tests.factories import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def gaps(world):
    """The world's round (2 communes × leaves 1.1, 1.2, 2, every cell 10) with 25100's
    1.2 deleted (not entered) and its 2 marked not applicable (entered)."""
    framework = world.framework
    Score.objects.filter(criterion__framework=framework, unit=world.theirs, criterion__code="1.2").delete()
    services.scores_set(
        framework=framework, entries=[services.ScoreEntry(world.theirs.code, "2", engine.NOT_APPLICABLE)]
    )
    return framework


def test_the_cells_not_entered_are_counted_per_unit_and_per_criterion(world, gaps, django_assert_num_queries):
    leaves = {criterion.code: criterion.pk for criterion in gaps.criteria.filter(is_leaf=True)}
    with django_assert_num_queries(4):
        completeness = selectors.framework_completeness(gaps)
    assert completeness.cells == 2 * 3
    assert completeness.by_unit == {world.theirs.pk: 1}  # not applicable is entered
    assert completeness.by_criterion == {leaves["1.2"]: 1}
    assert completeness.missing == 1


def test_the_framework_page_names_the_cells_not_entered(client, world, gaps):
    client.force_login(world.users["province_editor"])
    page = client.get(reverse("staff:framework", args=[gaps.slug])).content.decode()
    assert "1 trên 6 ô chưa nhập, ở 1 đơn vị" in page
    assert "1 ô chưa nhập" in page  # criterion 1.2's line
    assert "Gửi thẩm định dù còn 1 ô chưa nhập (mỗi ô tính 0 điểm)" in page


def submit(client, framework, **data):
    return client.post(reverse("staff:workflow", args=[framework.slug]), {"step": "submit", **data})


def test_sending_for_review_with_cells_not_entered_needs_a_confirmation_naming_them(client, world, gaps):
    client.force_login(world.users["province_editor"])
    response = submit(client, gaps)
    assert response.status_code == 400
    assert "1 ô chưa nhập: hãy đánh dấu ô xác nhận nếu vẫn gửi thẩm định." in response.content.decode()
    assert not Framework.objects.get(pk=gaps.pk).in_review
    assert submit(client, gaps, confirm_blank="on").status_code == 302
    assert Framework.objects.get(pk=gaps.pk).in_review


def test_a_complete_round_goes_for_review_without_a_question(client, world):
    client.force_login(world.users["province_editor"])
    page = client.get(reverse("staff:framework", args=[world.framework.slug])).content.decode()
    assert "Đã nhập đủ mọi ô." in page and "confirm_blank" not in page
    assert submit(client, world.framework).status_code == 302
    assert Framework.objects.get(pk=world.framework.pk).in_review


@pytest.mark.parametrize("complete", [True, False])
def test_publishing_is_confirmed_in_any_case(client, world, gaps, complete):
    framework = world.framework
    if complete:
        services.scores_set(framework=framework, entries=[score(world.theirs, "1.2", "10")])
    services.framework_submit(framework=framework)
    client.force_login(world.users["reviewer"])
    decision = {"step": "publish", "decision_number": "12/QĐ-UBND", "decision_date": "2023-03-29"}
    url = reverse("staff:workflow", args=[framework.slug])
    response = client.post(url, decision)
    page = response.content.decode()
    assert response.status_code == 400 and "Công bố là việc công khai, chính thức" in page
    assert ("dù còn 1 ô chưa nhập" in page) is not complete  # the confirmation names the blanks
    assert not Publication.objects.filter(framework=framework).exists()
    assert client.post(url, {**decision, "confirm": "on"}).status_code == 302
    assert Publication.objects.filter(framework=framework).exists()


def test_a_cell_not_entered_shows_as_missing_never_as_zero(client, world, gaps):
    grid = reverse("staff:unit_grid", args=[gaps.slug, world.theirs.code])
    client.force_login(world.users["province_editor"])
    page = client.get(grid).content.decode()
    name = f"c-{world.theirs.pk}-{gaps.criteria.get(code='1.2').pk}"
    box = page[page.index(f'name="{name}"') :].split(">", 1)[0]
    assert 'class="cell missing"' in box and 'placeholder="chưa nhập"' in box
    assert "1 ô, mỗi ô tính 0 điểm" in page
    client.force_login(world.users["reviewer"])  # read-only
    page = client.get(grid).content.decode()
    assert '<span class="missing">chưa nhập</span>' in page


def test_the_unit_grid_links_the_previous_and_next_units_the_user_lists(client, world):
    first, second = (
        reverse("staff:unit_grid", args=[world.framework.slug, unit.code]) for unit in (world.ours, world.theirs)
    )
    client.force_login(world.users["province_editor"])
    page = client.get(first).content.decode()
    assert f'href="{second}" rel="next"' in page and 'rel="prev"' not in page
    page = client.get(second).content.decode()
    assert f'href="{first}" rel="prev"' in page and 'rel="next"' not in page
    client.force_login(world.users["district_editor"])  # lists its own commune only
    assert 'rel="next"' not in client.get(first).content.decode()
