"""The public site's pages: the home page, a framework's ranking, the comparison of
units, the units' search and a unit's page. Each reads through the selectors and
answers from the cache of ``public_page`` where it can."""

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from assessments import selectors as assessment_selectors
from cchc_portal.caching import public_page
from cchc_portal.files import file_attachment
from cchc_portal.languages import marked_text
from dossiers.rates import page_rates
from dossiers.selectors import TABLE_SORTS, provinces_with_statistics, statistics_history
from public import charts, maps, tables
from public.downloads import CONTENT_TYPES, RANKING_DOWNLOADS, attachment, download_kind, table_download
from public.filters import COMPARE_MAX_UNITS, RankingQuery, compare_codes, province_table_query
from public.statistics import province_table_rows, statistics_panel
from scoring import history, methodology, selectors
from units import selectors as units_selectors
from units.models import Unit, UnitLineage

# The query parameters a ranking page reads.
_RANKING_PARAMS = ("sort", "parent", "q", "page", "format")


@require_safe
@public_page()
def home(request):
    latest, frameworks = selectors.framework_list_latest(visibility=request.visibility)
    others = {f.index.slug: f.index.local_name for f in frameworks if f.index.slug != "cchc"}  # read with them
    context = {
        "latest": latest,
        "frameworks": frameworks,
        "monthly": any(framework.month for framework in frameworks),
        "other_indices": sorted(others.values()),
    }
    return render(request, "public/home.html", context)


def _query(params: dict, **changes) -> str:
    """``?a=1&b=2`` from ``params`` with ``changes``, leaving out empty values."""
    merged = {**params, **changes}
    return "?" + urlencode({name: value for name, value in merged.items() if value})


def _page_links(page, params: dict) -> list[tuple[int | None, str]]:
    """(number, url) of the pages to offer around the current one: the first, the
    last and two either side; None marks a gap."""
    last, current = page.paginator.num_pages, page.number
    numbers = sorted({1, last, *range(max(current - 2, 1), min(current + 2, last) + 1)})
    links, previous = [], 0
    for number in numbers:
        if number > previous + 1:
            links.append((None, ""))
        links.append((number, _query(params, page=number if number > 1 else "")))
        previous = number
    return links


@require_safe
@public_page(params=_RANKING_PARAMS)
def ranking(request, slug):
    """A framework's ranking: sorted, filtered by parent unit or a search, paged
    above ``RANKING_PAGE_SIZE`` units; ``?format=csv|xlsx`` downloads the rows
    the filter keeps (every page), in its order, with the table's columns."""
    framework = selectors.framework_get(slug=slug, visibility=request.visibility)
    ranking_filter = RankingQuery.from_params(request.GET)
    if kind := download_kind(request):
        ranking = selectors.ranking_for(framework=framework, ranking_filter=ranking_filter)
        return attachment(RANKING_DOWNLOADS[kind](framework, ranking), kind, slug)
    ranking = selectors.ranking_for(
        framework=framework, ranking_filter=ranking_filter, page_number=request.GET.get("page", "1")[:10]
    )
    params = ranking_filter.params  # what the page's links keep

    def sort_link(key: str) -> dict:
        current = key == ranking_filter.sort
        order = ("descending" if ranking_filter.descending else "ascending") if current else None
        return {"url": _query(params, sort=ranking_filter.sort_param(key), page=""), "aria_sort": order}

    page = ranking.page
    header = [(column, sort_link(column.sort)) for column in tables.ranking_columns(ranking) if column.html is not None]
    parents = selectors.ranking_parents(framework)
    context = {
        "ranking": ranking,
        "caption": _ranking_caption(framework, ranking_filter, [column for column, _link in header], parents),
        "filter": ranking_filter,
        "page": page,
        "shown_count": page.paginator.count,
        "parents": parents,
        "header": header,  # the page's columns (``public.tables``), each with its sort link
        "page_links": _page_links(page, params),
        "downloads": {kind: _query(params, format=kind) for kind in CONTENT_TYPES},
        "movers": selectors.ranking_movers(framework) if ranking.has_previous_round else ([], []),
        "chart": charts.ranking_dots(ranking.rows, ranking.bands),
        "map": maps.ranking_map(selectors.ranking_outlines(framework, settings.MAP_MAX_UNITS), ranking.bands),
        # No query unless the publication was corrected: uncorrected pages keep their cost.
        "corrections": history.framework_corrections(framework=framework, with_changes=True),
    }
    return render(request, "public/ranking.html", context)


