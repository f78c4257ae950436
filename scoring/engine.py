"""The arithmetic of DESIGN §3: pure functions over ``Decimal``, no database.

Every division is done on exact integer ratios, so rounding is exact: an index of
exactly 80.125 becomes 80.13 (half-up), where float arithmetic and Python's
``round`` give 80.12. Inputs are points with at most two decimal places.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Container, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from django.utils.translation import gettext as _

NORMAL, BONUS, PENALTY = "normal", "bonus", "penalty"
RENAME, MERGE, SPLIT = "rename", "merge", "split"

ZERO = Decimal("0.00")
HUNDRED = Decimal("100.00")

K = TypeVar("K", bound=Hashable)


class _NotApplicable:
    """Marker for a criterion that does not apply to a unit (không áp dụng)."""

    def __repr__(self):
        return "NOT_APPLICABLE"


NOT_APPLICABLE = _NotApplicable()
ScoreValue = Decimal | _NotApplicable | None  # None: not entered, counts as 0


@dataclass(frozen=True)
class CriterionNode:
    code: str
    max_points: Decimal
    kind: str = NORMAL

    @property
    def parent_code(self) -> str | None:
        return parent_code(self.code)


@dataclass(frozen=True)
class UnitTotals:
    field_points: dict[str, Decimal]
    total_points: Decimal
    applicable_max: Decimal
    index: Decimal | None


@dataclass(frozen=True)
class Summary:
    count: int
    mean: Decimal | None
    median: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    up: int
    down: int
    unchanged: int
    new: int
    bands: dict[str, int] = field(default_factory=dict)


def parent_code(code: str) -> str | None:
    """ "1.2.3" -> "1.2"; a top-level code has no parent."""
    head, dot, _ = code.rpartition(".")
    return head if dot else None


def _cents(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator (denominator > 0) rounded half away from zero to
    two decimal places, in integers: exact, and cheap enough for 10,000 units."""
    magnitude = (abs(numerator) * 200 + denominator) // (2 * denominator)
    return Decimal(magnitude if numerator >= 0 else -magnitude).scaleb(-2)


def round_half_up(value: Decimal | Fraction | int) -> Decimal:
    """Round to two decimal places, halves away from zero (Vietnamese official practice)."""
    return _cents(*value.as_integer_ratio())


def index_from(total_points: Decimal, applicable_max: Decimal) -> Decimal | None:
    """total / applicable maximum × 100, rounded half-up to 2 places, clamped to
    [0, 100]. No applicable criterion at all: no index (None)."""
    if applicable_max <= 0:
        return None
    total_numerator, total_denominator = total_points.as_integer_ratio()
    max_numerator, max_denominator = applicable_max.as_integer_ratio()
    index = _cents(total_numerator * max_denominator * 100, total_denominator * max_numerator)
    return min(max(index, ZERO), HUNDRED)


def tree_errors(criteria: Sequence[CriterionNode]) -> list[str]:
    """Problems in a criteria tree: duplicate codes, missing parents, a parent whose
    maximum is not the sum of its children's, a child of another kind than its parent."""
    errors = []
    by_code: dict[str, CriterionNode] = {}
    for node in criteria:
        if node.code in by_code:
            errors.append(_("criterion %(code)s: duplicate code") % {"code": node.code})
        by_code[node.code] = node
    children: dict[str, list[CriterionNode]] = defaultdict(list)
    for node in criteria:
        if node.max_points < 0:
            errors.append(
                _("criterion %(code)s: maximum %(max)s is negative") % {"code": node.code, "max": node.max_points}
            )
        if node.parent_code is None:
            continue
        parent = by_code.get(node.parent_code)
        if parent is None:
            errors.append(
                _("criterion %(code)s: parent %(parent)s does not exist")
                % {"code": node.code, "parent": node.parent_code}
            )
            continue
        children[parent.code].append(node)
        if node.kind != parent.kind:
            errors.append(
                _("criterion %(code)s: kind %(kind)s differs from its parent's (%(parent_kind)s)")
                % {"code": node.code, "kind": node.kind, "parent_kind": parent.kind}
            )
    for code, kids in children.items():
        expected = sum((kid.max_points for kid in kids), Decimal(0))
        if by_code[code].max_points != expected:
            errors.append(
                _("criterion %(code)s: maximum %(max)s is not the sum of its children's maxima (%(sum)s)")
                % {"code": code, "max": by_code[code].max_points, "sum": expected}
            )
    return errors


