"""Writes to units. Every function is atomic; bad input raises ``UnitInputError``
listing every problem, and then nothing is written.

A GSO code names one unit at any one time, but codes are reused: on 1 July 2025
most new communes took the code of one of the communes they replaced. A unit is
therefore identified by its code *and* its ``valid_from`` (empty for units whose
start is not recorded), and a code given as a parent or a predecessor is resolved
to the unit that held it at the relevant time.
"""

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cchc_portal.caching import data_version_bump
from units.models import Boundary, Unit, UnitLineage
from units.outlines import simplified

# Fields an upsert may change; the code and valid_from identify the unit.
_UPDATABLE = ["name", "short_name", "slug", "search_name", "kind", "type_label", "valid_to", "parent"]


_FEW_VALUES = 20


class UnitInputError(ValidationError):
    """Every problem found in one write; nothing was written."""


@dataclass(frozen=True)
class UnitRow:
    """One unit to create or correct. Blank optional values (``""`` or ``None``)
    keep what is stored. ``predecessor_codes`` link the unit to the units it
    replaced on ``valid_from``; the kind of each link (rename, merge, split) is
    worked out from all the rows given together. ``where`` names the row in
    messages, e.g. "dòng 7"."""

    code: str
    name: str
    kind: str
    short_name: str = ""
    type_label: str = ""
    parent_code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    predecessor_codes: tuple[str, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class LineageRow:
    """``predecessor_code`` (the unit holding it the day before ``effective_date``)
    became ``successor_code`` (the unit holding it on ``effective_date``)."""

    predecessor_code: str
    successor_code: str
    kind: str
    effective_date: date


@dataclass
class UnitChanges:
    """What a write did (or, in a dry run, would do)."""

    created: list[Unit] = field(default_factory=list)
    updated: list[Unit] = field(default_factory=list)
    unchanged: int = 0
    links_created: int = 0
    links_updated: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.links_created or self.links_updated)

    def summary(self, *, dry_run: bool) -> str:
        """The counts, as the unit commands report them."""
        summary = _(
            "%(created)s units created, %(updated)s updated, %(unchanged)s unchanged; "
            "%(links_created)s lineage links created, %(links_updated)s updated"
        ) % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "links_created": self.links_created,
            "links_updated": self.links_updated,
        }
        return _("Dry run, nothing written: %(summary)s") % {"summary": summary} if dry_run else summary


