"""The public pages' validators (ETag, Last-Modified) and cached pages move only
when something public changes: a publication, a correction, a withdrawal, units,
lineage. Work on a draft or a framework in review leaves them alone, and the
public's cached pages are served on, at one small query each."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from scoring import services
from scoring.models import Framework, Publication, Score
from staff.models import StaffRole
from tests.factories import criteria, make_framework, publish, score
from units.models import Unit, UnitLineage
from units.services import LineageRow, UnitRow, units_upsert

pytestmark = pytest.mark.django_db

ROWS = (("1", "60"), ("2", "40"))


@dataclass
class Site:
    published: Framework  # 2022, published
    draft: Framework  # 2023, the same series: a draft with scores
    units: list[Unit]  # its three districts, the first one's page among the public pages

    @property
    def pages(self) -> list[str]:
        return ["/", self.published.get_absolute_url(), "/api/frameworks/", self.units[0].get_absolute_url()]


def entries(units, value):
    return [score(unit, code, value) for unit in units for code in ("1", "2")]


@pytest.fixture
def site() -> Site:
    units_upsert(
        rows=[
            UnitRow(code="70", name="Tỉnh Bình Phước", short_name="Bình Phước", kind="province"),
            *[UnitRow(code=f"69{n}", name=f"Huyện Mẫu {n}", kind="district", parent_code="70") for n in range(3)],
        ]
    )
    units = list(Unit.objects.filter(kind=Unit.Kind.DISTRICT).order_by("code"))
    published = make_framework(year=2022, units=units, rows=ROWS)
    services.scores_set(framework=published, entries=entries(units, "30"))
    publish(published)
    draft = make_framework(year=2023, units=units, rows=ROWS)
    services.scores_set(framework=draft, entries=entries(units, "35"))
    return Site(published, draft, units)


def validators(client, site) -> dict[str, tuple[str, str]]:
    """Each public page's (ETag, Last-Modified) as an anonymous visitor gets them."""
    responses = {url: client.get(url) for url in site.pages}
    assert all(response.status_code == 200 for response in responses.values())
    return {url: (response["ETag"], response["Last-Modified"]) for url, response in responses.items()}


def assert_cached_and_current(client, site, before, django_assert_num_queries):
    """Each public page is still served from the cache (its one query reads the
    data version) and a conditional request with the validators of ``before``
    is still current."""
    for url in site.pages:
        with django_assert_num_queries(1):
            response = client.get(url)
        assert (response["ETag"], response["Last-Modified"]) == before[url]
        with django_assert_num_queries(1):
            assert client.get(url, headers={"if-none-match": before[url][0]}).status_code == 304


def assert_moved(client, urls, before):
    """Each page of ``urls`` has new validators: a conditional request with the old ETag gets the page."""
    for url in urls:
        response = client.get(url, headers={"if-none-match": before[url][0]})
        assert response.status_code == 200 and response["ETag"] != before[url][0]
        assert response["Last-Modified"] != before[url][1]


def staff_client() -> Client:
    """Signed in as an editor of province 70, whose drafts the editor sees."""
    user = get_user_model().objects.create_user("editor")
    StaffRole.objects.create(user=user, role=StaffRole.Role.PROVINCE_EDITOR, unit=Unit.objects.get(code="70"))
    staff = Client()
    staff.force_login(user)
    return staff


def test_saving_a_draft_cell_in_the_staff_grid_moves_no_public_validator(
    client, site, django_assert_num_queries, django_capture_on_commit_callbacks
):
    before = validators(client, site)
    unit, criterion = site.units[0], site.draft.criteria.get(code="1")
    name = f"c-{unit.pk}-{criterion.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client().post(
            reverse("staff:unit_grid", args=[site.draft.slug, unit.code]), {name: "41,5", "o-" + name: "35.00"}
        )
    assert response.status_code == 302
    assert Score.objects.get(criterion=criterion, unit=unit).points == D("41.5")
    assert_cached_and_current(client, site, before, django_assert_num_queries)


def _copy(site):
    services.framework_copy(source=site.published, year=2024)


def _criteria(site):
    copy = services.framework_copy(source=site.published, year=2024)
    services.framework_criteria_set(framework=copy, criteria=criteria(("1", "50"), ("2", "50")))


def _submit_and_return(site):
    services.framework_submit(framework=site.draft)
    services.framework_return(framework=site.draft, note="thiếu minh chứng")


def _earlier_draft(site):
    """A draft of the year before the published round: a draft feeds no round's deltas."""
    earlier = make_framework(year=2021, units=site.units, rows=ROWS)
    services.scores_set(framework=earlier, entries=entries(site.units, "20"))
    services.framework_delete(framework=earlier)