def _ancestors(code: str) -> tuple[str, ...]:
    ancestors = []
    while (code := parent_code(code)) is not None:
        ancestors.append(code)
    return tuple(ancestors)


def leaf_codes(criteria: Iterable[CriterionNode]) -> set[str]:
    criteria = list(criteria)
    parents = {node.parent_code for node in criteria}
    return {node.code for node in criteria if node.code not in parents}


class CriteriaTree:
    """A framework's criteria, analysed once so that totalling thousands of units
    walks no codes: each leaf knows its field, and its ancestors. ``totals`` gives
    what a result stores (fields, total, applicable maximum, index); ``node_points``
    every criterion's points, for the score grids and the check of a file's
    subtotal columns."""

    def __init__(self, criteria: Iterable[CriterionNode]):
        criteria = list(criteria)
        leaves = leaf_codes(criteria)
        self.codes = [node.code for node in criteria]
        self.fields = [node.code for node in criteria if node.parent_code is None]
        # (code, maximum, kind, field): the field is the top-level criterion it belongs to.
        self.leaves = [
            (node.code, node.max_points, node.kind, node.code.partition(".")[0])
            for node in criteria
            if node.code in leaves
        ]
        self.normal_max = sum((node[1] for node in self.leaves if node[2] == NORMAL), Decimal(0))
        # Each leaf's ancestors, nearest first: "1.2.3" -> ("1.2", "1").
        self.ancestors = {code: _ancestors(code) for code in leaves}

    def node_points(self, scores: Mapping[str, ScoreValue]) -> dict[str, Decimal]:
        """One unit's points on every criterion of the tree, in its order: a leaf's
        as entered (0 when not entered or not applicable), a parent's the sum of its
        children's (DESIGN §3 rule 1), whatever its kind: a penalty's parent shows
        the penalty points its leaves take away."""
        points: dict[str, Decimal] = dict.fromkeys(self.codes, Decimal(0))  # exact sums, not rounded
        for code, value in scores.items():
            if value is None or value is NOT_APPLICABLE or code not in self.ancestors:
                continue
            points[code] += value
            for ancestor in self.ancestors[code]:
                points[ancestor] += value
        return points

    def totals(self, scores: Mapping[str, ScoreValue]) -> UnitTotals:
        """One unit's field subtotals, total points, applicable maximum and index.

        ``scores`` maps leaf codes to points, ``NOT_APPLICABLE`` or None (not
        entered: counts 0 and stays applicable; a unit with no points entered at
        all has no index). A parent's points are the sum of its children's;
        ``applicable_max`` sums the maxima of normal leaves that apply; total =
        normal + bonus − penalty points.
        """
        points: dict[str, Decimal] = dict.fromkeys(self.fields, ZERO)
        by_kind = {NORMAL: ZERO, BONUS: ZERO, PENALTY: ZERO}
        applicable_max = self.normal_max
        entered = False
        get = scores.get
        for code, max_points, kind, field_code in self.leaves:  # 400,000 turns for a national import
            value = get(code)
            if value is None:
                continue
            if value is NOT_APPLICABLE:
                if kind == NORMAL:
                    applicable_max -= max_points
                continue
            entered = True
            if value:
                by_kind[kind] += value
                points[field_code] += value
        total = by_kind[NORMAL] + by_kind[BONUS] - by_kind[PENALTY]
        return UnitTotals(
            field_points={code: value.quantize(ZERO) for code, value in points.items()},
            total_points=total.quantize(ZERO),
            applicable_max=applicable_max.quantize(ZERO),
            # A unit with nothing entered yet is not scored, not scored zero.
            index=index_from(total, applicable_max) if entered else None,
        )


def unit_totals(criteria: Sequence[CriterionNode], scores: Mapping[str, ScoreValue]) -> UnitTotals:
    """``CriteriaTree(criteria).totals(scores)``, for a single unit."""
    return CriteriaTree(criteria).totals(scores)