def _day(value: date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "…"


def _period(unit: Unit) -> str:
    return f"{_day(unit.valid_from)} – {_day(unit.valid_to)}"


def _where(row: UnitRow) -> str:
    return row.where or _("unit %(code)s") % {"code": row.code}


def _row_problems(row: UnitRow) -> list[str]:
    problems = []
    if not row.code:
        problems.append(_("the code is empty"))
    if not row.name:
        problems.append(_("the name is empty"))
    if row.kind not in Unit.Kind.values:
        problems.append(
            _("kind %(kind)r is not one of %(kinds)s") % {"kind": row.kind, "kinds": ", ".join(Unit.Kind.values)}
        )
    if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
        problems.append(
            _("valid_to %(to)s is before valid_from %(from)s") % {"to": row.valid_to, "from": row.valid_from}
        )
    if row.predecessor_codes and not row.valid_from:
        problems.append(_("predecessor_codes need a valid_from date: the day the change took effect"))
    return problems


def _links_from_rows(rows: Sequence[UnitRow]) -> list[LineageRow]:
    """Lineage from the rows' predecessor codes: a predecessor with several
    successors was split; a successor with several predecessors is a merger;
    otherwise the unit was renamed (or re-registered unchanged)."""
    pairs = [(code, row) for row in rows if row.valid_from for code in row.predecessor_codes]
    successors = Counter(code for code, _row in pairs)
    links = []
    for code, row in pairs:
        if successors[code] > 1:
            kind = UnitLineage.Kind.SPLIT
        elif len(row.predecessor_codes) > 1:
            kind = UnitLineage.Kind.MERGE
        else:
            kind = UnitLineage.Kind.RENAME
        links.append(LineageRow(code, row.code, kind, row.valid_from))
    return links


def _in_chunks(values: Iterable, size: int = 5000):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Pool:
    """Every unit, stored or about to be, under each code involved in a write."""

    def __init__(self, codes: set[str]):
        self.by_code: dict[str, list[Unit]] = defaultdict(list)
        for chunk in _in_chunks(codes):
            for unit in Unit.objects.filter(code__in=chunk):
                self.by_code[unit.code].append(unit)

    def exact(self, code: str, valid_from: date | None) -> Unit | None:
        return next((unit for unit in self.by_code[code] if unit.valid_from == valid_from), None)

    def at(self, code: str, day: date | None) -> list[Unit]:
        return [unit for unit in self.by_code[code] if unit.covers(day)]

    def parent_for(self, code: str, child: Unit) -> Unit | None:
        """The unit holding ``code`` at the end of the child's life (or now, if the
        child is still in force), else at its start."""
        candidates = self.by_code[code]
        for unit in candidates:
            if (child.valid_to is None and unit.valid_to is None) or (child.valid_to and unit.covers(child.valid_to)):
                return unit
        return next((unit for unit in candidates if unit.covers(child.valid_from)), None)

    def overlaps(self) -> list[str]:
        problems = []
        for code, units in self.by_code.items():
            ordered = sorted(units, key=lambda unit: (unit.valid_from is not None, unit.valid_from))
            for before, after in itertools.pairwise(ordered):
                if before.overlaps(after):
                    problems.append(
                        _("code %(code)s: %(first)s (%(first_period)s) and %(second)s (%(second_period)s) overlap")
                        % {
                            "code": code,
                            "first": before.name,
                            "first_period": _period(before),
                            "second": after.name,
                            "second_period": _period(after),
                        }
                    )
        return problems


def _apply(unit: Unit, row: UnitRow) -> None:
    unit.name = row.name
    unit.kind = row.kind
    unit.short_name = row.short_name or unit.short_name
    unit.type_label = row.type_label or unit.type_label
    unit.valid_to = row.valid_to or unit.valid_to
    unit.fill_derived_fields()


def _snapshot(unit: Unit) -> tuple:
    return tuple(getattr(unit, "parent_id" if name == "parent" else name) for name in _UPDATABLE)


def _update_changed(units: list[Unit], before: dict[int, tuple]) -> None:
    """Write only the changed fields. A field set to one value on many units (30
    June 2025 as the end of 10,794 units) is one UPDATE; per-unit values (new
    names) use ``bulk_update`` of that field alone, which is much cheaper than of
    every field."""
    changed = defaultdict(lambda: defaultdict(list))  # field -> new value -> units
    for unit in units:
        for name, old, new in zip(_UPDATABLE, before[unit.pk], _snapshot(unit), strict=True):
            if old != new:
                changed[name][new].append(unit)
    for name, by_value in changed.items():
        if len(by_value) <= _FEW_VALUES:
            attname = Unit._meta.get_field(name).attname
            for value, group in by_value.items():
                for chunk in _in_chunks([unit.pk for unit in group]):
                    Unit.objects.filter(pk__in=chunk).update(**{attname: value})
        else:
            Unit.objects.bulk_update([unit for group in by_value.values() for unit in group], [name], batch_size=1000)


def _link_problem(link: LineageRow, code: str, day: date) -> str:
    return _("lineage %(old)s → %(new)s: no unit %(code)s was in force on %(day)s") % {
        "old": link.predecessor_code,
        "new": link.successor_code,
        "code": code,
        "day": _day(day),
    }


def _depth(unit: Unit, new_parent: dict[int, Unit]) -> int:
    depth = 0
    while id(unit) in new_parent:
        unit = new_parent[id(unit)]
        depth += 1
    return depth


@transaction.atomic
def units_upsert(*, rows: Iterable[UnitRow], lineage: Iterable[LineageRow] = (), dry_run: bool = False) -> UnitChanges:
    """Create or correct units and record lineage in bulk (the number of queries
    grows with the number of insert batches, not of rows); rows that change
    nothing are not written, so loading the same list twice changes nothing.

    A row updates the stored unit with its code and ``valid_from``, or creates
    one. Parents are resolved to the unit holding the parent code during the
    child's life. A lineage link closes its predecessor the day before it takes
    effect (``valid_to``) unless it already ended. Two units with one code may
    not be in force on the same day. ``dry_run`` reports and writes nothing.
    A write that changes anything moves the public pages' data version."""
    rows = list(rows)
    links = list(lineage) + _links_from_rows(rows)
    errors = [f"{_where(row)}: {problem}" for row in rows for problem in _row_problems(row)]
    seen = set()
    for row in rows:
        if (row.code, row.valid_from) in seen:
            errors.append(f"{_where(row)}: " + _("code %(code)s is given twice") % {"code": row.code})
        seen.add((row.code, row.valid_from))
    if errors:
        raise UnitInputError(errors)

    pool = _Pool(
        {row.code for row in rows}
        | {row.parent_code for row in rows if row.parent_code}
        | {code for link in links for code in (link.predecessor_code, link.successor_code)}
    )
    before = {unit.pk: _snapshot(unit) for units in pool.by_code.values() for unit in units}
    changes = UnitChanges()
    row_units = []
    for row in rows:
        unit = pool.exact(row.code, row.valid_from)
        if unit is None:
            unit = Unit(code=row.code, valid_from=row.valid_from)
            pool.by_code[row.code].append(unit)
            changes.created.append(unit)
        _apply(unit, row)
        row_units.append(unit)

    resolved_links = []
    for link in links:
        eve = link.effective_date - timedelta(days=1)
        predecessors = pool.at(link.predecessor_code, eve)
        if len(predecessors) != 1:
            errors.append(_link_problem(link, link.predecessor_code, eve))
            continue
        predecessor = predecessors[0]
        if predecessor.valid_to is None or predecessor.valid_to > eve:
            predecessor.valid_to = eve
        resolved_links.append((link, predecessor))
    linked = []
    for link, predecessor in resolved_links:
        successors = pool.at(link.successor_code, link.effective_date)
        if len(successors) != 1:
            errors.append(_link_problem(link, link.successor_code, link.effective_date))
            continue
        linked.append((predecessor, successors[0], link))

    new_parent = {}
    for row, unit in zip(rows, row_units, strict=True):
        if not row.parent_code:
            continue
        parent = pool.parent_for(row.parent_code, unit)
        if parent is None:
            errors.append(
                _("%(where)s: parent unit %(code)s does not exist during the unit's validity")
                % {"where": _where(row), "code": row.parent_code}
            )
        elif parent is unit:
            errors.append(_("%(where)s: a unit cannot be its own parent") % {"where": _where(row)})
        elif parent.pk is None:
            new_parent[id(unit)] = parent
        else:
            unit.parent = parent
    errors += pool.overlaps()
    if errors:
        raise UnitInputError(errors)

    stored = [unit for units in pool.by_code.values() for unit in units if unit.pk is not None]
    changes.updated = [unit for unit in stored if _snapshot(unit) != before[unit.pk]]
    written = {id(unit) for unit in changes.created + changes.updated}
    changes.unchanged = sum(id(unit) not in written for unit in row_units)
    # Close and correct stored units first, so a reused code is free before its new holder is created.
    _update_changed(changes.updated, before)
    levels = defaultdict(list)
    for unit in changes.created:
        levels[_depth(unit, new_parent)].append(unit)
    for depth in sorted(levels):
        for unit in levels[depth]:
            if id(unit) in new_parent:
                unit.parent = new_parent[id(unit)]
        Unit.objects.bulk_create(levels[depth], batch_size=1000)
    reparented = [unit for unit in changes.updated if id(unit) in new_parent]
    for unit in reparented:
        unit.parent = new_parent[id(unit)]
    Unit.objects.bulk_update(reparented, ["parent"], batch_size=1000)

    _links_write(linked, changes)
    if dry_run:
        transaction.set_rollback(True)
    elif changes.changed:
        data_version_bump()  # units and lineage are public: every unit page shows them
    return changes


def _links_write(linked: list[tuple[Unit, Unit, LineageRow]], changes: UnitChanges) -> None:
    successor_ids = {successor.pk for _predecessor, successor, _link in linked}
    stored = {}
    for chunk in _in_chunks(successor_ids):
        for link in UnitLineage.objects.filter(successor_id__in=chunk):
            stored[link.predecessor_id, link.successor_id] = link
    to_create, to_update = [], []
    for predecessor, successor, row in linked:
        link = stored.get((predecessor.pk, successor.pk))
        if link is None:
            to_create.append(
                UnitLineage(
                    predecessor=predecessor, successor=successor, kind=row.kind, effective_date=row.effective_date
                )
            )
        elif (link.kind, link.effective_date) != (row.kind, row.effective_date):
            link.kind, link.effective_date = row.kind, row.effective_date
            to_update.append(link)
    UnitLineage.objects.bulk_create(to_create, batch_size=1000)
    UnitLineage.objects.bulk_update(to_update, ["kind", "effective_date"], batch_size=1000)
    changes.links_created, changes.links_updated = len(to_create), len(to_update)


# --- boundaries for the maps ---------------------------------------------------

_POLYGONS = {"Polygon", "MultiPolygon"}
_PROBLEMS_SHOWN = 50  # a file wrong throughout: the first ones are enough to mend it


def _position(point) -> tuple[float, float] | None:
    """A [longitude, latitude] pair as floats rounded to 5 places (about a metre), or None."""
    if not isinstance(point, list | tuple) or len(point) < 2:
        return None
    lon, lat = point[0], point[1]
    if (
        isinstance(lon, bool)
        or isinstance(lat, bool)
        or not isinstance(lon, int | float)
        or not isinstance(lat, int | float)
    ):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return round(float(lon), 5), round(float(lat), 5)


def _polygons(geometry) -> list | str:
    """The geometry's polygons (lists of rings of positions), or why it is refused."""
    if not isinstance(geometry, dict) or geometry.get("type") not in _POLYGONS:
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        return _("geometry %(kind)s: only Polygon and MultiPolygon outline a unit") % {"kind": kind or "—"}
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return _("no coordinates")
    cleaned = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return _("a polygon without rings")
        rings = []
        for ring in polygon:
            points = [_position(point) for point in ring] if isinstance(ring, list) else [None]
            if None in points:
                return _("a position that is not [longitude, latitude] in degrees")
            if len(points) < 4:
                return _("a ring of fewer than 4 positions")
            rings.append(points)
        cleaned.append(rings)
    return cleaned


@dataclass(frozen=True)
class BoundaryChanges:
    created: int
    updated: int


@transaction.atomic
def boundaries_import(
    *, collection, key: str = "code", source: str = "", on: date | None = None, dry_run: bool = False
) -> BoundaryChanges:
    """Keep the outlines of a GeoJSON FeatureCollection (parsed), each feature
    keyed to a unit by its ``key`` property (the unit's code, held by the unit
    in force on ``on``, today by default, else by the last unit that held it).
    Every bad feature is named (its number, its code, the reason) and then
    nothing is written; an outline already kept is replaced. Each is kept closed
    and simplified for the maps (``outlines.simplified``: at most
    ``outlines.MAX_POINTS`` positions a unit)."""
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list) or not features:
        raise UnitInputError([_("not a GeoJSON FeatureCollection with features")])
    on = on or date.today()
    codes = []
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        value = properties.get(key) if isinstance(properties, dict) else None
        codes.append("" if value is None else str(value).strip())
    units = {}
    for unit in Unit.objects.filter(code__in=set(codes) - {""}).order_by("code", F("valid_to").desc(nulls_first=True)):
        in_force = (unit.valid_from is None or unit.valid_from <= on) and (unit.valid_to is None or on <= unit.valid_to)
        if unit.code not in units or (in_force and not units[unit.code][1]):
            units[unit.code] = (unit, in_force)
    problems, outlines, seen = [], {}, set()
    for number, (feature, code) in enumerate(zip(features, codes, strict=True), start=1):
        where = _("feature %(number)s") % {"number": number}
        if not code:
            problems.append(_("%(where)s: no %(key)s property") % {"where": where, "key": key})
            continue
        where += f" ({key} {code})"
        if code not in units:
            problems.append(_("%(where)s: no unit has this code") % {"where": where})
            continue
        if code in seen:
            problems.append(_("%(where)s: the code appears twice") % {"where": where})
            continue
        seen.add(code)
        polygons = _polygons(feature.get("geometry"))
        if isinstance(polygons, str):
            problems.append(f"{where}: {polygons}")
            continue
        outlines[units[code][0].pk] = simplified(polygons)
    if problems:
        more = len(problems) - _PROBLEMS_SHOWN
        shown = problems[:_PROBLEMS_SHOWN]
        if more > 0:
            shown.append(_("and %(count)s more problems") % {"count": more})
        raise UnitInputError(shown)
    existing = set(Boundary.objects.filter(unit_id__in=outlines).values_list("unit_id", flat=True))
    if dry_run:
        return BoundaryChanges(created=len(outlines) - len(existing), updated=len(existing))
    kept = []
    for unit_id, polygons in outlines.items():
        points = [point for polygon in polygons for ring in polygon for point in ring]
        longitudes, latitudes = [point[0] for point in points], [point[1] for point in points]
        kept.append(
            Boundary(
                unit_id=unit_id,
                geometry={"type": "MultiPolygon", "coordinates": polygons},
                west=min(longitudes),
                south=min(latitudes),
                east=max(longitudes),
                north=max(latitudes),
                source=source[:300],
            )
        )
    Boundary.objects.bulk_create(
        kept,
        update_conflicts=True,
        unique_fields=["unit"],
        update_fields=["geometry", "west", "south", "east", "north", "source", "updated_at"],
        batch_size=500,
    )
    data_version_bump()  # the maps of the public pages change
    return BoundaryChanges(created=len(outlines) - len(existing), updated=len(existing))
