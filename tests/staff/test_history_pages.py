"""The staff history pages: a framework's revisions, one revision's cells (and a
correction's replaced published figures), one unit's changes across frameworks;
who may see them, and at what query cost."""

import html
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from scoring import services
from scoring.models import Revision
from staff.models import StaffRole
from tests.factories import UnitFactory, make_framework, publish, score
from units.models import Unit

pytestmark = pytest.mark.django_db

# 1 (40) = 1.1 (25) + 1.2 (15); 2 (60) = 2.1 (60)
ROWS = (("1", "40"), ("1.1", "25"), ("1.2", "15"), ("2", "60"), ("2.1", "60"))


def vi(message: str) -> str:
    """``message`` as a Vietnamese page shows it (translated or not yet)."""
    with translation.override("vi"):
        return translation.gettext(message)


def table_rows(page: str) -> list[str]:
    """Each table row's text, tags stripped and spaces collapsed."""
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def province_editor(name: str, province: Unit, **names):
    user = get_user_model().objects.create_user(name, **names)
    StaffRole.objects.create(user=user, role=StaffRole.Role.PROVINCE_EDITOR, unit=province)
    return user


@pytest.fixture
def trail():
    """Three revisions of Bình Phước's 2022 district framework, oldest first:
    1. Lan imports Đồng Phú (1.1 20, 1.2 10, 2.1 50) and Lộc Ninh (1.1 25, 2.1 44.5).
    2. Minh edits by hand: Đồng Phú 1.1 20 → 22, Lộc Ninh 1.2 created KAD, 2.1 44.5 → 45.
       Đồng Phú 82.00 (2nd), Lộc Ninh 70 / 85 = 82.35 (1st): then published.
    3. Lan corrects: Đồng Phú 1.1 22 → 25, 1.2 10 → 13.96: 88.96 (1st), Lộc Ninh 2nd."""
    province = UnitFactory(code="70", name="Tỉnh Bình Phước", kind=Unit.Kind.PROVINCE)
    dong_phu = UnitFactory(code="695", name="Huyện Đồng Phú", parent=province, valid_from=date(2000, 1, 1))
    loc_ninh = UnitFactory(code="692", name="Huyện Lộc Ninh", parent=province)
    lan = province_editor("lan", province, first_name="Nguyễn Thị", last_name="Lan")
    minh = province_editor("minh", province)
    framework = make_framework(units=[dong_phu, loc_ninh], rows=ROWS, scope="70")
    writes = [
        (lan, "", "diem-2022.xlsx", [(dong_phu, "1.1", "20"), (dong_phu, "1.2", "10"), (dong_phu, "2.1", "50"),
                                     (loc_ninh, "1.1", "25"), (loc_ninh, "2.1", "44.5")]),
        (minh, "Sửa lỗi nhập", "form", [(dong_phu, "1.1", "22"), (loc_ninh, "1.2", "NA"), (loc_ninh, "2.1", "45")]),
        (lan, "Phúc khảo", "form", [(dong_phu, "1.1", "25"), (dong_phu, "1.2", "13.96")]),
    ]  # fmt: skip
    for number, (user, reason, source, cells) in enumerate(writes, start=1):
        if number == 3:
            publish(framework)
        services.scores_set(
            framework=framework,
            entries=[score(unit, code, value) for unit, code, value in cells],
            user=user,
            reason=reason,
            source=source,
        )
    revisions = list(Revision.objects.filter(framework=framework).order_by("pk"))
    return {"framework": framework, "province": province, "dong_phu": dong_phu, "lan": lan, "revisions": revisions}


def history_url(framework):
    return reverse("staff:framework_history", args=[framework.slug])


def revision_url(framework, revision):
    return reverse("staff:revision", args=[framework.slug, revision.pk])


def test_framework_history_lists_revisions_newest_first_with_who_source_reason_counts_and_the_correction(
    client, trail, django_assert_max_num_queries
):
    framework, revisions = trail["framework"], trail["revisions"]
    client.force_login(trail["lan"])
    # session, user, roles, framework, count, page with users
    with django_assert_max_num_queries(6):
        response = client.get(history_url(framework))
    assert response.status_code == 200
    page = response.content.decode()
    rows = [row for row in table_rows(page) if "diem-2022.xlsx" in row or " form " in row]
    assert [row.split(" ", 2)[2] for row in rows] == [
        f"{vi('correction')} Nguyễn Thị Lan form Phúc khảo 0 2",
        "minh form Sửa lỗi nhập 1 2",
        "Nguyễn Thị Lan diem-2022.xlsx — 5 0",
    ]
    assert page.count('class="tag correction"') == 1
    for revision in revisions:
        assert f'href="{revision_url(framework, revision)}"' in page


