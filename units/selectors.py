"""Reads for the public unit pages; each runs a constant number of queries."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from cchc_portal.text import fold
from units.models import Boundary, Unit, UnitLineage

SEARCH_LIMIT = 50
QUERY_MAX_LENGTH = 100
_KIND_ORDER = Case(
    *(When(kind=kind, then=Value(position)) for position, kind in enumerate(Unit.Kind.values)),
    output_field=IntegerField(),
)


def search_query(text: str | None) -> str:
    """What the user typed, cut to ``QUERY_MAX_LENGTH`` and composed (NFC): a
    phone or a Mac may send "ổ" as "o" and two combining marks."""
    return unicodedata.normalize("NFC", (text or "")[: QUERY_MAX_LENGTH * 3])[:QUERY_MAX_LENGTH]


def unit_search_candidates(query: str) -> QuerySet:
    """The units matching ``query`` (``UnitQuerySet.search``), unordered, with
    their parent and its parent, annotated with ``exact`` (0: the code itself,
    1: the words together as a phrase, 2: the words apart), ``former`` (0 in
    force, 1 former) and ``level`` (provinces first)."""
    query = search_query(query)
    return (
        Unit.objects.search(query)
        .select_related("parent__parent")
        .annotate(
            exact=Case(
                When(code=query.strip(), then=Value(0)),
                When(search_name__contains=f" {fold(query)} ", then=Value(1)),  # the words together, in order
                default=Value(2),
                output_field=IntegerField(),
            ),
            former=Case(When(valid_to__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
            level=_KIND_ORDER,
        )
    )


def accents_missed(unit: Unit, query: str) -> int:
    """How many of the words the user typed with diacritics ("Phổ") are not
    words of the unit's names as written: "Phổ Yên" misses none in "Thị xã Phổ
    Yên" and one in "Thành phố Yên Bái". Words typed without diacritics miss
    nothing; both sides are compared composed (NFC), as the query is."""
    names = unicodedata.normalize("NFC", f"{unit.name} {unit.short_name}")
    written = set(_WORD.findall(names.lower()))
    return sum(1 for word in _WORD.findall(query.lower()) if fold(word) != word and word not in written)


_WORD = re.compile(r"\w+")


def unit_get(code: str, on: date | None = None) -> Unit:
    """The unit holding ``code`` on ``on``; without a day, the one in force now,
    else the last to hold it. Http404 if none."""
    units = Unit.objects.filter(code=code).select_related("parent")
    if on is not None:
        units = units.valid_on(on)
    unit = units.order_by(F("valid_to").desc(nulls_first=True)).first()
    if unit is None:
        raise Http404("No such unit.")
    return unit


@dataclass(frozen=True)
class LineageEntry:
    unit: Unit  # the unit at the other end of the link
    link: UnitLineage


def unit_lineage(unit: Unit) -> tuple[list[LineageEntry], list[LineageEntry]]:
    """(the units it was formed from, the units it became), with the links. One query."""
    links = list(
        UnitLineage.objects.filter(Q(successor=unit) | Q(predecessor=unit))
        .select_related("predecessor", "successor")
        .order_by("effective_date", "predecessor__code", "successor__code")
    )
    predecessors = [LineageEntry(link.predecessor, link) for link in links if link.successor_id == unit.pk]
    successors = [LineageEntry(link.successor, link) for link in links if link.predecessor_id == unit.pk]
    return predecessors, successors


def unit_namesakes(unit: Unit) -> list[Unit]:
    """Other units that held the same code at other times. One query."""
    return list(Unit.objects.filter(code=unit.code).exclude(pk=unit.pk).order_by(F("valid_from").asc(nulls_first=True)))


def unit_outlines(unit: Unit, limit: int) -> list[Boundary]:
    """The outlines of ``unit`` and of the other units of its parent (a
    province's: the other provinces) in force on its last day (today for a unit
    in force), for a locator map (none past ``limit``): a district abolished in
    2025 among the districts of its time.
    Two queries; one without outlines or with too many."""
    day = unit.valid_to or date.today()
    in_force = Q(unit__valid_from__isnull=True) | Q(unit__valid_from__lte=day)
    in_force &= Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=day)
    if unit.parent_id is None:  # a province among the provinces
        siblings = Q(unit=unit) | Q(unit__parent=None, unit__kind=unit.kind) & in_force
    else:
        siblings = Q(unit=unit) | Q(unit__parent_id=unit.parent_id) & in_force
    ids = list(Boundary.objects.filter(siblings).values_list("pk", flat=True)[: limit + 1])
    if not ids or len(ids) > limit:  # counted before any geometry is read
        return []
    return list(Boundary.objects.filter(pk__in=ids).select_related("unit").order_by("unit__code"))
