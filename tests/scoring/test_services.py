"""Stored results through the services: hand-computed frameworks on the database."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring import services
from scoring.models import Framework, Result, Score
from tests.factories import UnitFactory, make_framework, publish, score
from units.models import UnitLineage

pytestmark = pytest.mark.django_db

# 1 (40) = 1.1 (25) + 1.2 (15); 2 (60) = 2.1 (60); 3 bonus (5); 4 penalty (10)
ROWS = (
    ("1", "40"),
    ("1.1", "25"),
    ("1.2", "15"),
    ("2", "60"),
    ("2.1", "60"),
    ("3", "5", "bonus"),
    ("3.1", "5", "bonus"),
    ("4", "10", "penalty"),
    ("4.1", "10", "penalty"),
)


def results(framework):
    return {result.unit.code: result for result in Result.objects.filter(framework=framework).select_related("unit")}


def test_scores_produce_stored_totals_indexes_ranks_ties_and_bands():
    a, b, c, d = UnitFactory.create_batch(4)
    framework = make_framework(units=[a, b, c, d], rows=ROWS)
    services.scores_set(
        framework=framework,
        entries=[
            # a: 20 + 10 + 50 + bonus 3 − penalty 1 = 82 of 100
            score(a, "1.1", "20"), score(a, "1.2", "10"), score(a, "2.1", "50"),
            score(a, "3.1", "3"), score(a, "4.1", "1"),
            # b: 1.2 not applicable: (25 + 44.5) / 85 × 100 = 81.7647… → 81.76
            score(b, "1.1", "25"), score(b, "1.2", "NA"), score(b, "2.1", "44.5"),
            # c: 82 of 100, tied with a
            score(c, "1.1", "22"), score(c, "1.2", "10"), score(c, "2.1", "50"),
            # d: nothing entered but one criterion: 40 of 100
            score(d, "2.1", "40"),
        ],
    )  # fmt: skip
    got = results(framework)
    assert (got[a.code].total_points, got[a.code].applicable_max, got[a.code].index) == (D("82"), D("100"), D("82"))
    assert got[a.code].field_points == {"1": "30.00", "2": "50.00", "3": "3.00", "4": "1.00"}
    assert (got[b.code].applicable_max, got[b.code].index) == (D("85"), D("81.76"))
    assert [(got[u.code].rank, got[u.code].tied) for u in (a, c, b, d)] == [
        (1, True),
        (1, True),
        (3, False),
        (4, False),
    ]
    assert [got[u.code].band for u in (a, b, d)] == ["Tốt", "Tốt", "Yếu"]
    assert got[a.code].previous is None and got[a.code].delta_rank is None


def test_score_above_maximum_or_on_a_parent_is_rejected_and_nothing_is_written():
    unit = UnitFactory()
    framework = make_framework(units=[unit], rows=ROWS)
    with pytest.raises(services.ScoringInputError) as error:
        services.scores_set(
            framework=framework,
            entries=[
                score(unit, "1.1", "20"),  # fine, but the batch fails
                score(unit, "1.2", "15.01"),  # above 15
                score(unit, "1", "10"),  # a parent
                score(unit, "2.1", "-1"),  # negative
                score(unit, "3.1", "1.005"),  # three decimals
                score(unit, "9.9", "1"),  # unknown criterion
            ],
        )
    messages = error.value.messages
    assert len(messages) == 5
    assert messages[0].endswith("tiêu chí 1.2: điểm 15,01: vượt điểm tối đa 15,00")  # figures in Vietnamese
    assert "tiêu chí 1 có tiêu chí con" in messages[1]  # Vietnamese, the default language
    assert "-1" in messages[2]
    assert messages[3].endswith("điểm 1,005: quá 2 chữ số thập phân")
    assert "9.9" in messages[4]
    assert not Score.objects.exists()
    assert not Result.objects.exists()


def test_scores_for_a_non_participant_are_rejected():
    unit, stranger = UnitFactory(), UnitFactory()
    framework = make_framework(units=[unit])
    with pytest.raises(services.ScoringInputError, match=stranger.code):
        services.scores_set(framework=framework, entries=[score(stranger, "1", "10")])


def test_rescoring_updates_the_cell_and_the_result():
    unit = UnitFactory()
    framework = make_framework(units=[unit])
    services.scores_set(framework=framework, entries=[score(unit, "1", "70")])
    services.scores_set(framework=framework, entries=[score(unit, "1", "75.5")])
    assert Score.objects.get().points == D("75.50")
    assert Result.objects.get().index == D("75.50")


def test_criteria_tree_whose_maxima_do_not_add_up_is_rejected():
    with pytest.raises(services.ScoringInputError, match="9"):
        make_framework(rows=(("1", "10"), ("1.1", "4"), ("1.2", "5")))
    assert not Framework.objects.exists()


def two_years(previous_units, current_units, previous_scores, current_scores, scope="70"):
    before = make_framework(year=2021, units=previous_units, scope=scope)
    services.scores_set(framework=before, entries=[score(u, "1", p) for u, p in previous_scores])
    publish(before)
    after = make_framework(year=2022, units=current_units, scope=scope)
    services.scores_set(framework=after, entries=[score(u, "1", p) for u, p in current_scores])
    return before, after


def test_deltas_compare_with_the_previous_published_year():
    a, b, c = UnitFactory.create_batch(3)
    _, after = two_years([a, b, c], [a, b, c], [(a, "90"), (b, "80"), (c, "70")], [(a, "85"), (b, "80"), (c, "95.25")])
    got = results(after)
    assert (got[c.code].rank, got[c.code].delta_rank, got[c.code].delta_index) == (1, 2, D("25.25"))
    assert (got[a.code].rank, got[a.code].delta_rank, got[a.code].delta_index) == (2, -1, D("-5"))
    assert (got[b.code].delta_rank, got[b.code].delta_index) == (-1, D("0"))
    assert got[a.code].field_deltas == {"1": "-5.00"}


def test_renamed_unit_keeps_its_previous_result():
    old, other = UnitFactory(), UnitFactory()
    renamed = UnitFactory(name="Thị xã Mới")
    UnitLineage.objects.create(predecessor=old, successor=renamed, kind="rename", effective_date=date(2022, 1, 1))
    _, after = two_years([old, other], [renamed, other], [(old, "70"), (other, "80")], [(renamed, "90"), (other, "60")])
    got = results(after)
    assert got[renamed.code].previous.unit == old
    assert (got[renamed.code].delta_index, got[renamed.code].delta_rank) == (D("20"), 1)


def test_merged_unit_is_new_and_gets_no_previous_result():
    first, second = UnitFactory(), UnitFactory()
    merged = UnitFactory(name="Huyện Hợp Nhất")
    for predecessor in (first, second):
        UnitLineage.objects.create(
            predecessor=predecessor, successor=merged, kind="merge", effective_date=date(2022, 1, 1)
        )
    _, after = two_years([first, second], [merged], [(first, "70"), (second, "80")], [(merged, "90")])
    result = results(after)[merged.code]
    assert result.previous is None
    assert result.delta_index is None and result.delta_rank is None


def test_split_unit_is_new_and_the_continuing_unit_keeps_its_result():
    whole = UnitFactory()
    part = UnitFactory(name="Huyện Tách Ra")
    UnitLineage.objects.create(predecessor=whole, successor=part, kind="split")  # no date needed
    _, after = two_years([whole], [whole, part], [(whole, "70")], [(whole, "80"), (part, "90")])
    got = results(after)
    assert got[part.code].previous is None
    assert got[whole.code].previous.unit == whole


def test_rename_during_the_previous_year_still_links_the_two_rounds():
    old = UnitFactory()
    renamed = UnitFactory(name="Thành phố Mới")
    # renamed in July 2021, after the 2021 round was scored under the old code
    UnitLineage.objects.create(predecessor=old, successor=renamed, kind="rename", effective_date=date(2021, 7, 1))
    _, after = two_years([old], [renamed], [(old, "70")], [(renamed, "75")])
    assert results(after)[renamed.code].delta_index == D("5")


def test_an_old_merger_does_not_make_a_unit_new_for_ever():
    gone, other = UnitFactory(), UnitFactory()
    merged = UnitFactory()
    UnitLineage.objects.create(predecessor=gone, successor=merged, kind="merge")  # undated, long ago
    UnitLineage.objects.create(predecessor=other, successor=merged, kind="merge")
    _, after = two_years([merged], [merged], [(merged, "60")], [(merged, "65")])
    assert results(after)[merged.code].delta_index == D("5")


def test_unit_that_absorbed_another_is_new_even_with_its_own_previous_result():
    survivor, absorbed = UnitFactory(), UnitFactory()
    UnitLineage.objects.create(predecessor=absorbed, successor=survivor, kind="merge", effective_date=date(2022, 7, 1))
    _, after = two_years([survivor, absorbed], [survivor], [(survivor, "70"), (absorbed, "80")], [(survivor, "90")])
    assert results(after)[survivor.code].previous is None


def test_an_unpublished_previous_year_is_not_compared_with():
    unit = UnitFactory()
    before = make_framework(year=2021, units=[unit])
    services.scores_set(framework=before, entries=[score(unit, "1", "50")])
    after = make_framework(year=2022, units=[unit])
    services.scores_set(framework=after, entries=[score(unit, "1", "60")])
    assert results(after)[unit.code].previous is None
    publish(before)  # publishing the earlier year refreshes the later one's deltas
    assert results(after)[unit.code].delta_index == D("10")


def test_changing_last_years_scores_refreshes_this_years_deltas():
    unit, other = UnitFactory(), UnitFactory()
    before, after = two_years(
        [unit, other], [unit, other], [(unit, "50"), (other, "60")], [(unit, "70"), (other, "65")]
    )
    assert results(after)[unit.code].delta_rank == 1
    services.scores_set(framework=before, entries=[score(unit, "1", "61")], reason="Phúc khảo")
    got = results(after)[unit.code]
    assert (got.delta_index, got.delta_rank) == (D("9"), 0)


def test_correcting_a_published_framework_needs_a_reason_and_keeps_the_published_figures():
    unit, other = UnitFactory(), UnitFactory()
    framework = make_framework(units=[unit, other])
    services.scores_set(framework=framework, entries=[score(unit, "1", "50"), score(other, "1", "60")])
    publish(framework)
    with pytest.raises(services.ScoringInputError, match="hãy ghi lý do"):
        services.scores_set(framework=framework, entries=[score(unit, "1", "61")])
    assert results(framework)[unit.code].index == D("50")
    services.scores_set(framework=framework, entries=[score(unit, "1", "61")], reason="Phúc khảo")
    revision = framework.revisions.first()
    assert revision.reason == "Phúc khảo"
    assert revision.results_before == {
        unit.code: {"index": "50.00", "rank": 2},
        other.code: {"index": "60.00", "rank": 1},
    }
    change = revision.changes.get()
    assert (change.unit, change.old_points, change.new_points) == (unit, D("50"), D("61"))
    assert Score.objects.get(unit=unit).created_in == framework.revisions.last()
    assert results(framework)[unit.code].rank == 1


def test_unpublishing_or_deleting_last_year_clears_this_years_deltas():
    unit = UnitFactory()
    before, after = two_years([unit], [unit], [(unit, "50")], [(unit, "70")])
    assert results(after)[unit.code].delta_index == D("20")
    services.framework_unpublish(framework=before)
    got = results(after)[unit.code]
    assert (got.previous, got.delta_index, got.delta_rank, got.field_deltas) == (None, None, None, {"1": None})
    publish(before)
    assert results(after)[unit.code].delta_index == D("20")
    services.framework_delete(framework=before)
    got = results(after)[unit.code]
    assert (got.previous, got.delta_index, got.delta_rank) == (None, None, None)


def test_participant_with_nothing_entered_is_unranked():
    scored, waiting = UnitFactory(), UnitFactory()
    framework = make_framework(units=[scored, waiting])
    services.scores_set(framework=framework, entries=[score(scored, "1", "55")])
    got = results(framework)
    assert (got[waiting.code].index, got[waiting.code].rank, got[waiting.code].band) == (None, None, "")
    assert got[scored.code].rank == 1


@pytest.mark.parametrize("value", [55, 55.5, "55", D("NaN"), D("Infinity")])
def test_points_that_are_not_a_finite_decimal_are_rejected(value):
    unit = UnitFactory()
    framework = make_framework(units=[unit])
    with pytest.raises(services.ScoringInputError) as error:
        services.scores_set(framework=framework, entries=[services.ScoreEntry(unit.code, "1", value)])
    assert error.value.messages == [f"đơn vị {unit.code}, tiêu chí 1: điểm {value}: không phải là số"]
    assert not Score.objects.exists()


def test_published_mode_keeps_given_figures_ranks_them_and_flags_a_disagreeing_rank():
    a, b, c = UnitFactory.create_batch(3)
    framework = make_framework(mode=Framework.Mode.PUBLISHED, rows=(("1", "14"), ("2", "17")))
    services.published_results_set(
        framework=framework,
        rows=[
            services.PublishedResultRow(a.code, D("93.91"), rank=1, fields={"1": D("12"), "2": D("11.5")}),
            services.PublishedResultRow(b.code, D("70.56"), rank=2),  # the decision says 2, but it is 3rd
            services.PublishedResultRow(c.code, D("80"), rank=2),
        ],
    )
    got = results(framework)
    assert got[a.code].field_points == {"1": "12.00", "2": "11.50"}
    assert got[a.code].total_points is None  # not published: not made up
    assert [got[u.code].rank for u in (a, c, b)] == [1, 2, 3]
    assert got[b.code].rank_disagrees and not got[c.code].rank_disagrees
    assert framework.participants.count() == 3


def test_published_mode_rejects_bad_rows_all_at_once():
    unit = UnitFactory()
    framework = make_framework(mode=Framework.Mode.PUBLISHED, rows=(("1", "14"),))
    rows = [
        services.PublishedResultRow(unit.code, D("100.01")),
        services.PublishedResultRow("nope", D("50")),
        services.PublishedResultRow(unit.code, D("50"), fields={"1": D("14.5"), "7": D("1")}),
    ]
    with pytest.raises(services.ScoringInputError) as error:
        services.published_results_set(framework=framework, rows=rows)
    assert error.value.messages == [
        f"đơn vị {unit.code}: chỉ số 100,01: vượt điểm tối đa 100,00",
        "đơn vị nope: không có đơn vị này trong kỳ đánh giá 2022",
        f"đơn vị {unit.code}: xuất hiện hai lần",
        f"đơn vị {unit.code}: lĩnh vực 1 14,5: vượt điểm tối đa 14,00",
        f"đơn vị {unit.code}: không có lĩnh vực (tiêu chí cấp 1) 7",
    ]
    assert not Result.objects.exists()


def test_reimporting_published_results_replaces_the_table():
    a, b, c = UnitFactory.create_batch(3)
    framework = make_framework(mode=Framework.Mode.PUBLISHED, rows=(("1", "14"),))
    rows = [services.PublishedResultRow(unit.code, D(index)) for unit, index in ((a, "90"), (b, "80"), (c, "70"))]
    services.published_results_set(framework=framework, rows=rows)
    services.published_results_set(
        framework=framework,
        rows=[services.PublishedResultRow(a.code, D("60")), services.PublishedResultRow(b.code, D("80"))],
    )
    got = results(framework)
    assert set(got) == {a.code, b.code}
    assert (got[b.code].rank, got[a.code].rank) == (1, 2)
    assert set(framework.participants.all()) == {a, b}


def recompute_queries(unit_count):
    units = UnitFactory.create_batch(unit_count)
    _, after = two_years(units, units, [(u, "50") for u in units], [(u, "60") for u in units], scope=str(unit_count))
    with CaptureQueriesContext(connection) as queries:
        services.framework_results_recompute(framework=after)
    return len(queries)


def test_recompute_runs_the_same_number_of_queries_for_5_and_60_units():
    assert recompute_queries(5) == recompute_queries(60)


def test_notes_with_tabs_newlines_and_backslashes_are_stored_intact():
    unit = UnitFactory()
    framework = make_framework(units=[unit], rows=ROWS)
    note = "Hồ sơ\tthiếu\nbáo cáo \\N quý 4\r"
    entries = [
        services.ScoreEntry(unit.code, "1.1", D("20"), self_assessed_points=D("22.5"), note=note),
        services.ScoreEntry(unit.code, "1.2", None, note="chưa chấm"),
    ]
    services.scores_set(framework=framework, entries=entries)
    stored = {cell.criterion.code: cell for cell in Score.objects.select_related("criterion")}
    assert (stored["1.1"].points, stored["1.1"].self_assessed_points, stored["1.1"].note) == (D("20"), D("22.5"), note)
    assert (stored["1.2"].points, stored["1.2"].not_applicable, stored["1.2"].note) == (None, False, "chưa chấm")


def test_the_same_cell_twice_in_one_batch_is_rejected():
    unit = UnitFactory()
    framework = make_framework(units=[unit])
    with pytest.raises(services.ScoringInputError) as error:
        services.scores_set(framework=framework, entries=[score(unit, "1", "10"), score(unit, "1", "20")])
    assert len(error.value.messages) == 1
    assert not Score.objects.exists()
