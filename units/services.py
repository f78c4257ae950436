"""Writes to units. Every function is atomic; bad input raises ``UnitInputError``
listing every problem, and then nothing is written."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from units.models import Unit


class UnitInputError(ValidationError):
    """Every problem found in one write; nothing was written."""


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str
    short_name: str = ""
    type_label: str = ""
    parent_code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@transaction.atomic
def units_upsert(*, rows: Iterable[UnitRow]) -> int:
    """Create or update units by code in bulk (two statements, whatever the count),
    then link parents. Parents may be in ``rows`` or already stored. Returns the
    number of rows written."""
    rows = list(rows)
    codes = [row.code for row in rows]
    twice = sorted(code for code, count in Counter(codes).items() if count > 1)
    if twice:
        raise UnitInputError([_("unit %(code)s: given twice") % {"code": code} for code in twice])
    units = []
    for row in rows:
        unit = Unit(
            code=row.code,
            name=row.name,
            short_name=row.short_name,
            kind=row.kind,
            type_label=row.type_label,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )
        unit.fill_derived_fields()
        units.append(unit)
    Unit.objects.bulk_create(
        units,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "short_name", "slug", "search_name", "kind", "type_label", "valid_from", "valid_to"],
    )
    parent_codes = {row.parent_code for row in rows if row.parent_code}
    ids = dict(Unit.objects.filter(code__in=parent_codes | {row.code for row in rows}).values_list("code", "id"))
    missing = sorted(parent_codes - ids.keys())
    if missing:
        raise UnitInputError([_("parent unit %(code)s does not exist") % {"code": code} for code in missing])
    children = [Unit(id=ids[row.code], parent_id=ids.get(row.parent_code)) for row in rows]
    Unit.objects.bulk_update(children, ["parent"], batch_size=1000)
    return len(rows)
