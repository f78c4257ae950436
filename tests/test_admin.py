"""Every model is usable in the admin; admin writes go through the same checks and recompute."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from scoring import services
from scoring.models import Band, BandScheme, Criterion, Framework, Index, Publication, Result, Score
from tests.factories import UnitFactory, make_framework, publish, score
from units.models import Unit, UnitLineage

pytestmark = pytest.mark.django_db

MODELS = [Unit, UnitLineage, Index, BandScheme, Framework, Score, Result, Publication]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_add_pages_load(admin_client, model):
    framework = make_framework(units=UnitFactory.create_batch(2), rows=(("1", "60"), ("1.1", "60"), ("2", "40")))
    publish(framework)
    opts = model._meta
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == (403 if model is Result else 200)


def test_framework_change_page_shows_the_criteria_tree(admin_client):
    framework = make_framework(rows=(("1", "60"), ("1.1", "60"), ("2", "40")))
    page = admin_client.get(reverse("admin:scoring_framework_change", args=[framework.pk])).content.decode()
    assert page.count("└") == 1 and page.count("■") == 2


def test_unit_search_ignores_diacritics(admin_client):
    UnitFactory(code="695", name="Huyện Đồng Phú", short_name="Đồng Phú")
    UnitFactory(code="696", name="Huyện Bù Đăng", short_name="Bù Đăng")
    page = admin_client.get(reverse("admin:units_unit_changelist"), {"q": "dong phu"}).content.decode()
    assert "Huyện Đồng Phú" in page and "Huyện Bù Đăng" not in page


def test_unit_saved_in_the_admin_gets_its_slug(admin_client):
    response = admin_client.post(
        reverse("admin:units_unit_add"),
        {
            "code": "695",
            "name": "Huyện Đồng Phú",
            "short_name": "Đồng Phú",
            "kind": "district",
            "type_label": "Huyện",
            "predecessor_links-TOTAL_FORMS": "0",
            "predecessor_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Unit.objects.get(code="695").slug == "dong-phu"


def test_a_unit_overlapping_another_with_the_same_code_is_refused_in_the_admin(admin_client):
    UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind="province", valid_to=date(2025, 6, 30))
    form = {
        "code": "19",
        "name": "Tỉnh Thái Nguyên mới",
        "short_name": "Thái Nguyên",
        "kind": "province",
        "predecessor_links-TOTAL_FORMS": "0",
        "predecessor_links-INITIAL_FORMS": "0",
    }
    page = admin_client.post(reverse("admin:units_unit_add"), {**form, "valid_from": "30/06/2025"}).content.decode()
    assert "Tỉnh Thái Nguyên giữ mã 19 trong một phần thời gian này" in page
    response = admin_client.post(reverse("admin:units_unit_add"), {**form, "valid_from": "1/7/2025"})  # day first
    assert response.status_code == 302
    assert Unit.objects.get(code="19", valid_to=None).valid_from == date(2025, 7, 1)


def score_post(admin_client, criterion, unit, points):
    return admin_client.post(
        reverse("admin:scoring_score_add"),
        {"criterion": criterion.pk, "unit": unit.pk, "points": points, "note": ""},
    )


def test_score_above_maximum_is_rejected_in_the_admin(admin_client):
    unit = UnitFactory()
    framework = make_framework(units=[unit], rows=(("1", "60"), ("1.1", "60"), ("2", "40")))
    leaf = Criterion.objects.get(framework=framework, code="1.1")
    response = score_post(admin_client, leaf, unit, "60.01")
    assert response.status_code == 200
    assert "vượt điểm tối đa" in response.content.decode()
    parent = Criterion.objects.get(framework=framework, code="1")
    assert "có tiêu chí con" in score_post(admin_client, parent, unit, "1").content.decode()
    assert not Score.objects.exists()


def test_score_saved_in_the_admin_recomputes_the_result(admin_client):
    unit = UnitFactory()
    framework = make_framework(units=[unit], rows=(("1", "60"), ("1.1", "60"), ("2", "40")))
    leaf = Criterion.objects.get(framework=framework, code="1.1")
    assert score_post(admin_client, leaf, unit, "45.5").status_code == 302
    assert Result.objects.get(framework=framework, unit=unit).index == D("45.50")


def test_band_scheme_holds_both_default_and_national_bands():
    schemes = {scheme.name: list(scheme.bands.values_list("label", flat=True)) for scheme in BandScheme.objects.all()}
    assert ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"] in schemes.values()
    assert ["A", "B", "C"] in schemes.values()
    assert Band.objects.count() == 8


def framework_form(framework, criteria_rows):
    """POST data for the framework change form with the given (code, max) criteria rows."""
    data = {
        "index": framework.index_id,
        "year": framework.year,
        "scope": framework.scope,
        "block": framework.block,
        "block_name": "",
        "name": framework.name,
        "slug": framework.slug,
        "mode": framework.mode,
        "band_scheme": framework.band_scheme_id,
        "source_note": "",
        "criteria-TOTAL_FORMS": str(len(criteria_rows)),
        "criteria-INITIAL_FORMS": "0",
        "publication-TOTAL_FORMS": "0",
        "publication-INITIAL_FORMS": "0",
    }
    for n, (code, max_points) in enumerate(criteria_rows):
        data |= {
            f"criteria-{n}-code": code,
            f"criteria-{n}-name": f"Tiêu chí {code}",
            f"criteria-{n}-max_points": max_points,
            f"criteria-{n}-kind": "normal",
            f"criteria-{n}-component": "appraisal",
            f"criteria-{n}-order": str(n),
        }
    return data


def test_criteria_edited_in_the_admin_are_checked_as_a_tree(admin_client):
    framework = make_framework(rows=(("1", "100"),))
    framework.criteria.all().delete()
    url = reverse("admin:scoring_framework_change", args=[framework.pk])
    page = admin_client.post(url, framework_form(framework, [("2", "10"), ("2.1", "4")])).content.decode()
    assert "không bằng tổng điểm tối đa của các tiêu chí con" in page
    bad_number = admin_client.post(url, framework_form(framework, [("2", "abc")]))
    assert bad_number.status_code == 200  # the row's own error, not a server error
    assert admin_client.post(url, framework_form(framework, [("2", "10"), ("2.1", "10")])).status_code == 302
    assert Criterion.objects.get(framework=framework, code="2.1").parent.code == "2"
    assert not Criterion.objects.get(framework=framework, code="2").is_leaf


def test_publishing_and_withdrawing_in_the_admin_refresh_the_next_years_deltas(admin_client):
    unit = UnitFactory()
    before = make_framework(year=2021, units=[unit])
    after = make_framework(year=2022, units=[unit])
    services.scores_set(framework=before, entries=[score(unit, "1", "50")])
    services.scores_set(framework=after, entries=[score(unit, "1", "60")])
    response = admin_client.post(
        reverse("admin:scoring_publication_add"),
        {"framework": before.pk, "decision_number": "12/QĐ-UBND", "decision_date": "2022-03-01", "signer": ""},
    )
    assert response.status_code == 302
    assert Result.objects.get(framework=after).delta_index == D("10")
    publication = Publication.objects.get(framework=before)
    admin_client.post(reverse("admin:scoring_publication_delete", args=[publication.pk]), {"post": "yes"})
    assert Result.objects.get(framework=after).delta_index is None