DRAFT_WORK = {
    "scores_set": lambda site: services.scores_set(framework=site.draft, entries=entries(site.units[:1], "36")),
    "scores_delete": lambda site: services.scores_delete(
        scores=Score.objects.filter(criterion__framework=site.draft, unit=site.units[0])
    ),
    "framework_create": lambda site: make_framework(year=2023, units=site.units, block="commune"),
    "framework_copy": _copy,
    "framework_details_set": lambda site: services.framework_details_set(
        framework=site.draft, name="Chỉ số CCHC 2023 (dự thảo)", block_name="", band_scheme=site.draft.band_scheme
    ),
    "framework_criteria_set": _criteria,
    "framework_bands_set": lambda site: services.framework_bands_set(
        framework=site.draft, bands=[("A", D(90)), ("B", D(50))]
    ),
    "framework_participants_set": lambda site: services.framework_participants_set(
        framework=make_framework(year=2023, units=site.units, block="commune"), units=site.units[:2]
    ),
    "framework_submit": lambda site: services.framework_submit(framework=site.draft),
    "framework_submit_and_return": _submit_and_return,
    "framework_delete": lambda site: services.framework_delete(framework=site.draft),
    "earlier_draft": _earlier_draft,
}


@pytest.mark.parametrize("work", DRAFT_WORK.values(), ids=DRAFT_WORK.keys())
def test_draft_work_moves_no_public_validator_and_the_cached_pages_are_served_on(
    client, site, work, django_assert_num_queries, django_capture_on_commit_callbacks
):
    before = validators(client, site)
    with django_capture_on_commit_callbacks(execute=True):
        work(site)
    assert_cached_and_current(client, site, before, django_assert_num_queries)


def _lineage(site):
    units_upsert(
        rows=[UnitRow(code="699", name="Thị xã Mới", kind="district", parent_code="70", valid_from=date(2024, 1, 1))],
        lineage=[LineageRow("692", "699", UnitLineage.Kind.RENAME, date(2024, 1, 1))],
    )


# name: (the change, whether the published ranking's page goes with it)
PUBLIC_CHANGES = {
    "framework_publish": (lambda site: publish(site.draft, decision="2/QĐ-UBND", day="2024-03-29"), False),
    "correction": (
        lambda site: services.scores_set(
            framework=site.published, entries=entries(site.units[:1], "31"), reason="sửa sai"
        ),
        False,
    ),
    "framework_details_set": (
        lambda site: services.framework_details_set(
            framework=site.published, name="Chỉ số CCHC 2022 (QĐ 1)", block_name="", band_scheme=site.draft.band_scheme
        ),
        False,
    ),
    "framework_unpublish": (lambda site: services.framework_unpublish(framework=site.published), True),
    "framework_delete": (lambda site: services.framework_delete(framework=site.published), True),
    "unit_rename": (
        lambda site: units_upsert(rows=[UnitRow(code="690", name="Thị xã Mẫu 0", kind="district", parent_code="70")]),
        False,
    ),
    "lineage": (_lineage, False),
}


@pytest.mark.parametrize(("change", "ranking_gone"), PUBLIC_CHANGES.values(), ids=PUBLIC_CHANGES.keys())
def test_a_public_change_moves_every_public_validator(
    client, site, change, ranking_gone, django_capture_on_commit_callbacks
):
    before = validators(client, site)
    with django_capture_on_commit_callbacks(execute=True):
        change(site)
    ranking = site.published.get_absolute_url()
    if ranking_gone:
        assert client.get(ranking).status_code == 404
    assert_moved(client, [url for url in site.pages if not (ranking_gone and url == ranking)], before)


def test_signed_in_staff_see_a_draft_change_at_once_while_the_public_pages_stay_cached(
    client, site, django_assert_num_queries, django_capture_on_commit_callbacks
):
    before = validators(client, site)
    staff = staff_client()
    draft_page = site.draft.get_absolute_url()
    assert "70,00" in staff.get(draft_page).content.decode()  # 35 + 35
    with django_capture_on_commit_callbacks(execute=True):
        services.scores_set(framework=site.draft, entries=entries(site.units[:1], "39"))
    response = staff.get(draft_page)
    assert "78,00" in response.content.decode() and "ETag" not in response
    assert "private" in response["Cache-Control"]
    assert client.get(draft_page).status_code == 404  # the public never sees the draft
    assert_cached_and_current(client, site, before, django_assert_num_queries)


def test_loading_the_same_units_again_moves_nothing(
    client, site, django_assert_num_queries, django_capture_on_commit_callbacks
):
    before = validators(client, site)
    with django_capture_on_commit_callbacks(execute=True):
        changes = units_upsert(
            rows=[UnitRow(code="70", name="Tỉnh Bình Phước", short_name="Bình Phước", kind="province")]
        )
    assert not changes.changed
    assert_cached_and_current(client, site, before, django_assert_num_queries)


def test_a_drafts_recompute_leaves_the_following_round_alone(site):
    """Deltas compare with the previous *published* round: a draft feeds none."""
    version = Framework.objects.get(pk=site.published.pk).results_version
    earlier = make_framework(year=2021, units=site.units, rows=ROWS)
    services.scores_set(framework=earlier, entries=entries(site.units, "20"))
    services.framework_results_recompute(framework=earlier)
    assert Framework.objects.get(pk=site.published.pk).results_version == version
    assert site.published.results.get(unit=site.units[0]).previous_id is None


