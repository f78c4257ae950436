"""Test data through the same services the portal uses."""

from decimal import Decimal

import factory

from scoring import services
from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Framework, Index
from units.models import Unit


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"{900 + n}")
    name = factory.Sequence(lambda n: f"Huyện Mẫu {n}")
    short_name = factory.LazyAttribute(lambda unit: unit.name.removeprefix("Huyện "))
    kind = Unit.Kind.DISTRICT
    type_label = "Huyện"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        unit = model_class(*args, **kwargs)
        unit.fill_derived_fields()
        unit.save()
        return unit


# The default band scheme (migrations 0002 and 0010) as a results document lists it.
DOCUMENT_BANDS = [
    {"label": "Xuất sắc", "label_en": "Excellent", "lower_bound": "90.00"},
    {"label": "Tốt", "label_en": "Good", "lower_bound": "80.00"},
    {"label": "Khá", "label_en": "Fair", "lower_bound": "70.00"},
    {"label": "Trung bình", "label_en": "Average", "lower_bound": "50.00"},
    {"label": "Yếu", "label_en": "Poor", "lower_bound": "0.00"},
]


def criteria(*rows):
    """CriterionSpec list from (code, max[, kind]) tuples."""
    return [
        services.CriterionSpec(code, f"Tiêu chí {code}", Decimal(max_points), *rest) for code, max_points, *rest in rows
    ]


def make_framework(
    *, year=2022, units=(), rows=(("1", "100"),), mode=Framework.Mode.COMPUTED, scope="70", block="district"
):
    return services.framework_create(
        index=Index.objects.get(slug="cchc"),
        year=year,
        scope=scope,
        block=block,
        name=f"Chỉ số CCHC {year}",
        criteria=criteria(*rows),
        band_scheme=BandScheme.objects.get(name=DEFAULT_BAND_SCHEME),
        participants=units,
        mode=mode,
    )


def score(unit, code, value):
    """ScoreEntry; value is a string of points, "NA" for not applicable, or None."""
    from scoring.engine import NOT_APPLICABLE

    if value == "NA":
        return services.ScoreEntry(unit.code, code, NOT_APPLICABLE)
    return services.ScoreEntry(unit.code, code, None if value is None else Decimal(value))


def publish(framework, decision="1/QĐ-UBND", day="2023-03-29"):
    from datetime import date

    return services.framework_publish(
        framework=framework, decision_number=decision, decision_date=date.fromisoformat(day)
    )