def test_framework_history_is_paged_by_fifty(client, trail):
    framework, dong_phu = trail["framework"], trail["dong_phu"]
    for number in range(50):  # 53 revisions in all
        services.scores_set(framework=framework, entries=[score(dong_phu, "2.1", str(number))], reason=f"lần {number}")
    client.force_login(trail["lan"])
    first = client.get(history_url(framework)).content.decode()
    second = client.get(history_url(framework), {"page": "2"}).content.decode()
    link = re.compile(rf'href="{history_url(framework)}\d+/"')
    assert (len(link.findall(first)), len(link.findall(second))) == (50, 3)
    assert "lần 49" in first and "lần 49" not in second
    assert "diem-2022.xlsx" in second and "diem-2022.xlsx" not in first


def test_revision_shows_each_cell_old_and_new_in_vietnamese_with_kad_and_none(
    client, trail, django_assert_max_num_queries
):
    framework, revisions = trail["framework"], trail["revisions"]
    client.force_login(trail["lan"])
    # session, user, roles, framework, revision with its user, count, page
    with django_assert_max_num_queries(7):
        response = client.get(revision_url(framework, revisions[1]))
    page = response.content.decode()
    created = vi("created")
    assert table_rows(page)[1:] == [
        "Huyện Lộc Ninh 692 1.2. Tiêu chí 1.2 — → KAD " + created,
        "Huyện Lộc Ninh 692 2.1. Tiêu chí 2.1 44,50 → 45,00",
        "Huyện Đồng Phú 695 1.1. Tiêu chí 1.1 20,00 → 22,00",
    ]
    assert "minh" in page and "Sửa lỗi nhập" in page
    assert vi("Published figures this correction replaced") not in page
    imported = table_rows(client.get(revision_url(framework, revisions[0])).content.decode())
    # Đồng Phú's 1.1 as created (20), not as it is now (25).
    assert "Huyện Đồng Phú 695 1.1. Tiêu chí 1.1 — → 20,00 " + created in imported


def test_a_correction_shows_the_published_figures_it_replaced_beside_the_current_ones(
    client, trail, django_assert_max_num_queries
):
    framework, correction = trail["framework"], trail["revisions"][2]
    client.force_login(trail["lan"])
    # As any revision, plus its published figures and the stored results.
    with django_assert_max_num_queries(9):
        response = client.get(revision_url(framework, correction))
    page = response.content.decode()
    assert page.count('class="tag correction"') == 1
    assert vi("Published figures this correction replaced") in page
    rows = table_rows(page)
    # code, unit, published index and rank, index and rank now
    assert "695 Huyện Đồng Phú 82,00 2 88,96 1" in rows
    assert "692 Huyện Lộc Ninh 82,35 1 82,35 2" in rows
    assert "Huyện Đồng Phú 695 1.2. Tiêu chí 1.2 10,00 → 13,96" in rows
    assert "Nguyễn Thị Lan" in page and "Phúc khảo" in page


def test_a_revision_of_another_framework_is_not_found_under_this_one(client, trail):
    framework, province = trail["framework"], trail["province"]
    other = make_framework(year=2021, units=[trail["dong_phu"]], rows=ROWS, scope="70")
    services.scores_set(framework=other, entries=[score(trail["dong_phu"], "1.1", "5")])
    other_revision = Revision.objects.get(framework=other)
    client.force_login(trail["lan"])
    assert province.code == framework.scope
    assert client.get(revision_url(framework, other_revision)).status_code == 404
    assert client.get(revision_url(other, other_revision)).status_code == 200
    assert client.get(reverse("staff:revision", args=[framework.slug, 999999])).status_code == 404


