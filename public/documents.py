"""The JSON documents of DESIGN §7: a framework's results, shared by the API
(``/api/frameworks/<slug>/results/``) and ``export_results --format json`` so
the two cannot drift apart, the list of frameworks and a unit's results. Plain
dicts and strings, ready for ``json.dumps``: decimals are strings with two
places and a dot whatever the language ("93.91"), absent figures are null."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils import timezone

from cchc_portal.numbers import decimal_text
from dossiers import rates
from dossiers.models import COUNTS
from dossiers.selectors import ProvinceTable, statistics_history
from public.tables import DOCUMENT_FIGURES, INDEX, RANK
from scoring import engine
from scoring.history import framework_corrections
from scoring.models import PUBLIC, Criterion, Framework, Result, Visibility
from scoring.selectors import (
    FieldCell,
    field_cells,
    framework_fields,
    framework_has_sample_rows,
    ranking_for,
    unit_results,
)
from units.models import Unit


def framework_object(framework: Framework) -> dict:
    """The ``framework`` object: slug, index, year, scope, block, name (as
    published) and ``name_en`` (its English name, null without one), mode and
    publication (decision and date, null for a draft). Reads ``framework.index``
    and ``framework.publication``: select them. A monthly round adds ``month``
    (1–12) after the year; a yearly one has no such key."""
    publication = getattr(framework, "publication", None)
    document = {
        "slug": framework.slug,
        "index": framework.index.slug,
        "year": framework.year,
        "scope": framework.scope,
        "block": framework.block,
        "name": framework.name,
        "name_en": framework.name_en or None,
        "mode": framework.mode,
        "publication": None
        if publication is None
        else {"decision": publication.decision_number, "date": publication.decision_date.isoformat()},
    }
    if framework.month:
        items = list(document.items())
        document = dict([*items[:3], ("month", framework.month), *items[3:]])
    return document


def _summary(summary: engine.Summary) -> dict:
    return {
        "count": summary.count,
        "mean": decimal_text(summary.mean),
        "median": decimal_text(summary.median),
        "min": decimal_text(summary.minimum),
        "max": decimal_text(summary.maximum),
        "up": summary.up,
        "down": summary.down,
        "unchanged": summary.unchanged,
        "new": summary.new,
        "bands": dict(summary.bands),
    }


def framework_listed(framework: Framework) -> dict:
    """``framework_object`` with ``results_url``, the path of its results in the API."""
    return {
        **framework_object(framework),
        "results_url": reverse("api:framework_results", kwargs={"slug": framework.slug}),
    }


def result_figures(
    result: Result, fields: list[Criterion], cells: list[FieldCell] | None = None, *, with_sample: bool = False
) -> dict:
    """A unit's figures in one framework, as an item of either results document
    lists them: index, totals, rank, tie, band, deltas, previous index and rank
    (null for a new unit) and one entry per field (``fields``: the framework's
    top-level criteria in order; ``cells``: its points on them, when already
    read). ``with_sample`` (a document holding invented figures): ``is_sample``
    on the item and on its previous figures. Reads ``result.previous``: select it."""
    previous = result.previous
    sample = {"is_sample": result.is_sample} if with_sample else {}
    previous_sample = {"is_sample": previous.is_sample} if with_sample and previous is not None else {}
    return {
        **{figure.member: figure.json(result) for figure in DOCUMENT_FIGURES},
        **sample,
        "previous": None
        if previous is None
        else {figure.member: figure.json(previous) for figure in (INDEX, RANK)} | previous_sample,
        "fields": [
            {
                "code": field.code,
                "name": field.name,
                "points": decimal_text(cell.points),
                "max_points": decimal_text(field.max_points),
                "delta": decimal_text(cell.delta),
            }
            for field, cell in zip(fields, cells or field_cells(result, fields), strict=True)
        ],
    }


def framework_results_document(framework: Framework, *, page: int | None = None, page_size: int = 0) -> dict | None:
    """``{"framework": …, "summary": …, "results": […]}`` for one framework, items
    in rank order (unranked units last, then by unit code), each with its unit
    (the name as published that year), index, totals, rank, tie, band, deltas,
    previous index and rank (null for a new unit) and one entry per top-level
    criterion. The framework object also lists its bands (label, ``label_en``,
    lower bound; best first), its fields (code, name, ``name_en``, maximum) and
    the corrections of its
    publication, newest first (``corrections``: date and reason; empty when
    none). With ``page`` (from 1; None past the last), only that page of
    ``page_size`` items, and ``paging``: page, page_size, pages, total, and the
    ``next`` and ``previous`` pages' numbers (null at either end); ``is_sample``
    is given on every page's items when any item of the framework has it. Shows
    whatever framework it is given: callers check visibility. Six queries
    whatever the number of units, four when ``framework`` was read with
    ``select_related("index", "publication")``; one more once the publication
    has been corrected, two more for a page."""
    if page is None:
        ranking = ranking_for(framework=framework)
        with_sample = ranking.has_sample_rows  # once: it reads every row
    else:
        ranking = ranking_for(framework=framework, page_number=page, page_size=page_size, with_previous=True)
        if ranking.page.number != page:
            return None
        with_sample = framework_has_sample_rows(framework)  # the same on every page
    corrections = [
        {"date": timezone.localdate(correction.made_at).isoformat(), "reason": correction.reason}
        for correction in framework_corrections(framework=framework)
    ]
    document = {
        "framework": framework_object(framework)
        | {
            "bands": [
                {"label": band.label, "label_en": band.label_en or None, "lower_bound": decimal_text(band.lower)}
                for band in ranking.bands
            ],
            "fields": [
                {
                    "code": field.code,
                    "name": field.name,
                    "name_en": field.name_en or None,
                    "max_points": decimal_text(field.max_points),
                }
                for field in ranking.fields
            ],
            "corrections": corrections,
        },
        "summary": _summary(ranking.summary),
        "results": [
            {"unit": {"code": row.result.unit.code, "name": row.result.display_name}}
            | result_figures(row.result, ranking.fields, row.fields, with_sample=with_sample)
            for row in ranking.rows
        ],
    }
    if ranking.page is not None:
        current = ranking.page
        document["paging"] = {
            "page": current.number,
            "page_size": current.paginator.per_page,
            "pages": current.paginator.num_pages,
            "total": current.paginator.count,
            "next": current.next_page_number() if current.has_next() else None,
            "previous": current.previous_page_number() if current.has_previous() else None,
        }
    return document


def frameworks_document(frameworks: list[Framework]) -> dict:
    """``{"frameworks": […]}``, each ``framework_listed``, in the order given. No
    query when the frameworks were read with their index and publication
    (``selectors.framework_list``)."""
    return {"frameworks": [framework_listed(framework) for framework in frameworks]}


def unit_results_document(*, unit: Unit, visibility: Visibility = PUBLIC) -> dict:
    """``{"unit": {code, name, kind, parent}, "results": […]}``: the unit (its
    parent null for a province or a ministry) and its results in the frameworks
    ``visibility`` shows, newest first (``selectors.unit_results``). Each item is the
    framework (``framework_listed``), the unit's figures in it (``result_figures``)
    and ``ranked``, how many units the framework ranked. Two queries whatever the
    number of units and frameworks (one without results); ``unit.parent`` should
    be selected."""
    results = unit_results(unit=unit, visibility=visibility)
    with_sample = any(result.is_sample or result.change_is_sample for result in results)
    fields = framework_fields(framework_ids={result.framework_id for result in results})
    parent = unit.parent
    return {
        "unit": {
            "code": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "parent": None if parent is None else {"code": parent.code, "name": parent.name},
        },
        "results": [
            {"framework": framework_listed(result.framework)}
            | result_figures(result, fields.get(result.framework_id, []), with_sample=with_sample)
            | {"ranked": result.ranked}
            for result in results
        ],
    }


def unit_statistics_document(*, unit: Unit, predecessors: Sequence[Unit] = ()) -> dict:
    """``{"unit": {code, name}, "periods": […]}`` (DESIGN §7): the unit's dossier
    statistics in period order, each with its ``period`` ("2019", "2019-Q4",
    "2019-12"), ``level`` (all, own, below), every count (null when not
    reported), the rates computed from them in percent to 4 places ("0.0022";
    null without a base), the rates the source published (``published_rates``,
    as it gave them) and the ``source``; ``is_sample`` on each when any is
    invented. When units it was formed from (``predecessors``: renamed, merged
    or split into it) reported statistics, ``predecessors`` lists them, each
    ``{"unit": {code, name}, "periods": […]}``: their records, never counted as
    the unit's own. One query."""
    records = statistics_history(unit, predecessors)
    with_sample = any(record.is_sample for record in records)
    document = {
        "unit": {"code": unit.code, "name": unit.name},
        "periods": [
            {"period": record.period} | _statistics_item(record, with_sample)
            for record in records
            if record.unit_id == unit.pk
        ],
    }
    earlier = {}
    for record in records:
        if record.unit_id != unit.pk:
            entry = earlier.setdefault(record.unit_id, {"unit": {"code": record.unit.code, "name": record.unit.name}})
            entry.setdefault("periods", []).append({"period": record.period} | _statistics_item(record, with_sample))
    if earlier:
        document["predecessors"] = list(earlier.values())
    return document