def _ranking_caption(framework, ranking_filter: RankingQuery, columns, parents) -> str:
    """What the table shows, as its caption says it: the order, and the filter."""
    column = next((column for column in columns if column.sort == ranking_filter.sort), None)
    name = marked_text(framework.local_name)
    if column is None or (ranking_filter.sort == "rank" and not ranking_filter.descending):
        caption = _("%(name)s, in rank order") % {"name": name}
    elif ranking_filter.sort == "rank":
        caption = _("%(name)s, last rank first") % {"name": name}
    else:
        label = f"{column.field.code}. {marked_text(column.field.local_name)}" if column.field else column.label
        if ranking_filter.sort == "unit":
            order = (
                _("%(name)s, by %(column)s, Z to A")
                if ranking_filter.descending
                else _("%(name)s, by %(column)s, A to Z")
            )
        else:
            order = (
                _("%(name)s, by %(column)s, highest first")
                if ranking_filter.descending
                else _("%(name)s, by %(column)s, lowest first")
            )
        caption = order % {"name": name, "column": label.lower() if not column.field else label}
    if ranking_filter.parent:
        parent = next((unit.name for unit in parents if unit.code == ranking_filter.parent), ranking_filter.parent)
        caption += " · " + _("units under %(parent)s") % {"parent": parent}
    if ranking_filter.query:
        caption += " · " + _("units matching “%(query)s”") % {"query": ranking_filter.query}
    return caption


@require_safe
@public_page()
def ranking_method(request, slug):
    """How a ranking is computed, from its framework: criteria, bands, a worked
    example, ties, the previous year's matching, the decision."""
    framework = selectors.framework_get(slug=slug, visibility=request.visibility)
    return render(request, "public/method.html", {"method": methodology.method_for(framework)})


@require_safe
@public_page(params=("units", "add", "format"))
def compare(request):
    """Two to four units side by side (``?units=A,B,C``): their results in every
    ranking any of them took part in, and a chart of their indexes over the
    years. ``add`` searches for a unit to add: one match is added at once,
    several are offered as links."""
    codes = compare_codes(request.GET.getlist("units"))
    query = " ".join(request.GET.get("add", "")[:100].split())
    candidates = []
    if query and len(codes) < COMPARE_MAX_UNITS:
        hits, _more = selectors.unit_search(query, visibility=request.visibility)
        found = [hit.unit for hit in hits]
        exact = [unit for unit in found if unit.code == query]
        if len(found) == 1 or exact:
            code = (exact or found)[0].code
            codes += [] if code in codes else [code]
            query = ""  # added: the box is free for the next one
        else:
            candidates = [unit for unit in found if unit.code not in codes][:10]
    comparison = selectors.units_compared(codes, visibility=request.visibility)
    shown = ",".join(unit.code for unit in comparison.units)
    if kind := download_kind(request):
        title = _("Compare units") + ": " + ", ".join(unit.name for unit in comparison.units)
        frameworks = [framework for framework, _results in comparison.frameworks]
        name = "compare-" + shown.replace(",", "-")
        return table_download(kind, name, title, tables.comparison_table(comparison), frameworks)
    series = [
        (unit.name, found[0][1])
        for unit in comparison.units
        if (found := charts.yearly_series_of(comparison.results[unit.pk]))
    ]
    context = {
        "comparison": comparison,
        "band_labels": selectors.band_labels(framework for framework, _results in comparison.frameworks),
        "sample_note": any(
            result.is_sample or result.change_is_sample for results in comparison.results.values() for result in results
        ),
        "query": query,
        "codes": shown,
        "candidates": [(unit, _query({"units": ",".join(filter(None, [shown, unit.code]))})) for unit in candidates],
        "chosen": [
            (unit, _query({"units": ",".join(other.code for other in comparison.units if other != unit)}))
            for unit in comparison.units
        ],
        "can_add": len(comparison.units) < COMPARE_MAX_UNITS,
        "downloads": {kind: _query({"units": shown}, format=kind) for kind in CONTENT_TYPES},
        # A line needs two years.
        "chart": charts.results_over_time(series) if any(len(results) > 1 for _name, results in series) else None,
    }
    return render(request, "public/compare.html", context)


@require_safe
@public_page(params=("q",))
def unit_search(request):
    query = request.GET.get("q", "")[: units_selectors.QUERY_MAX_LENGTH].strip()
    hits, more = selectors.unit_search(query, visibility=request.visibility) if query else ([], False)
    return render(
        request,
        "public/unit_search.html",
        {"query": query, "hits": hits, "more": more, "limit": units_selectors.SEARCH_LIMIT},
    )