def test_frameworks_out_of_scope_are_not_found_and_their_changes_not_listed(client, trail):
    framework, revisions = trail["framework"], trail["revisions"]
    thai_nguyen = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=Unit.Kind.PROVINCE)
    client.force_login(province_editor("hoa", thai_nguyen))
    assert client.get(history_url(framework)).status_code == 404
    assert client.get(revision_url(framework, revisions[0])).status_code == 404
    unit_page = client.get(reverse("staff:unit_history", args=["695"]))
    assert unit_page.status_code == 200  # units are public; their scores here are not
    page = unit_page.content.decode()
    assert "Huyện Đồng Phú" in page and "Phúc khảo" not in page and "13,96" not in page
    assert vi("No change of its scores in your frameworks.") in page


def test_anonymous_visitors_go_to_the_login_page_and_users_without_a_role_are_refused(client, trail):
    framework, revisions = trail["framework"], trail["revisions"]
    urls = [
        history_url(framework),
        revision_url(framework, revisions[0]),
        reverse("staff:unit_history", args=["695"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/?next=")
    client.force_login(get_user_model().objects.create_user("khach"))
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]


def test_unit_history_lists_every_unit_that_held_the_code_with_its_changes(
    client, trail, django_assert_max_num_queries
):
    """Đồng Phú's code 695 passed to a new unit on 1/7/2025 (codes are reused):
    the page shows both units, each with its own changes."""
    old = trail["dong_phu"]
    Unit.objects.filter(pk=old.pk).update(valid_to=date(2025, 6, 30))
    new = UnitFactory(
        code="695", name="Xã Đồng Phú", kind=Unit.Kind.COMMUNE, parent=trail["province"], valid_from=date(2025, 7, 1)
    )
    later = make_framework(year=2025, units=[new], rows=ROWS, scope="70", block="commune")
    services.scores_set(framework=later, entries=[score(new, "2.1", "NA")], user=trail["lan"], source="xa-2025.xlsx")
    client.force_login(trail["lan"])
    # session, user, units, roles, then two per unit
    with django_assert_max_num_queries(8):
        response = client.get(reverse("staff:unit_history", args=["695"]))
    page = response.content.decode()
    assert page.index("Xã Đồng Phú") < page.index("Huyện Đồng Phú")  # newest unit first
    created = vi("created")
    rows = [row.split(" ", 2)[2] for row in table_rows(page) if "Tiêu chí" in row and vi("Who") not in row]
    assert rows == [
        f"Chỉ số CCHC 2025 2.1. Tiêu chí 2.1 — → KAD {created} Nguyễn Thị Lan — xa-2025.xlsx",
        # the correction, in criterion order
        "Chỉ số CCHC 2022 1.1. Tiêu chí 1.1 22,00 → 25,00 Nguyễn Thị Lan Phúc khảo form",
        "Chỉ số CCHC 2022 1.2. Tiêu chí 1.2 10,00 → 13,96 Nguyễn Thị Lan Phúc khảo form",
        "Chỉ số CCHC 2022 1.1. Tiêu chí 1.1 20,00 → 22,00 minh Sửa lỗi nhập form",
        f"Chỉ số CCHC 2022 1.1. Tiêu chí 1.1 — → 20,00 {created} Nguyễn Thị Lan — diem-2022.xlsx",
        f"Chỉ số CCHC 2022 1.2. Tiêu chí 1.2 — → 10,00 {created} Nguyễn Thị Lan — diem-2022.xlsx",
        f"Chỉ số CCHC 2022 2.1. Tiêu chí 2.1 — → 50,00 {created} Nguyễn Thị Lan — diem-2022.xlsx",
    ]
    revision = trail["revisions"][2]
    assert f'href="{revision_url(trail["framework"], revision)}"' in page
    assert client.get(reverse("staff:unit_history", args=["00000"])).status_code == 404


def test_the_framework_page_and_the_unit_grid_link_to_their_history(client, trail):
    framework, dong_phu = trail["framework"], trail["dong_phu"]
    client.force_login(trail["lan"])
    framework_page = client.get(reverse("staff:framework", args=[framework.slug])).content.decode()
    assert f'href="{history_url(framework)}"' in framework_page
    grid = client.get(reverse("staff:unit_grid", args=[framework.slug, dong_phu.code])).content.decode()
    assert f'href="{reverse("staff:unit_history", args=[dong_phu.code])}"' in grid