def _statistics_item(record, with_sample: bool) -> dict:
    """A record's level, counts, rates (4 places, null without a base), the rates
    as published, its source, and ``is_sample`` when ``with_sample``."""
    return (
        {"level": record.level}
        | {name: getattr(record, name) for name in COUNTS}
        | {name: None if rate is None else str(rate) for name, rate in rates.rates(record.counts).items()}
        | {"published_rates": record.published_rates, "source": record.source}
        | ({"is_sample": record.is_sample} if with_sample else {})
    )


def province_statistics_document(table: ProvinceTable) -> dict:
    """A province's table: ``{"province": {code, name}, "period", "kind",
    "periods": [labels, newest first], "units": [...]}``, each unit's figures as
    in ``unit_statistics_document`` with its ``on_time_rank`` and ``online_rank``
    (equal rates share a rank; null without a rate), in the table's order."""
    with_sample = any(row.record.is_sample for row in table.rows)
    return {
        "province": {"code": table.province.code, "name": table.province.name},
        "period": table.period,
        "kind": table.kind,
        "periods": [label for label, _shown in table.periods],
        "units": [
            {"unit": {"code": row.record.unit.code, "name": row.record.unit.name}}
            | {"on_time_rank": row.on_time_rank, "online_rank": row.online_rank}
            | _statistics_item(row.record, with_sample)
            for row in table.rows
        ],
    }