@require_safe
@public_page(params=("on", "format"))
def unit_profile(request, code):
    on = request.GET.get("on")
    try:
        day = date.fromisoformat(on[:10]) if on else None
    except ValueError:
        raise Http404("Not a date.") from None
    unit = units_selectors.unit_get(code, day)
    results = selectors.unit_results(unit=unit, visibility=request.visibility)
    if kind := download_kind(request):
        frameworks = [result.framework for result in results]
        return table_download(
            kind,
            f"{unit.code}-{unit.slug}",
            unit.name,
            tables.unit_results_table(
                results, selectors.framework_fields(framework_ids={r.framework_id for r in results})
            ),
            frameworks,
        )
    predecessors, successors = units_selectors.unit_lineage(unit)
    yearly = charts.yearly_series_of(results)
    criteria = assessment_selectors.public_criteria(unit.pk, [result.framework_id for result in results])
    context = {
        "criteria": [
            (result.framework, rows, any(row.files for row in rows))
            for result in results
            if (rows := criteria.get(result.framework_id)) is not None
        ],
        "unit": unit,
        "predecessors": predecessors,
        "formed_by_change": any(entry.link.kind != UnitLineage.Kind.RENAME for entry in predecessors),
        "successors": successors,
        "namesakes": units_selectors.unit_namesakes(unit),
        "children": list(unit.children.order_by("code")),
        "results": results,
        "monthly": any(result.framework.month for result in results),
        "band_labels": selectors.band_labels(result.framework for result in results),
        "sample_note": any(result.is_sample or result.change_is_sample for result in results),
        "breakdown": selectors.unit_breakdown(results),
        "downloads": {
            kind: "?" + urlencode({**({"on": on[:10]} if on else {}), "format": kind}) for kind in CONTENT_TYPES
        },
        "chart": charts.results_over_time(yearly, with_rank=True) if yearly else None,
        "map": maps.locator_map(unit, units_selectors.unit_outlines(unit, settings.MAP_MAX_UNITS)),
        "statistics": statistics_panel(unit, statistics_history(unit, [entry.unit for entry in predecessors]), results),
    }
    return render(request, "public/unit_profile.html", context)


@require_safe
def evidence_file(request, code, evidence_id):
    """An evidence file the province shows on a unit's public page (DESIGN §9);
    any other, or under another unit's code, is not found."""
    item = assessment_selectors.public_evidence(evidence_id)
    if item is None or item.unit.code != code:
        raise Http404("No such file.")
    return file_attachment(item.file, filename=item.name, content_type=item.content_type)


@require_safe
@public_page()
def statistics_index(request):
    """The provinces whose units have dossier statistics, each linking to its table."""
    return render(request, "public/statistics_index.html", {"provinces": provinces_with_statistics()})


@require_safe
@public_page(params=("period", "kind", "sort", "format"))
def province_statistics(request, code):
    """A province's units side by side in one period (``?period=2019-Q4``), of one
    kind (``?kind=commune``), ranked by on-time and online rate, sortable
    (``?sort=-online``), downloadable (``?format=csv|xlsx``)."""
    table = province_table_query(code, request.GET)
    if table is None:
        raise Http404("No statistics for this province.")
    sort = request.GET.get("sort", "-on_time")[:20]
    params = {"period": table.period, "kind": table.kind, "sort": sort}
    title = _("Administrative procedures: %(province)s, %(period)s") % {
        "province": table.province.name,
        "period": dict(table.periods)[table.period],
    }
    if kind := download_kind(request):
        name = f"tthc-{table.province.code}-{table.period}-{table.kind}"
        return table_download(kind, name, title, province_table_rows(table), [])

    def sort_link(field: str) -> dict:
        current, descending = sort.lstrip("-") == field, sort.startswith("-")
        first = field if field == "unit" else f"-{field}"  # names A to Z, figures highest first
        target = (field if descending else f"-{field}") if current else first
        order = ("descending" if descending else "ascending") if current else None
        return {"url": _query(params, sort=target), "aria_sort": order}

    context = {
        "table": table,
        "title": title,
        "sorts": {field: sort_link(field) for field in TABLE_SORTS},
        "period_links": [(label, shown, _query(params, period=label)) for label, shown in table.periods],
        "kind_links": [(kind, Unit.Kind(kind).label, _query(params, kind=kind)) for kind in table.kinds],
        "downloads": {kind: _query(params, format=kind) for kind in CONTENT_TYPES},
        "rows": [(row, page_rates(row.record.counts)) for row in table.rows],
    }
    return render(request, "public/province_statistics.html", context)
