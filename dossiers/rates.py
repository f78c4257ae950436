"""The rates of dossier statistics (DESIGN §10), exact ratios of the counts as
percentages, rounded half up: 4 places in the API, 2 on the pages unless that
would show a rate that is not 0 as 0,00 or one below 100 as 100,00
(``page_rates``). No rate without a base:
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


def ratios(counts) -> dict[str, tuple[int | None, int | None]]:
    """Each rate's (part, whole) from a record's counts (a mapping of ``models.COUNTS``)."""
    whole = resolved(counts)
    on_time = _sum(counts["resolved_early"], counts["resolved_on_time"]) if whole is not None else None
    late = (counts["resolved_late"] or 0) if whole is not None else None
    return {
        "on_time_rate": (on_time, whole),
        "late_rate": (late, whole),
        "online_rate": (received_online(counts), counts["online_eligible"] or counts["received"]),
    }


def rates(counts, places: int = API_PLACES) -> dict[str, Decimal | None]:
    """``on_time_rate``, ``late_rate`` and ``online_rate`` of a record's counts."""
    return {name: percent(part, whole, places) for name, (part, whole) in ratios(counts).items()}


def page_rates(counts) -> dict[str, Decimal | None]:
    """The rates as a page shows them: 2 places, or 4 where 2 would round a part
    that is not 0 to 0,00 or one short of the whole to 100,00 (9 late of
    417.983: 0,0022 % late and 99,9978 % on time, not 0,00 % and 100,00 %)."""
    shown = {}
    for name, (part, whole) in ratios(counts).items():
        rate = percent(part, whole, PAGE_PLACES)
        hidden = (rate == 0 and part) or (rate == 100 and part != whole)
        shown[name] = percent(part, whole, API_PLACES) if hidden else rate
    return shown