def competition_ranks(indexes: Mapping[K, Decimal | None]) -> dict[K, tuple[int | None, bool]]:
    """Standard competition ranking by index, highest first: 1, 2, 2, 4. Returns
    (rank, tied) per key; a key without an index has no rank. Ties are decided on
    the index as given (already rounded, as published)."""
    counts = Counter(value for value in indexes.values() if value is not None)
    rank_of_value: dict[Decimal, int] = {}
    position = 1
    for value in sorted(counts, reverse=True):
        rank_of_value[value] = position
        position += counts[value]
    return {
        key: (None, False) if value is None else (rank_of_value[value], counts[value] > 1)
        for key, value in indexes.items()
    }


def band_for(index: Decimal | None, bands: Iterable[tuple[str, Decimal]]) -> str:
    """Label of the highest band whose lower bound the index reaches; "" for no index."""
    if index is None:
        return ""
    for label, lower_bound in sorted(bands, key=lambda band: band[1], reverse=True):
        if index >= lower_bound:
            return label
    return ""


def previous_unit_for(unit: K, predecessor_links: Sequence[tuple[K, str]], has_previous: Container[K]) -> K | None:
    """Which unit's previous result a unit continues (DESIGN §3 rule 7).

    ``predecessor_links`` are all the unit's (predecessor, kind) lineage links;
    only those whose predecessor was ranked in the previous round matter, so a
    merger of long ago does not make a unit new forever, and no date is needed.
    A unit formed since the previous round by a merge or a split is new: None,
    never a made-up result. Otherwise the unit itself, or its single predecessor
    by a rename.
    """
    recent = [(predecessor, kind) for predecessor, kind in predecessor_links if predecessor in has_previous]
    if any(kind in (MERGE, SPLIT) for _predecessor, kind in recent):
        return None
    if unit in has_previous:
        return unit
    if len(recent) == 1 and recent[0][1] == RENAME:
        return recent[0][0]
    return None


def delta(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if current is None or previous is None:
        return None
    return (current - previous).quantize(ZERO)


def rank_delta(current: int | None, previous: int | None) -> int | None:
    """Positive when the unit moved up: from 11th to 5th is +6 ("tăng 6 bậc")."""
    if current is None or previous is None:
        return None
    return previous - current


def field_deltas(current: Mapping[str, Decimal], previous: Mapping[str, Decimal] | None) -> dict[str, Decimal | None]:
    """Change of each field since the previous result, matched by criterion code."""
    previous = previous or {}
    return {code: delta(points, previous.get(code)) for code, points in current.items()}


def summarise(rows: Iterable[tuple[Decimal | None, int | None, bool, str]], band_labels: Sequence[str]) -> Summary:
    """Framework summary from (index, delta_rank, has_previous, band) rows: count,
    mean and median (half-up), min, max, units up / down / unchanged in rank,
    units with no previous result, and the count per band in the scheme's order."""
    rows = list(rows)
    indexes = sorted(index for index, *_rest in rows if index is not None)
    bands = dict.fromkeys(band_labels, 0)
    up = down = unchanged = new = 0
    for _index, moved, has_previous, band in rows:
        if band in bands:
            bands[band] += 1
        if not has_previous:
            new += 1
        elif moved is None or moved == 0:
            unchanged += 1
        elif moved > 0:
            up += 1
        else:
            down += 1
    mean = median = None
    if indexes:
        # A sum of two-place decimals is exact in Decimal's 28 digits.
        numerator, denominator = sum(indexes, Decimal(0)).as_integer_ratio()
        mean = _cents(numerator, denominator * len(indexes))
        middle = len(indexes) // 2
        median = (
            indexes[middle].quantize(ZERO)
            if len(indexes) % 2
            else round_half_up((Fraction(indexes[middle - 1]) + Fraction(indexes[middle])) / 2)
        )
    return Summary(
        count=len(rows),
        mean=mean,
        median=median,
        minimum=indexes[0] if indexes else None,
        maximum=indexes[-1] if indexes else None,
        up=up,
        down=down,
        unchanged=unchanged,
        new=new,
        bands=bands,
    )
