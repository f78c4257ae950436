"""Writing dossier statistics: the only writer of ``DossierStatistics``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cchc_portal.caching import data_version_bump
from dossiers.models import COUNTS, DossierStatistics, StatisticsImport
from dossiers.spreadsheets import StatisticsRow

_BATCH = 1000


@dataclass(frozen=True)
class ImportResult:
    created: int
    changed: int
    unchanged: int
    record: StatisticsImport | None  # the audit row; None for a dry run or when nothing changed


def _key(unit_id: int, period: str, level: str) -> tuple:
    return (unit_id, period, level)


def _figures(record: DossierStatistics) -> dict:
    return {
        **record.counts,
        "published_rates": record.published_rates,
        "source": record.source,
        "is_sample": record.is_sample,
    }


@transaction.atomic
def statistics_import(
    *, rows: Sequence[StatisticsRow], user=None, source: str = "", dry_run: bool = False
) -> ImportResult:
    """Store ``rows`` (read by ``spreadsheets.statistics_from_file``, every row
    good): a unit's period and level not stored yet is created; a stored one
    takes the counts and rates of the columns the file has (a blank cell: not
    reported) and keeps the others. All or nothing; the same file again changes
    nothing. Recorded as a ``StatisticsImport`` with every changed record's
    figures before; ``dry_run`` counts what would change and writes nothing.
    Public as soon as written: the pages' data version moves."""
    stored = {
        _key(record.unit_id, record.period, record.level): record
        for record in DossierStatistics.objects.filter(
            unit_id__in={row.unit.pk for row in rows}, period__in={row.period.label for row in rows}
        )
    }
    created, changed, before, now = [], [], {}, timezone.now()
    for row in rows:
        key = _key(row.unit.pk, row.period.label, row.level)
        record = stored.get(key)
        old = None if record is None else _figures(record)
        if record is None:
            record = DossierStatistics(
                unit=row.unit,
                period=row.period.label,
                kind=row.period.kind,
                starts_on=row.period.starts_on,
                ends_on=row.period.ends_on,
                level=row.level,
                source=row.source or "",
                is_sample=bool(row.is_sample),
            )
            created.append(record)
        for field, value in row.counts.items():
            setattr(record, field, value)
        if row.published_rates is not None:
            record.published_rates = row.published_rates
        if row.source is not None:
            record.source = row.source
        if row.is_sample is not None:
            record.is_sample = row.is_sample
        if old is not None and _figures(record) != old:
            record.updated_at = now
            changed.append(record)
            before[f"{row.unit.code}/{record.period}/{record.level}"] = old
    unchanged = len(rows) - len(created) - len(changed)
    if dry_run or not (created or changed):
        return ImportResult(len(created), len(changed), unchanged, None)
    DossierStatistics.objects.bulk_create(created, batch_size=_BATCH)
    fields = [*COUNTS, "published_rates", "source", "is_sample", "updated_at"]
    DossierStatistics.objects.bulk_update(changed, fields, batch_size=_BATCH)
    record = StatisticsImport.objects.create(
        user=user, source=source[:300], created=len(created), changed=len(changed), before=before
    )
    data_version_bump()
    return ImportResult(len(created), len(changed), unchanged, record)
