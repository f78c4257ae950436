from datetime import date
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cchc_portal.caching import public_page
from scoring import charts
from scoring.exports import unit_results_table
from scoring.selectors import unit_breakdown, unit_results
from scoring.views import CONTENT_TYPES, download_kind, table_download
from units import selectors
from units.models import UnitLineage


@require_safe
@public_page(params=("q",))
def search(request):
    query = request.GET.get("q", "")[: selectors.QUERY_MAX_LENGTH].strip()
    units, more = selectors.unit_search(query) if query else ([], False)
    return render(
        request,
        "units/search.html",
        {"query": query, "units": units, "more": more, "limit": selectors.SEARCH_LIMIT},
    )


@require_safe
@public_page(params=("on", "format"))
def profile(request, code):
    on = request.GET.get("on")
    try:
        day = date.fromisoformat(on[:10]) if on else None
    except ValueError:
        raise Http404("Not a date.") from None
    unit = selectors.unit_get(code, day)
    results = unit_results(unit=unit, user=request.user)
    if kind := download_kind(request):
        frameworks = [result.framework for result in results]
        return table_download(kind, f"{unit.code}-{unit.slug}", unit.name, unit_results_table(results), frameworks)
    predecessors, successors = selectors.unit_lineage(unit)
    context = {
        "unit": unit,
        "predecessors": predecessors,
        "formed_by_change": any(entry.link.kind != UnitLineage.Kind.RENAME for entry in predecessors),
        "successors": successors,
        "namesakes": selectors.unit_namesakes(unit),
        "children": list(unit.children.order_by("code")),
        "results": results,
        "breakdown": unit_breakdown(results),
        "downloads": {
            kind: "?" + urlencode({**({"on": on[:10]} if on else {}), "format": kind}) for kind in CONTENT_TYPES
        },
        "chart": charts.results_over_time(charts.series_of(results), with_rank=True) if results else None,
    }
    return render(request, "units/profile.html", context)