def test_a_round_still_comparing_with_a_withdrawn_one_is_recomputed_with_it(site):
    """A withdrawal made without ``framework_unpublish`` (the admin's publication
    inline) left the next round comparing with a draft: that draft's recompute
    puts it right, though a draft's recompute otherwise leaves the next round alone."""
    publish(site.draft, decision="2/QĐ-UBND", day="2024-03-29")
    later = site.draft.results.get(unit=site.units[0])
    assert later.delta_index == D(10)  # 70 against 60
    site.published.publication.delete()
    services.framework_results_recompute(framework=Framework.objects.get(pk=site.published.pk))
    later.refresh_from_db()
    assert later.delta_index is None and later.previous_id is None


# The admin writes some rows itself; each such write says whether it was public.


def framework_admin_form(framework, **changes):
    """POST data of the framework admin's change form as it shows ``framework``:
    its criteria and its publication (when it has one) in their inlines."""
    data = {
        "index": framework.index_id,
        "year": framework.year,
        "scope": framework.scope,
        "block": framework.block,
        "block_name": framework.block_name,
        "name": framework.name,
        "slug": framework.slug,
        "mode": framework.mode,
        "band_scheme": framework.band_scheme_id,
        "source_note": framework.source_note,
        "participants": list(framework.participants.values_list("pk", flat=True)),
    }
    stored = list(framework.criteria.order_by("order", "code"))
    data |= {"criteria-TOTAL_FORMS": len(stored), "criteria-INITIAL_FORMS": len(stored)}
    for n, criterion in enumerate(stored):
        data |= {
            f"criteria-{n}-id": criterion.pk,
            f"criteria-{n}-framework": framework.pk,
            f"criteria-{n}-code": criterion.code,
            f"criteria-{n}-name": criterion.name,
            f"criteria-{n}-max_points": criterion.max_points,
            f"criteria-{n}-kind": criterion.kind,
            f"criteria-{n}-component": criterion.component,
            f"criteria-{n}-order": criterion.order,
        }
    publication = Publication.objects.filter(framework=framework).first()
    count = int(publication is not None)
    data |= {"publication-TOTAL_FORMS": count, "publication-INITIAL_FORMS": count}
    if publication is not None:
        data |= {
            "publication-0-id": publication.pk,
            "publication-0-framework": framework.pk,
            "publication-0-decision_number": publication.decision_number,
            "publication-0-decision_date": publication.decision_date.isoformat(),
            "publication-0-signer": publication.signer,
        }
    return data | changes


def test_a_draft_saved_in_the_framework_admin_moves_nothing(
    client, admin_client, site, django_assert_num_queries, django_capture_on_commit_callbacks
):
    before = validators(client, site)
    url = reverse("admin:scoring_framework_change", args=[site.draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, framework_admin_form(site.draft, name="Chỉ số CCHC 2023 (dự thảo)"))
    assert response.status_code == 302
    assert Framework.objects.get(pk=site.draft.pk).name == "Chỉ số CCHC 2023 (dự thảo)"
    assert_cached_and_current(client, site, before, django_assert_num_queries)


def test_a_publication_withdrawn_in_the_framework_admin_moves_the_validators(
    client, admin_client, site, django_capture_on_commit_callbacks
):
    before = validators(client, site)
    url = reverse("admin:scoring_framework_change", args=[site.published.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, framework_admin_form(site.published, **{"publication-0-DELETE": "on"}))
    assert response.status_code == 302 and not Publication.objects.filter(framework=site.published).exists()
    assert client.get(site.published.get_absolute_url()).status_code == 404
    assert_moved(client, [url for url in site.pages if url != site.published.get_absolute_url()], before)


def _unit_renamed(site):
    unit = site.units[0]
    form = {
        "code": unit.code,
        "name": "Thị xã Mẫu 0",
        "short_name": "Mẫu 0",
        "kind": unit.kind,
        "type_label": "Thị xã",
        "parent": unit.parent_id,
        "predecessor_links-TOTAL_FORMS": "0",
        "predecessor_links-INITIAL_FORMS": "0",
    }
    return reverse("admin:units_unit_change", args=[unit.pk]), form


def _published_framework_renamed(site):
    url = reverse("admin:scoring_framework_change", args=[site.published.pk])
    return url, framework_admin_form(site.published, name="Chỉ số CCHC 2022 (QĐ 1)")


ADMIN_EDITS = {
    "unit_renamed": _unit_renamed,
    "published_framework_renamed": _published_framework_renamed,
}


@pytest.mark.parametrize("edit", ADMIN_EDITS.values(), ids=ADMIN_EDITS.keys())
def test_an_admin_edit_of_something_public_moves_the_validators(
    client, admin_client, site, edit, django_capture_on_commit_callbacks
):
    before = validators(client, site)
    url, form = edit(site)
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, form).status_code == 302
    assert_moved(client, site.pages, before)
