"""The rates of dossier statistics, against hand-computed values: exact ratios in
percent, half up (not to even), and no rate at all without a base."""

from decimal import Decimal as D

import pytest

from dossiers.models import COUNTS
from dossiers.rates import percent, rates


def counts(**given):
    return dict.fromkeys(COUNTS) | given


@pytest.mark.parametrize(
    ("part", "whole", "places", "expected"),
    [
        (9, 417_983, 4, "0.0022"),  # 0.00215322… (the article published 0,0021)
        (3_750, 10_119, 4, "37.0590"),  # 37.05899…
        (3_750, 10_119, 2, "37.06"),
        (22_148, 37_813, 2, "58.57"),  # 58.5724… (the article published 58,6)
        (1, 16_000, 4, "0.0063"),  # exactly 0.00625: half up, not to even (0.0062)
        (1, 8, 2, "12.50"),
        (0, 5, 4, "0.0000"),  # none late of five: a rate of 0
        (7, 7, 4, "100.0000"),
    ],
)
def test_a_rate_is_the_exact_ratio_rounded_half_up(part, whole, places, expected):
    assert percent(part, whole, places) == D(expected)
    assert str(percent(part, whole, places)) == expected


def test_no_base_no_rate_never_0_or_100_percent():
    assert percent(0, 0) is None and percent(5, None) is None and percent(None, 5) is None
    nothing = rates(counts(received=0, resolved_on_time=0, resolved_late=0))
    assert nothing == {"on_time_rate": None, "late_rate": None, "online_rate": None}
    unreported = rates(counts())
    assert unreported == {"on_time_rate": None, "late_rate": None, "online_rate": None}


def test_on_time_counts_the_early_ones_and_late_is_the_rest_of_those_resolved():
    # resolved = 3 + 5 + 2 = 10: on time (3 + 5) / 10, late 2 / 10.
    assert rates(counts(resolved_early=3, resolved_on_time=5, resolved_late=2)) == {
        "on_time_rate": D("80.0000"),
        "late_rate": D("20.0000"),
        "online_rate": None,
    }
    # "70.395 on time, none late": no early ones reported, so they count as none.
    assert rates(counts(resolved_on_time=70_395, resolved_late=0))["on_time_rate"] == D("100.0000")
    # On time reported, late not: none late.
    assert rates(counts(resolved_on_time=10))["late_rate"] == D("0.0000")


def test_online_is_over_the_dossiers_of_online_procedures_when_given_else_over_those_received():
    # Partly and fully online together: (30 + 10) / 200.
    assert rates(counts(received=200, online_partial=30, online_full=10))["online_rate"] == D("20.0000")
    # Củ Chi 2019: 3.750 of the 10.119 dossiers of procedures offered online, not of the 24.704 received.
    cu_chi = counts(received=24_704, online_partial=3_750, online_eligible=10_119)
    assert rates(cu_chi)["online_rate"] == D("37.0590")
    # A single count of online dossiers (levels 3 and 4 together) wins over a partial split.
    assert rates(counts(received=1_000, online=266, online_partial=1))["online_rate"] == D("26.6000")
