"""The sample files of tests/data and what they must give, computed by hand."""

from decimal import Decimal as D
from pathlib import Path

from django.core.management import call_command

from scoring.models import Framework, Result

DATA = Path(__file__).resolve().parent.parent / "data"
SLUG = "cchc-2022-70-district"


def framework_import(**options):
    arguments = {"index": "cchc", "year": 2022, "scope": "70", "block": "district", **options}
    call_command("import_framework", str(DATA / "criteria_district.csv"), **arguments)
    return Framework.objects.get(slug=options.get("slug", SLUG))


def indexes(framework):
    return {
        result.unit.code: (result.index, result.rank)
        for result in Result.objects.filter(framework=framework).select_related("unit")
    }


# Hand-computed from tests/data/make_samples.py:
# 689: 4 + 5.5 + 4.25 + 10 + 70 = 93.75 normal, + 1 bonus − 0.5 penalty = 94.25 of 100.
# 695: 1.2 not applicable (max 100 − 6 = 94); 3 + 4.5 + 9.5 + 65.25 = 82.25; 82.25 / 94 = 87.50.
# 692 (by name "Lộc Ninh"): 2 + 3 + 1 + 5 + 60 = 71, − 3 penalty = 68.
EXPECTED = {"689": (D("94.25"), 1), "695": (D("87.50"), 2), "692": (D("68.00"), 3), "693": (None, None)}
