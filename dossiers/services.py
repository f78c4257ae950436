"""Writing dossier statistics: the only writer of ``DossierStatistics``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from cchc_portal.caching import data_version_bump
from dossiers.models import COUNTS, DossierStatistics, StatisticsImport
from dossiers.spreadsheets import StatisticsRow
from scoring.services import bulk

_KEY = ("unit_id", "period", "level")
_FIGURES = (*COUNTS, "published_rates", "source", "is_sample")
_COLUMNS = (*_KEY, "kind", "starts_on", "ends_on", *_FIGURES)
_BLANK = dict.fromkeys(COUNTS) | {"published_rates": {}, "source": "", "is_sample": False}  # a new record's


@dataclass(frozen=True)
class ImportResult:
    created: int
    changed: int
    unchanged: int
    record: StatisticsImport | None  # the audit row; None for a dry run or when nothing changed

    @property
    def summary(self) -> str:
        """ "3 rows: 1 created, 1 changed, 1 unchanged", in the active language."""
        return _("%(rows)s rows: %(created)s created, %(changed)s changed, %(unchanged)s unchanged") % {
            "rows": self.created + self.changed + self.unchanged,
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
        }


@transaction.atomic
@bulk.collector_paused()
def statistics_import(
    *, rows: Sequence[StatisticsRow], user=None, source: str = "", dry_run: bool = False
) -> ImportResult:
    """Store ``rows`` (read by ``spreadsheets.statistics_from_file``, every row
    good): a unit's period and level not stored yet is created; a stored one
    takes the counts and rates of the columns the file has (a blank cell: not
    reported) and keeps the others. All or nothing; the same file again changes
    nothing. Recorded as a ``StatisticsImport`` with every changed record's
    figures before; ``dry_run`` counts what would change and writes nothing.
    Public as soon as written: the pages' data version moves. Written without
    model instances (``scoring.services.bulk``): a national file has 120,000 rows."""
    stored = {
        tuple(values[:3]): dict(zip(_FIGURES, values[3:], strict=True))
        for values in DossierStatistics.objects.filter(
            unit_id__in={row.unit.pk for row in rows}, period__in={row.period.label for row in rows}
        ).values_list(*_KEY, *_FIGURES)
    }
    written, before, created = [], {}, 0
    for row in rows:
        key = (row.unit.pk, row.period.label, row.level)
        old = stored.get(key)
        new = dict(old or _BLANK)
        new.update(row.counts)
        for field, value in (
            ("published_rates", row.published_rates),
            ("source", row.source),
            ("is_sample", row.is_sample),
        ):
            if value is not None:
                new[field] = value
        if old is None:
            created += 1
        elif new == old:
            continue
        else:
            before[f"{row.unit.code}/{row.period.label}/{row.level}"] = old
        period = row.period
        figures = (json.dumps(new[field]) if field == "published_rates" else new[field] for field in _FIGURES)
        written.append((*key, period.kind, period.starts_on.isoformat(), period.ends_on.isoformat(), *figures))
    result = ImportResult(created, len(before), len(rows) - len(written), None)
    if dry_run or not written:
        return result
    # The upsert sets updated_at to its default (now) on the rows it writes.
    bulk.rows_upsert(DossierStatistics, _COLUMNS, written, conflict=_KEY, update=(*_FIGURES, "updated_at"))
    record = StatisticsImport.objects.create(
        user=user, source=source[:300], created=created, changed=len(before), before=before
    )
    data_version_bump()
    return ImportResult(result.created, result.changed, result.unchanged, record)
