"""The demonstration data set: real units and the seeds' published figures, with
the gaps filled by sample figures that are flagged as such (``Result.is_sample``,
``Publication.is_sample``) and explained in each framework's source note.

``fixtures/demo.json`` states the units, the criteria, and per framework either
the published results (published mode) or each unit's target index (computed
mode). For computed frameworks this module spreads a target over the leaf
criteria deterministically, so the engine, not the file, produces the index.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from scoring import engine, services
from scoring.models import DEFAULT_BAND_SCHEME, Band, BandScheme, Criterion, Framework, Index, Result
from units.models import Unit
from units.services import UnitRow, units_upsert

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"
CENT = Decimal("0.01")


def _jitter(*parts: str) -> Decimal:
    """A stable pseudo-random number in [-0.08, 0.08] for the given key."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return (Decimal(int.from_bytes(digest[:4], "big") % 1601) - 800) / 10000


def sample_points(maxima: dict[str, Decimal], total: Decimal, *key: str) -> dict[str, Decimal]:
    """Split ``total`` over criteria with the given maxima: each near its share, none
    above its maximum, the parts adding up to ``total`` exactly."""
    ratio = total / sum(maxima.values())
    points = {
        code: min(max((cap * (ratio + _jitter(*key, code))).quantize(CENT), Decimal(0)), cap)
        for code, cap in maxima.items()
    }
    residual = total - sum(points.values())
    for code, cap in maxima.items():
        step = min(residual, cap - points[code]) if residual > 0 else max(residual, -points[code])
        points[code] += step
        residual -= step
    if residual:
        raise ValueError(f"total {total} exceeds the sum of the maxima")
    return points


def total_for_index(index: Decimal, applicable_max: Decimal) -> Decimal:
    """The smallest total with two decimals whose index rounds to ``index``."""
    total = (index * applicable_max / 100).quantize(CENT) - Decimal("0.05")
    while engine.index_from(total, applicable_max) != index:
        total += CENT
    return total


def _criteria_specs(rows, names_en: dict[str, str]) -> list[services.CriterionSpec]:
    specs = []
    for code, name, max_points, *rest in rows:
        kind = rest[0] if rest else Criterion.Kind.NORMAL
        component = rest[1] if len(rest) > 1 else Criterion.Component.APPRAISAL
        specs.append(services.CriterionSpec(code, name, Decimal(max_points), kind, component, names_en.get(name, "")))
    return specs


def _score_entries(specs: list[services.CriterionSpec], target: dict, year: int | str) -> list[services.ScoreEntry]:
    leaves = engine.leaf_codes(engine.CriterionNode(s.code, s.max_points, s.kind) for s in specs)
    not_applicable = set(target.get("not_applicable", ()))
    normal = {
        s.code: s.max_points
        for s in specs
        if s.code in leaves and s.kind == Criterion.Kind.NORMAL and s.code not in not_applicable
    }
    bonus = {s.code: s.max_points for s in specs if s.code in leaves and s.kind == Criterion.Kind.BONUS}
    bonus_total = Decimal(target.get("bonus", "0"))
    normal_total = total_for_index(Decimal(target["index"]), sum(normal.values())) - bonus_total
    key = (target["unit"], str(year))
    points = sample_points(normal, normal_total, *key) | (sample_points(bonus, bonus_total, *key) if bonus else {})
    entries = [services.ScoreEntry(target["unit"], code, value) for code, value in points.items()]
    entries += [services.ScoreEntry(target["unit"], code, engine.NOT_APPLICABLE) for code in sorted(not_applicable)]
    return entries


def _published_row(row: dict, criteria: list[services.CriterionSpec], year: str) -> services.PublishedResultRow:
    """A decision's row; a sample unit without published fields gets sample fields."""
    fields = {code: Decimal(points) for code, points in row.get("fields", {}).items()}
    if not fields:
        maxima = {spec.code: spec.max_points for spec in criteria}
        total = (Decimal(row["index"]) * sum(maxima.values()) / 100).quantize(CENT)
        fields = sample_points(maxima, total, row["unit"], year)
    return services.PublishedResultRow(
        unit_code=row["unit"],
        index=Decimal(row["index"]),
        rank=row.get("rank"),
        fields=fields,
        unit_name=row.get("unit_name", ""),
        is_sample=row["sample"],
    )


@transaction.atomic
def demo_load(*, path: Path = DEMO_FILE, reset: bool = False) -> list[Framework]:
    """Load the demo units, band schemes and frameworks; frameworks already
    present are kept unless ``reset``. Periods load in order so deltas find
    their previous round. A framework's ``index`` (slug) is ``cchc`` and its
    ``bands`` the default scheme unless it says otherwise; ``month`` makes it
    monthly."""
    data = json.loads(path.read_text(encoding="utf-8"))
    units_upsert(rows=[UnitRow(**row) for row in data["units"]])
    for name, bands in data.get("band_schemes", {}).items():
        scheme, created = BandScheme.objects.get_or_create(name=name)
        if created:
            Band.objects.bulk_create(
                Band(scheme=scheme, label=label, label_en=label_en, lower_bound=Decimal(lower))
                for label, label_en, lower in bands
            )
    loaded = []
    for spec in sorted(data["frameworks"], key=lambda f: (f["year"], f.get("month", 0))):
        existing = Framework.objects.filter(slug=spec["slug"]).first()
        if existing is not None:
            if not reset:
                continue
            services.framework_delete(framework=existing)
        criteria = _criteria_specs(data["criteria_sets"][spec["criteria"]], data.get("criteria_names_en", {}))
        codes = [row["unit"] for row in spec.get("targets") or spec.get("results")]
        month = spec.get("month", 0)
        framework = services.framework_create(
            index=Index.objects.get(slug=spec.get("index", "cchc")),
            year=spec["year"],
            month=month,
            scope=spec["scope"],
            block=spec["block"],
            block_name=spec["block_name"],
            name=spec["name"],
            slug=spec["slug"],
            mode=spec["mode"],
            criteria=criteria,
            band_scheme=BandScheme.objects.get(name=spec.get("bands", DEFAULT_BAND_SCHEME)),
            participants=Unit.objects.valid_on(Framework(year=spec["year"], month=month).reference_date).filter(
                code__in=codes
            ),
            source_note=spec["source_note"],
            name_en=spec.get("name_en", ""),
            source_note_en=spec.get("source_note_en", ""),
        )
        if framework.mode == Framework.Mode.COMPUTED:
            targets = spec["targets"]
            entries = [
                entry for target in targets for entry in _score_entries(criteria, target, framework.period_label)
            ]
            services.scores_set(framework=framework, entries=entries)
            labels = {target["unit"]: target for target in targets}
            results = list(framework.results.select_related("unit"))
            for result in results:
                result.is_sample = labels[result.unit.code]["sample"]
                result.unit_name = labels[result.unit.code].get("unit_name", "")
            Result.objects.bulk_update(results, ["is_sample", "unit_name"])
        else:
            rows = [_published_row(row, criteria, framework.period_label) for row in spec["results"]]
            services.published_results_set(framework=framework, rows=rows)
        publication = spec["publication"]
        services.framework_publish(
            framework=framework,
            decision_number=publication["decision"],
            decision_date=date.fromisoformat(publication["date"]),
            signer=publication["signer"],
            is_sample=publication["sample"],
        )
        loaded.append(framework)
    return loaded
