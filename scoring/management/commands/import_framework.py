from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from scoring.commands import file_problems, source_of
from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Framework, Index, period_label, units_rankable
from scoring.services import framework_create, framework_criteria_set
from scoring.spreadsheets.imports import criteria_from_file

NATIONAL_BAND_SCHEME = "Quốc gia (A, B, C)"  # created by migration 0002_reference_data


class Command(BaseCommand):
    help = _(
        "Create a framework (one scoring round) with its criteria tree from a spreadsheet with the columns Mã "
        "tiêu chí/code, Tiêu chí/name, Điểm tối đa/max_points and optionally kind and component. A computed "
        "framework ranks the units of its block in force that year under its scope. Importing the file again "
        "changes nothing; a changed file updates the tree."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--index", required=True, help=_("the index's slug, e.g. cchc"))
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument(
            "--month", type=int, default=0, choices=range(13), help=_("1–12 for a monthly round (default: yearly)")
        )
        parser.add_argument("--scope", required=True, help=_("the publishing province's code, or VN"))
        parser.add_argument("--block", required=True, choices=Framework.Block.values)
        parser.add_argument("--name", default="")
        parser.add_argument("--name-en", default="", help=_("the name in English (default: made as the name is)"))
        parser.add_argument("--block-name", default="", help=_("the block as published, e.g. Khối sở, ban, ngành"))
        parser.add_argument("--mode", choices=Framework.Mode.values, default=Framework.Mode.COMPUTED)
        parser.add_argument("--slug", default="")
        parser.add_argument(
            "--bands",
            default="default",
            help=_("band scheme: default, national (A, B, C) or the name of another scheme, e.g. DDCI"),
        )
        parser.add_argument("--sheet", help=_("the sheet to read (default: the first)"))
        parser.add_argument("--reason", default="", help=_("why: required to correct a published framework"))

    def handle(self, *args, file, index, year, scope, block, name, name_en, block_name, mode, slug, bands, **options):
        month = options["month"]
        try:
            index = Index.objects.get(slug=index)
        except Index.DoesNotExist:
            known = ", ".join(Index.objects.values_list("slug", flat=True))
            raise CommandError(_("no index %(slug)s (known: %(known)s)") % {"slug": index, "known": known}) from None
        scheme_name = {"default": DEFAULT_BAND_SCHEME, "national": NATIONAL_BAND_SCHEME}.get(bands, bands)
        band_scheme = BandScheme.objects.filter(name=scheme_name).first()
        if band_scheme is None:
            known = ", ".join(BandScheme.objects.values_list("name", flat=True))
            raise CommandError(_("no band scheme %(name)s (known: %(known)s)") % {"name": bands, "known": known})
        with file_problems(file):
            criteria = criteria_from_file(file, sheet=options["sheet"])
            existing = Framework.objects.filter(index=index, year=year, month=month, scope=scope, block=block).first()
            if existing is not None:
                changed = framework_criteria_set(
                    framework=existing,
                    criteria=criteria,
                    reason=options["reason"],
                    source=source_of("import_framework", file),
                )
                message = _("framework %(slug)s: criteria updated") if changed else _("framework %(slug)s: unchanged")
                self.stdout.write(message % {"slug": existing.slug})
                return
            on = Framework(year=year, month=month).reference_date
            participants = (
                units_rankable(year=year, scope=scope, block=block, on=on) if mode == Framework.Mode.COMPUTED else []
            )
            period = period_label(year, month)
            framework = framework_create(
                index=index,
                year=year,
                month=month,
                scope=scope,
                block=block,
                name=name or _default_name(index, period, scope, block, block_name),
                name_en=name_en or _default_name_en(index, period, scope, block),
                block_name=block_name,
                criteria=criteria,
                band_scheme=band_scheme,
                participants=participants,
                mode=mode,
                slug=slug,
            )
        self.stdout.write(
            _("framework %(slug)s created: %(criteria)s criteria, %(units)s participants")
            % {"slug": framework.slug, "criteria": len(criteria), "units": framework.participants.count()}
        )


def _default_name(index: Index, year: str, scope: str, block: str, block_name: str) -> str:
    """ "Chỉ số CCHC 2022, Khối cấp huyện (70)"."""
    return _("%(index)s %(year)s, %(block)s (%(scope)s)") % {
        "index": index.short_name or index.name,
        "year": year,
        "block": block_name or Framework.Block(block).label,
        "scope": scope,
    }


def _default_name_en(index: Index, year: str, scope: str, block: str) -> str:
    """ "Public Administration Reform Index (PAR INDEX) 2022, District-level units (70)";
    blank when the index has no English name."""
    if not index.name_en:
        return ""
    with translation.override("en"):
        return _("%(index)s %(year)s, %(block)s (%(scope)s)") % {
            "index": index.name_en,
            "year": year,
            "block": Framework.Block(block).label,
            "scope": scope,
        }
