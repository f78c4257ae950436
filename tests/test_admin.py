"""Every model is usable in the admin; admin writes go through the same checks and recompute."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from scoring import services
from scoring.models import (
    Band,
    BandScheme,
    Criterion,
    Framework,
    FrameworkEvent,
    Index,
    Publication,
    Result,
    Revision,
    Score,
)
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


# --- every admin write goes through the service that owns it ------------------------------------


def change_form(framework, *, criteria=None, participants=None, publication=None, **fields):
    """POST data for the framework change form as the page shows it, then changed:
    ``criteria`` maps a stored code to its new row values (None: delete it; a
    new code: add a row), ``publication`` is the new publication's fields, or
    "withdraw" for the stored one."""
    data = {"name": framework.name, "block_name": framework.block_name, "band_scheme": framework.band_scheme_id}
    data["participants"] = [unit.pk for unit in participants or framework.participants.all()]
    data |= fields
    criteria = criteria or {}
    stored = list(framework.criteria.order_by("order", "code"))
    rows = [(criterion, criteria.get(criterion.code, {})) for criterion in stored]
    rows += [(None, {"code": code} | row) for code, row in criteria.items() if code not in {c.code for c in stored}]
    data |= {"criteria-TOTAL_FORMS": len(rows), "criteria-INITIAL_FORMS": len(stored)}
    for n, (criterion, row) in enumerate(rows):
        if criterion is not None:
            data |= {f"criteria-{n}-id": criterion.pk, f"criteria-{n}-framework": framework.pk}
            values = {"code": criterion.code, "name": criterion.name, "max_points": criterion.max_points}
            values |= {"kind": criterion.kind, "component": criterion.component, "order": criterion.order}
        else:
            values = {"name": "Tiêu chí mới", "kind": "normal", "component": "appraisal", "order": n}
        if row is None:
            values["DELETE"] = "on"
        else:
            values |= row
        data |= {f"criteria-{n}-{name}": value for name, value in values.items()}
    stored_publication = Publication.objects.filter(framework=framework).first()
    data |= {"publication-TOTAL_FORMS": 1, "publication-INITIAL_FORMS": int(stored_publication is not None)}
    if stored_publication is not None:
        data |= {"publication-0-id": stored_publication.pk, "publication-0-framework": framework.pk}
        if publication == "withdraw":
            data["publication-0-DELETE"] = "on"
        elif publication:
            data |= {f"publication-0-{name}": value for name, value in publication.items()}
    elif publication:
        data |= {f"publication-0-{name}": value for name, value in publication.items()}
    return data


def change(admin_client, framework, **changes):
    return admin_client.post(
        reverse("admin:scoring_framework_change", args=[framework.pk]), change_form(framework, **changes)
    )


@pytest.fixture
def scored():
    """A published framework, 1 (60) = 1.1 (60) and 2 (40), with a's 50 + 30 and b's 40."""
    a, b = UnitFactory.create_batch(2)
    framework = make_framework(units=[a, b], rows=(("1", "60"), ("1.1", "60"), ("2", "40")))
    services.scores_set(
        framework=framework, entries=[score(a, "1.1", "50"), score(a, "2", "30"), score(b, "1.1", "40")]
    )
    publish(framework)
    return framework


def figures(framework):
    """Everything a refused write must leave as it was."""
    return (
        sorted(
            Score.objects.filter(criterion__framework=framework).values_list("criterion__code", "unit__code", "points")
        ),
        sorted(Result.objects.filter(framework=framework).values_list("unit__code", "index", "rank")),
        sorted(framework.criteria.values_list("code", "name", "max_points")),
        Revision.objects.filter(framework=framework).count(),
        FrameworkEvent.objects.filter(framework=framework).count(),
    )


@pytest.mark.parametrize(
    "criteria",
    [{"2": {"code": "3"}}, {"2": None, "3": {"max_points": "40"}}],
    ids=["renamed in place", "deleted and added"],
)
def test_the_admin_refuses_to_change_criterion_codes_of_a_scored_framework(admin_client, scored, criteria):
    before = figures(scored)
    response = change(admin_client, scored, criteria=criteria, correction_reason="Đổi mã")
    assert response.status_code == 200
    page = response.content.decode()
    assert "đã có điểm: không thể đổi mã tiêu chí (thêm: 3; bỏ: 2)" in page
    assert "Hãy sửa các lỗi dưới đây." in page  # the admin's own note, which Django's catalogue lacks
    assert figures(scored) == before


def test_the_admin_corrects_a_published_frameworks_criteria_only_with_a_reason_and_records_it(admin_client, scored):
    before = figures(scored)
    refused = change(admin_client, scored, criteria={"2": {"name": "Cải cách thủ tục hành chính"}})
    assert "đã công bố: hãy ghi lý do điều chỉnh" in refused.content.decode()
    assert figures(scored) == before
    reason = "Quyết định sửa tên tiêu chí"
    response = change(
        admin_client, scored, criteria={"2": {"name": "Cải cách thủ tục hành chính"}}, correction_reason=reason
    )
    assert response.status_code == 302
    assert scored.criteria.get(code="2").name == "Cải cách thủ tục hành chính"
    revision = Revision.objects.filter(framework=scored).first()
    assert (revision.reason, revision.source, revision.user.username) == (reason, "biểu mẫu quản trị", "admin")
    assert revision.results_before is not None  # the published figures it corrected


def test_criteria_changed_in_the_admin_make_the_same_revision_as_in_the_staff_editor(admin_client):
    framework = make_framework(rows=(("1", "60"), ("1.1", "60"), ("2", "40")))
    assert (
        change(
            admin_client,
            framework,
            criteria={"2": {"max_points": "30"}, "1": {"max_points": "70"}, "1.1": {"max_points": "70"}},
        ).status_code
        == 302
    )
    assert list(framework.criteria.values_list("code", "max_points")) == [
        ("1", D("70")),
        ("1.1", D("70")),
        ("2", D("30")),
    ]
    revision = Revision.objects.get(framework=framework, source="biểu mẫu quản trị")
    assert (revision.reason, revision.user.username) == ("thay đổi tiêu chí", "admin")
    page = change(admin_client, framework, criteria={"1.1": {"max_points": "69"}}).content.decode()
    assert "không bằng tổng điểm tối đa của các tiêu chí con" in page


def test_the_admin_refuses_to_remove_a_participant_with_scores_and_records_other_changes(admin_client, scored):
    a, b = scored.participants.order_by("code")
    page = change(admin_client, scored, participants=[a]).content.decode()
    assert f"bộ tiêu chí “{scored.name}” đang ở trạng thái đã công bố: không thể sửa đổi" in page  # only in draft
    services.framework_unpublish(framework=scored)
    before = figures(scored)
    page = change(admin_client, scored, participants=[b]).content.decode()
    assert f"{a.name} ({a.code}) đã có điểm trong bộ tiêu chí này" in page
    assert figures(scored) == before and set(scored.participants.all()) == {a, b}
    c = UnitFactory()
    assert change(admin_client, scored, participants=[a, b, c], name="Chỉ số CCHC 2022 (đính chính)").status_code == 302
    assert set(scored.participants.all()) == {a, b, c}
    scored.refresh_from_db()
    assert scored.name == "Chỉ số CCHC 2022 (đính chính)"
    assert Revision.objects.filter(framework=scored).first().reason == "đã thay đổi đơn vị tham gia"


def test_the_admin_does_not_change_what_identifies_a_framework(admin_client, scored):
    slug, year = scored.slug, scored.year
    response = change(admin_client, scored, slug="khac", year="2030", mode="published", source_note="Báo")
    assert response.status_code == 302
    scored.refresh_from_db()
    assert (scored.slug, scored.year, scored.mode, scored.source_note) == (slug, year, "computed", "")


def test_publishing_and_withdrawing_in_the_framework_form_are_workflow_steps_on_record(admin_client):
    unit = UnitFactory()
    framework = make_framework(units=[unit])
    services.scores_set(framework=framework, entries=[score(unit, "1", "70")])
    services.framework_submit(framework=framework)  # published from review, as a reviewer does
    decision = {"decision_number": "12/QĐ-UBND", "decision_date": "2023-03-01", "signer": ""}
    assert change(admin_client, framework, publication=decision).status_code == 302
    event = FrameworkEvent.objects.filter(framework=framework).first()
    assert (event.action, event.note, event.user.username) == ("published", "12/QĐ-UBND", "admin")
    edited = change(admin_client, framework, publication={"decision_number": "13/QĐ-UBND"})
    assert edited.status_code == 302  # the stored publication is read-only: nothing changes
    assert Publication.objects.get(framework=framework).decision_number == "12/QĐ-UBND"
    assert change(admin_client, framework, publication="withdraw").status_code == 302
    assert not Publication.objects.filter(framework=framework).exists()
    assert FrameworkEvent.objects.filter(framework=framework).first().action == "withdrawn"


def test_a_framework_added_in_the_admin_is_created_by_the_service(admin_client):
    unit = UnitFactory()
    data = framework_form(make_framework(year=2021), [("1", "60"), ("1.1", "50"), ("2", "40")])
    data |= {"year": 2022, "slug": "cchc-2022-70-district", "participants": [unit.pk]}
    page = admin_client.post(reverse("admin:scoring_framework_add"), data).content.decode()
    assert "không bằng tổng điểm tối đa của các tiêu chí con" in page
    assert not Framework.objects.filter(year=2022).exists()
    data |= {"criteria-1-max_points": "60"}
    assert admin_client.post(reverse("admin:scoring_framework_add"), data).status_code == 302
    framework = Framework.objects.get(year=2022)
    assert Criterion.objects.get(framework=framework, code="1.1").parent.code == "1"
    assert list(framework.participants.all()) == [unit]


def test_the_score_form_corrects_a_published_score_only_with_a_reason_and_records_it(admin_client, scored):
    cell = Score.objects.get(criterion__code="2", criterion__framework=scored)
    url = reverse("admin:scoring_score_change", args=[cell.pk])
    before = figures(scored)
    refused = admin_client.post(url, {"points": "35", "note": ""})
    assert refused.status_code == 200
    assert "đã công bố: hãy ghi lý do điều chỉnh" in refused.content.decode()
    assert figures(scored) == before
    assert admin_client.post(url, {"points": "35", "note": "", "reason": "Phúc khảo"}).status_code == 302
    revision = Revision.objects.filter(framework=scored).first()
    assert (revision.reason, revision.source, revision.user.username) == ("Phúc khảo", "biểu mẫu quản trị", "admin")
    change = revision.changes.get()
    assert (change.old_points, change.new_points) == (D("30"), D("35"))
    assert Result.objects.get(framework=scored, unit=cell.unit).index == D("85")


def test_a_score_deleted_in_the_admin_is_a_revision_and_a_published_one_is_refused(admin_client, scored):
    cell = Score.objects.get(criterion__code="2", criterion__framework=scored)
    before = figures(scored)
    response = admin_client.post(reverse("admin:scoring_score_delete", args=[cell.pk]), {"post": "yes"})
    assert response.status_code == 302
    page = admin_client.get(response.url).content.decode()
    assert "Chưa thay đổi gì: bộ tiêu chí" in page and "hãy ghi lý do điều chỉnh" in page
    assert figures(scored) == before
    services.framework_unpublish(framework=scored)
    response = admin_client.post(
        reverse("admin:scoring_score_changelist"),
        {"action": "delete_selected", "_selected_action": [cell.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Score.objects.filter(pk=cell.pk).exists()
    revision = Revision.objects.filter(framework=scored).first()
    assert (revision.cells_changed, revision.user.username, revision.source) == (1, "admin", "biểu mẫu quản trị")
    assert revision.changes.get().old_points == D("30")
    assert Result.objects.get(framework=scored, unit=cell.unit).index == D("50")


def test_criteria_and_results_are_read_only_in_the_admin(admin_client, scored):
    criterion = scored.criteria.get(code="2")
    response = admin_client.post(
        reverse("admin:scoring_criterion_change", args=[criterion.pk]),
        {"framework": scored.pk, "code": "3", "name": "x", "max_points": "40", "kind": "normal", "order": "2"},
    )
    assert response.status_code == 403
    assert (
        admin_client.post(reverse("admin:scoring_criterion_delete", args=[criterion.pk]), {"post": "yes"}).status_code
        == 403
    )
    result = Result.objects.filter(framework=scored).first()
    assert (
        admin_client.post(reverse("admin:scoring_result_delete", args=[result.pk]), {"post": "yes"}).status_code == 403
    )
    assert scored.criteria.filter(code="2").exists() and Result.objects.filter(pk=result.pk).exists()


def test_a_publication_is_read_only_in_the_admin_and_withdrawn_by_the_service(admin_client, scored):
    publication = scored.publication
    url = reverse("admin:scoring_publication_change", args=[publication.pk])
    response = admin_client.post(
        url, {"framework": scored.pk, "decision_number": "99/QĐ-UBND", "decision_date": "2024-01-01"}
    )
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.decision_number == "1/QĐ-UBND"
    admin_client.post(reverse("admin:scoring_publication_delete", args=[publication.pk]), {"post": "yes"})
    assert not Publication.objects.filter(framework=scored).exists()
    event = FrameworkEvent.objects.filter(framework=scored).first()
    assert (event.action, event.user.username) == ("withdrawn", "admin")


def test_the_bands_of_a_scheme_in_use_are_read_only_in_the_admin(admin_client, scored):
    scheme = scored.band_scheme
    band = scheme.bands.get(label="Khá")
    data = {"name": scheme.name, "bands-TOTAL_FORMS": "1", "bands-INITIAL_FORMS": "1"}
    data |= {"bands-0-id": band.pk, "bands-0-scheme": scheme.pk, "bands-0-label": "Khá", "bands-0-lower_bound": "60"}
    admin_client.post(reverse("admin:scoring_bandscheme_change", args=[scheme.pk]), data)
    assert scheme.bands.get(label="Khá").lower_bound == D("70")
    unused = BandScheme.objects.create(name="Thử")
    data = {"name": "Thử", "bands-TOTAL_FORMS": "1", "bands-INITIAL_FORMS": "0"}
    data |= {"bands-0-label": "Đạt", "bands-0-lower_bound": "50"}
    assert admin_client.post(reverse("admin:scoring_bandscheme_change", args=[unused.pk]), data).status_code == 302
    assert list(unused.bands.values_list("label", flat=True)) == ["Đạt"]


def test_deleting_scores_of_two_frameworks_in_the_admin_is_all_or_nothing(admin_client, scored):
    unit = UnitFactory()
    draft = make_framework(year=2023, units=[unit])
    services.scores_set(framework=draft, entries=[score(unit, "1", "70")])
    cells = [Score.objects.get(criterion__framework=draft).pk, Score.objects.filter(criterion__framework=scored)[0].pk]
    before = figures(draft), figures(scored)
    response = admin_client.post(
        reverse("admin:scoring_score_changelist"),
        {"action": "delete_selected", "_selected_action": cells, "post": "yes"},
        follow=True,
    )
    assert "Chưa thay đổi gì: bộ tiêu chí" in response.content.decode()
    assert (figures(draft), figures(scored)) == before
    assert not LogEntry.objects.exists()  # the admin's own record of the deletion is rolled back too


def test_the_framework_form_calls_only_the_services_of_the_parts_it_changed(admin_client, scored, monkeypatch):
    def locked(**kwargs):
        raise services.ScoringInputError(["đang khóa"])

    monkeypatch.setattr(services, "framework_criteria_set", locked)
    monkeypatch.setattr(services, "framework_participants_set", locked)
    assert change(admin_client, scored, name="Chỉ số CCHC 2022 (đính chính)").status_code == 302
    scored.refresh_from_db()
    assert scored.name == "Chỉ số CCHC 2022 (đính chính)"
    assert "đang khóa" in change(admin_client, scored, criteria={"2": {"name": "Tên mới"}}).content.decode()


def test_the_admin_speaks_vietnamese_in_its_lists_and_filters(admin_client):
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "Lượt đăng nhập" in index and "Access attempts" not in index  # django-axes' models
    changelist = admin_client.get(reverse("admin:scoring_framework_changelist")).content.decode()
    assert "Bởi công bố" in changelist and "Bởi publication" not in changelist
    assert "Chưa công bố" in changelist and "Không rỗng" not in changelist
    attempts = admin_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "An toàn đăng nhập" in attempts and "Bởi Bị khóa" in attempts and "Locked Out" not in attempts
    assert "Hiện số lượng" in changelist
