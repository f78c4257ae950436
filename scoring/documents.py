"""A framework's results as the JSON document of DESIGN §7, shared by the API
(``/api/frameworks/<slug>/results/``) and ``export_results --format json``, so
the two cannot drift apart. Plain dicts and strings, ready for ``json.dumps``:
decimals are strings with two places and a dot whatever the language ("93.91"),
absent figures are null."""

from __future__ import annotations

from decimal import Decimal

from scoring import engine
from scoring.models import Framework
from scoring.selectors import RankingRow, ranking_for


def decimal_text(value: Decimal | str | None) -> str | None:
    """ "93.91" for 93.91, "-4.00" for -4; None stays None (not entered, no previous result)."""
    if value is None:
        return None
    return f"{Decimal(value):.2f}"


def _framework(framework: Framework) -> dict:
    publication = getattr(framework, "publication", None)
    return {
        "slug": framework.slug,
        "index": framework.index.slug,
        "year": framework.year,
        "scope": framework.scope,
        "block": framework.block,
        "name": framework.name,
        "mode": framework.mode,
        "publication": None
        if publication is None
        else {"decision": publication.decision_number, "date": publication.decision_date.isoformat()},
    }


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


def _item(row: RankingRow, fields: list) -> dict:
    result, previous = row.result, row.result.previous
    return {
        "unit": {"code": result.unit.code, "name": result.display_name},
        "index": decimal_text(result.index),
        "total_points": decimal_text(result.total_points),
        "applicable_max": decimal_text(result.applicable_max),
        "rank": result.rank,
        "tied": result.tied,
        "band": result.band,
        "delta_index": decimal_text(result.delta_index),
        "delta_rank": result.delta_rank,
        "previous": None if previous is None else {"index": decimal_text(previous.index), "rank": previous.rank},
        "fields": [
            {
                "code": field.code,
                "name": field.name,
                "points": decimal_text(cell.points),
                "max_points": decimal_text(field.max_points),
                "delta": decimal_text(cell.delta),
            }
            for field, cell in zip(fields, row.fields, strict=True)
        ],
    }


def framework_results_document(framework: Framework) -> dict:
    """``{"framework": …, "summary": …, "results": […]}`` for one framework, items
    in rank order (unranked units last, then by unit code), each with its unit
    (the name as published that year), index, totals, rank, tie, band, deltas,
    previous index and rank (null for a new unit) and one entry per top-level
    criterion. Shows whatever framework it is given: callers check visibility.
    Six queries whatever the number of units, four when ``framework`` was read
    with ``select_related("index", "publication")``."""
    ranking = ranking_for(framework=framework)
    return {
        "framework": _framework(framework),
        "summary": _summary(ranking.summary),
        "results": [_item(row, ranking.fields) for row in ranking.rows],
    }
