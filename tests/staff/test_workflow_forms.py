"""The workflow's forms on the framework page: a note or a decision the form refuses
(too long, missing) is answered with the page again, what was typed in its box and
the limit named, and nothing is done."""

import re

import pytest
from django.urls import reverse

from scoring import services
from scoring.models import FrameworkEvent, Publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client, world):
    services.framework_submit(framework=world.framework)
    client.force_login(world.users["reviewer"])
    return client


def step(client, world, step, **data):
    return client.post(reverse("staff:workflow", args=[world.framework.slug]), {"step": step, **data})


def test_a_send_back_note_over_the_limit_is_refused_and_kept_in_its_box(reviewer, world):
    note = "Thiếu minh chứng tiêu chí 2 " * 100  # 2,799 characters and a space
    response = step(reviewer, world, "return", note=note)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Chưa lưu gì" in page and "Tối đa 2000 ký tự: nội dung này có 2799 ký tự." in page
    assert note.strip() in page
    assert not FrameworkEvent.objects.filter(framework=world.framework, action="returned").exists()


def test_a_send_back_without_a_note_says_why_one_is_needed(reviewer, world):
    response = step(reviewer, world, "return", note=" ")
    assert response.status_code == 400 and "Hãy ghi lý do trả lại" in response.content.decode()
    assert not FrameworkEvent.objects.filter(framework=world.framework, action="returned").exists()


def test_a_decision_number_over_the_limit_is_refused_and_kept(reviewer, world):
    number = "12/QĐ-UBND" + "x" * 100
    response = step(reviewer, world, "publish", decision_number=number, decision_date="2023-03-29")
    assert response.status_code == 400
    page = response.content.decode()
    assert "tối đa 100" in page and f'value="{number}"' in page and 'value="2023-03-29"' in page
    assert not Publication.objects.filter(framework=world.framework).exists()


def test_the_decision_date_is_typed_day_first_in_vietnamese(reviewer, world):
    page = reviewer.get(reverse("staff:framework", args=[world.framework.slug])).content.decode()
    box = re.search(r'<input[^>]*name="decision_date"[^>]*>', page).group()
    assert 'type="text"' in box and 'placeholder="dd/mm/yyyy"' in box  # not the browser's own date format
    response = step(reviewer, world, "publish", decision_number="12/QĐ-UBND", decision_date="29/3/2023", confirm="on")
    assert response.status_code == 302
    assert Publication.objects.get(framework=world.framework).decision_date.isoformat() == "2023-03-29"
