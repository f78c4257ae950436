"""The PAR INDEX and the two band schemes of DESIGN §3 rule 6, present in every database."""

from decimal import Decimal

from django.db import migrations

DEFAULT_SCHEME = "Mặc định (Xuất sắc, Tốt, Khá, Trung bình, Yếu)"
NATIONAL_SCHEME = "Quốc gia (A, B, C)"
BANDS = {
    DEFAULT_SCHEME: [("Xuất sắc", "90"), ("Tốt", "80"), ("Khá", "70"), ("Trung bình", "50"), ("Yếu", "0")],
    NATIONAL_SCHEME: [("A", "90"), ("B", "80"), ("C", "70")],
}


def create(apps, schema_editor):
    Index = apps.get_model("scoring", "Index")
    BandScheme = apps.get_model("scoring", "BandScheme")
    Band = apps.get_model("scoring", "Band")
    Index.objects.get_or_create(
        slug="cchc",
        defaults={"name": "Chỉ số cải cách hành chính", "short_name": "Chỉ số CCHC (PAR INDEX)"},
    )
    for scheme_name, bands in BANDS.items():
        scheme, _ = BandScheme.objects.get_or_create(name=scheme_name)
        for label, lower_bound in bands:
            Band.objects.get_or_create(scheme=scheme, label=label, defaults={"lower_bound": Decimal(lower_bound)})


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
