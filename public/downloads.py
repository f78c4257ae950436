"""The public downloads: a ranking (``?format=csv|xlsx`` on its page, and
``export_results``), a unit's results and a comparison, each the table its page
shows (``public.tables``) written by ``scoring.spreadsheets.writers``."""

from collections.abc import Iterable

from django.http import Http404, HttpResponse
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from cchc_portal.languages import Untranslated, marked_text
from cchc_portal.licence import licence, link_header
from public.tables import Table, ranking_table
from scoring.models import Framework
from scoring.selectors import Ranking, ranking_for
from scoring.spreadsheets.writers import frameworks_time, table_csv, table_xlsx

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def results_csv(framework: Framework, ranking: Ranking | None = None) -> bytes:
    """The ranking's table (``public.tables.ranking_table``) as CSV (``table_csv``).
    ``ranking``: the rows a page shows (filtered, sorted); all of them by default."""
    return table_csv(*ranking_table(ranking or ranking_for(framework=framework)))


def _licence_row() -> tuple[str, str]:
    terms = licence()
    return _("Licence"), f"{terms['name']}: {terms['url']}"


def _results_about(ranking: Ranking) -> list[tuple[str, str]]:
    """The second sheet of a ranking's workbook: the ranking, its decision, its
    source, whether it holds sample data, the licence."""
    framework = ranking.framework
    about = [(_("Ranking"), marked_text(framework.local_name))]
    publication = getattr(framework, "publication", None)
    if publication is not None:
        decision_date = date_format(publication.decision_date, "SHORT_DATE_FORMAT")
        decision = _("Decision %(number)s of %(date)s") % {"number": publication.decision_number, "date": decision_date}
        about.append((_("Decision"), decision + (f" · {publication.signer}" if publication.signer else "")))
    if framework.source_note:
        about.append((_("Source:").rstrip(":"), marked_text(framework.local_source_note)))
    if ranking.shows_sample_data:
        about.append((_("Sample data"), _("Contains sample data")))
    names = [framework.local_name, framework.local_source_note, *(field.local_name for field in ranking.fields)]
    if any(isinstance(name, Untranslated) for name in names + [band.local_label for band in ranking.bands]):
        about.append(("[VI]", _("not yet translated: shown in Vietnamese")))
    return [*about, _licence_row()]


def results_xlsx(framework: Framework, ranking: Ranking | None = None) -> bytes:
    """The ranking's table as an XLSX workbook (``table_xlsx``): its header on
    the first row, the ranking's name, decision, source and licence on a second
    sheet. ``ranking`` as for ``results_csv``."""
    ranking = ranking or ranking_for(framework=framework)
    return table_xlsx(
        _results_about(ranking), framework.local_name, *ranking_table(ranking), modified=frameworks_time([framework])
    )


RANKING_DOWNLOADS = {"csv": results_csv, "xlsx": results_xlsx}


def attachment(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{kind}")
    return link_header(response)


def download_kind(request) -> str | None:
    """The ``?format=`` a page is asked for: csv, xlsx or None; anything else is a 404."""
    kind = request.GET.get("format")
    if kind and kind not in CONTENT_TYPES:
        raise Http404("No such download format.")
    return kind or None


def table_download(kind: str, name: str, title: str, table: Table, frameworks: Iterable) -> HttpResponse:
    """A page's table (headers, typed rows) as a CSV or XLSX attachment ``name.kind``;
    ``frameworks``: those the table shows, whose time the XLSX carries."""
    headers, rows = table
    if kind == "csv":
        content = table_csv(headers, rows)
    else:
        about = [(_("Table"), title), _licence_row()]
        content = table_xlsx(about, title, headers, rows, modified=frameworks_time(frameworks))
    return attachment(content, kind, name)
