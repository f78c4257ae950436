"""The other indices the seed articles and DESIGN §10 name beside the PAR INDEX,
as reference data: each holds frameworks like ``cchc`` (the 766 service index
monthly, DDCI and SIPAS yearly). Names as the issuing bodies give them."""

from django.db import migrations

INDICES = [
    {
        "slug": "phuc-vu-766",
        "short_name": "Chỉ số 766",
        "name": "Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp (766)",
        "name_en": "Index of direction, administration and service quality for citizens and businesses (766)",
        "description": "Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ; tính hằng tháng trên "
        "Cổng Dịch vụ công quốc gia cho mỗi tỉnh, sở, ngành và xã, theo năm nhóm chỉ số.",
    },
    {
        "slug": "ddci",
        "short_name": "DDCI",
        "name": "Chỉ số năng lực cạnh tranh cấp sở, ban, ngành và địa phương (DDCI)",
        "name_en": "Department and District Competitiveness Index (DDCI)",
        "description": "Doanh nghiệp đánh giá các sở, ban, ngành và huyện, thành phố của tỉnh; xếp theo nhóm.",
    },
    {
        "slug": "sipas",
        "short_name": "SIPAS",
        "name": "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)",
        "name_en": "Satisfaction Index of Public Administrative Services (SIPAS)",
        "description": "Khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính.",
    },
]


def indices_create(apps, schema_editor):
    Index = apps.get_model("scoring", "Index")
    for index in INDICES:
        Index.objects.get_or_create(slug=index["slug"], defaults=index)


def indices_remove(apps, schema_editor):
    Index = apps.get_model("scoring", "Index")
    Index.objects.filter(slug__in=[index["slug"] for index in INDICES], frameworks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0011_monthly_rounds")]

    operations = [migrations.RunPython(indices_create, indices_remove)]
