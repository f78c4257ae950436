"""The rates of dossier statistics (DESIGN §10), exact ratios of the counts as
percentages, rounded half up: 4 places in the API, 2 on the pages unless a rate
that is not zero would show as 0,00. No rate without a base:
a unit that resolved nothing has no on-time rate, never 0 % or 100 %.

- on time: (early + on time) ÷ resolved, resolved = early + on time + late;
- late: late ÷ resolved;
- online: received online ÷ the dossiers of procedures offered online when the
  source gives them, else ÷ received. Received online is the partly and the
  fully online together, or the single count a source gives.

A count not reported counts as none when another count of the same ratio is
reported (a source that says "70.395 on time, none late" gives no early ones);
with none of them reported, there is no rate."""

from decimal import ROUND_HALF_UP, Decimal, localcontext

API_PLACES = 4
PAGE_PLACES = 2


def percent(part: int | None, whole: int | None, places: int = API_PLACES) -> Decimal | None:
    """``part`` of ``whole`` in percent, half up to ``places``; None without both or with a whole of 0."""
    if part is None or not whole:
        return None
    with localcontext() as context:
        context.prec = 60  # a count has at most 20 digits: the quotient is exact to far beyond the rounding
        return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def _sum(*counts: int | None) -> int | None:
    reported = [count for count in counts if count is not None]
    return sum(reported) if reported else None


def resolved(counts) -> int | None:
    return _sum(counts["resolved_early"], counts["resolved_on_time"], counts["resolved_late"])


def received_online(counts) -> int | None:
    if counts["online"] is not None:
        return counts["online"]
    return _sum(counts["online_partial"], counts["online_full"])


def rates(counts, places: int = API_PLACES) -> dict[str, Decimal | None]:
    """``on_time_rate``, ``late_rate`` and ``online_rate`` of a record's counts
    (a mapping of ``models.COUNTS``)."""
    whole = resolved(counts)
    on_time = _sum(counts["resolved_early"], counts["resolved_on_time"]) if whole is not None else None
    late = (counts["resolved_late"] or 0) if whole is not None else None
    return {
        "on_time_rate": percent(on_time, whole, places),
        "late_rate": percent(late, whole, places),
        "online_rate": percent(received_online(counts), counts["online_eligible"] or counts["received"], places),
    }
