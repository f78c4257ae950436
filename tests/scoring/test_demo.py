"""The demo shows the seeds' published figures exactly, and flags everything invented."""

from decimal import Decimal as D

import pytest
from django.core.management import call_command

from scoring.models import Framework, Publication, Result, Score

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def result(slug, code):
    return Result.objects.select_related("previous").get(framework__slug=slug, unit__code=code)


def test_dong_phu_2022_as_published_in_seed_000(demo):
    dong_phu = result("cchc-2022-70-district", "695")
    assert (dong_phu.index, dong_phu.rank, dong_phu.delta_rank) == (D("93.91"), 5, 6)  # 5/11, "tăng 6 bậc"
    assert Result.objects.filter(framework__slug="cchc-2022-70-district").count() == 11
    assert dong_phu.field_points["4"] == "13.96"  # Cải cách thủ tục hành chính 13,96/14,50
    assert dong_phu.field_deltas["4"] == "4.21"  # tăng 4,21 điểm
    assert dong_phu.field_deltas == {
        "1": "4.00", "2": "1.06", "3": "0.56", "4": "4.21", "5": "0.30", "6": "4.02", "7": "1.19", "8": "1.98",
    }  # fmt: skip
    assert not dong_phu.is_sample and not dong_phu.rank_disagrees
    assert dong_phu.previous.is_sample  # its 2021 index is invented, so its Δ index is flagged


def test_thai_nguyen_2017_as_published_in_seed_004(demo):
    pho_yen = result("cchc-2017-19-district", "172")
    assert (pho_yen.index, pho_yen.rank, pho_yen.delta_rank) == (D("90.83"), 1, 1)
    assert pho_yen.display_name == "Thị xã Phổ Yên"  # a thành phố only since 2022
    phu_luong = result("cchc-2017-19-district", "168")
    assert (phu_luong.index, phu_luong.rank, phu_luong.delta_rank) == (D("70.96"), 9, -4)
    assert [result("cchc-2017-19-district", code).rank for code in ("165", "170")] == [2, 3]
    science = result("cchc-2017-19-department", "19-KHCN")
    assert (science.index, science.rank, science.delta_rank) == (D("85.60"), 1, 6)
    assert [result("cchc-2017-19-department", code).rank for code in ("19-CT", "19-VHTTDL")] == [2, 3]
    labour = result("cchc-2017-19-department", "19-LDTBXH")
    last = Result.objects.filter(framework__slug="cchc-2017-19-department").count()
    assert (labour.index, labour.rank, labour.delta_rank) == (D("66.04"), last, -1)


def test_computed_demo_indexes_come_from_scores_with_not_applicable_and_bonus(demo):
    city = result("cchc-2017-19-district", "164")  # one criterion not applicable
    assert city.applicable_max == D("108.50")
    assert (
        Score.objects.filter(unit__code="164", criterion__framework__slug="cchc-2017-19-district")
        .filter(not_applicable=True)
        .exists()
    )
    pho_yen = result("cchc-2017-19-district", "172")  # bonus 1.50 on top of normal points
    assert pho_yen.field_points["9"] == "1.50"
    assert pho_yen.total_points == D("102.64")  # 102.64 / 113 × 100 = 90.83


def test_ngan_son_2022_band_and_decision_as_in_seed_002(demo):
    ngan_son = result("cchc-2022-06-district", "062")
    assert (ngan_son.index, ngan_son.rank, ngan_son.band) == (D("70.56"), 8, "Khá")
    publication = Publication.objects.get(framework__slug="cchc-2022-06-district")
    assert (publication.decision_number, str(publication.decision_date), publication.is_sample) == (
        "501/QĐ-UBND",
        "2023-03-29",
        False,
    )


def test_every_demo_row_outside_the_seeds_is_flagged_as_sample(demo):
    real = {("cchc-2022-70-district", "695"), ("cchc-2022-06-district", "062")}
    for row in Result.objects.select_related("framework", "unit"):
        assert row.is_sample == ((row.framework.slug, row.unit.code) not in real), row


def test_loading_the_demo_twice_changes_nothing(demo):
    before = list(Result.objects.order_by("pk").values())
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(Result.objects.order_by("pk").values()) == before
    assert Framework.objects.count() == 11  # 7 PAR INDEX rounds, 2 monthly 766 rounds, 2 DDCI rounds


def test_demo_ranking_page_labels_sample_data(demo, client):
    page = client.get("/rankings/cchc-2022-70-district/").content.decode()
    assert "Có số liệu mẫu" in page
    assert "93,91" in page and "▲ 6" in page and "+4,21" in page
    # The ten other units' invented rows, one mark each; Đồng Phú's row is real, but its Δ index
    # and Δ rank compare with an invented 2021 index: those two are marked, not the row.
    assert page.count('class="sample-mark"') == 12 and page.count('<tr class="sample">') == 10
    table = page[page.index("<tbody>") :]
    dong_phu = table[table.index(">Huyện Đồng Phú<") : table.index("</tr>", table.index(">Huyện Đồng Phú<"))]
    assert dong_phu.count("so sánh với số liệu mẫu của kỳ trước") == 2


def test_thanh_binh_ddci_2019_in_the_group_and_rise_of_seed_001(demo):
    """ "chỉ số DDCI năm 2019 huyện nằm trong nhóm Khá tốt và điểm số tăng 3,50
    so với năm 2018": the group and the rise are real, the scores are not."""
    thanh_binh = result("ddci-2019-87-district", "874")
    assert (thanh_binh.band, thanh_binh.delta_index) == ("Khá tốt", D("3.50"))
    assert thanh_binh.index - thanh_binh.previous.index == D("3.50")
    assert thanh_binh.is_sample and thanh_binh.framework.index.slug == "ddci"
    assert thanh_binh.framework.band_scheme.name == "Nhóm DDCI (ngưỡng minh họa)"
    assert "Khá tốt" in thanh_binh.framework.source_note and "mẫu" in thanh_binh.framework.source_note


def test_the_766_service_index_is_monthly_and_compares_month_to_month(demo):
    november, december = (Framework.objects.get(slug=f"phuc-vu-766-2024-{month}-19-department") for month in (11, 12))
    assert (december.year, december.month, december.period_label) == (2024, 12, "12/2024")
    assert Framework.objects.previous_round(december) == november
    assert list(december.criteria.values_list("max_points", flat=True)) == [18, 20, 22, 22, 18]
    for row in december.results.select_related("previous"):
        assert row.previous.framework_id == november.pk
        assert row.delta_index == row.index - row.previous.index
