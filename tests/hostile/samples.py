"""Hostile names in two published rounds, for the downloads' and charts' tests."""

from decimal import Decimal

from scoring import services
from scoring.models import Band, BandScheme, Index
from tests.factories import UnitFactory, publish, score


def named_units(names):
    return [UnitFactory(name=name, short_name=name[:50]) for name in names]


def hostile_rounds(*, units, criterion_names, band_labels, framework_name, block_name="", scope="70"):
    """Two published rounds (2021, 2022) of one series ranking ``units``, whose
    criteria (20 points each), two bands (from 80, from 0), framework and block
    carry the given names (``framework_name`` with ``{year}``). The i-th unit's
    index is 90 − 5i in 2021 and 70 + 5i in 2022, so the first falls by 20 and 4
    ranks and every change column holds negative numbers. Returns (2022
    framework, units)."""
    scheme = BandScheme.objects.create(name=f"hostile {scope}")
    Band.objects.bulk_create(
        Band(scheme=scheme, label=label, lower_bound=Decimal(bound))
        for label, bound in zip(band_labels, ("80", "0"), strict=True)
    )
    criteria = [services.CriterionSpec(str(n), name, Decimal(20)) for n, name in enumerate(criterion_names, start=1)]
    for year, points in ((2021, lambda i: 18 - i), (2022, lambda i: 14 + i)):
        framework = services.framework_create(
            index=Index.objects.get(slug="cchc"),
            year=year,
            scope=scope,
            block="district",
            block_name=block_name,
            name=framework_name.format(year=year),
            criteria=criteria,
            band_scheme=scheme,
            participants=units,
        )
        entries = [
            score(unit, criterion.code, str(points(i))) for i, unit in enumerate(units) for criterion in criteria
        ]
        services.scores_set(framework=framework, entries=entries)
        publish(framework, day=f"{year + 1}-03-29")
    return framework, units
