"""The read-only JSON API of DESIGN §7. Not language-prefixed: the documents
are the same in every language (decimals "93.91"). Each view parses its input,
calls one selector or document, and answers JSON; a framework or unit the user
may not see is a 404 with ``{"error": …}``."""

from datetime import date
from urllib.parse import urlencode

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from cchc_portal.caching import public_page
from cchc_portal.licence import link_header
from public import documents
from public.filters import province_table_query
from scoring import selectors
from units.models import Unit
from units.selectors import unit_get, unit_lineage


def _json(document: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(document, status=status, json_dumps_params={"ensure_ascii": False})
    return link_header(response) if status == 200 else response


def _not_found(message: str) -> JsonResponse:
    return _json({"error": message}, status=404)


def _read_only(*, params=()):
    """GET and HEAD only, cached and revalidated by the data version as the
    pages are (``public_page``). Exempt from the CSRF check so that a POST gets
    its 405 rather than a 403: these views write nothing."""

    def decorate(view):
        return csrf_exempt(require_safe(public_page(params=params)(view)))

    return decorate


@_read_only()
def frameworks(request):
    return _json(documents.frameworks_document(selectors.framework_list(visibility=request.visibility)))


# A results document in pages (``?page=N``, ``&page_size=M``): a national block in parts.
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 500, 1000


def _whole_number(text: str, largest: int) -> int | None:
    """``text`` as written by ``str(n)`` for 1 <= n <= ``largest``, else None: one
    spelling per page, so that "01" or "+1" cannot add a cache entry per variant."""
    well_formed = text.isascii() and text.isdigit() and text[0] != "0" and len(text) <= len(str(largest))
    return int(text) if well_formed and int(text) <= largest else None


@_read_only(params=("page", "page_size"))
def framework_results(request, slug):
    try:
        framework = selectors.framework_get(slug=slug, visibility=request.visibility)
    except Http404:
        return _not_found(_("No such framework."))
    if "page" not in request.GET:
        if "page_size" in request.GET:
            return _json({"error": _("page_size needs a page: ?page=1&page_size=…")}, status=400)
        return _json(documents.framework_results_document(framework))
    page = _whole_number(request.GET["page"], 10**9)
    page_size = _whole_number(request.GET.get("page_size", str(DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE)
    repeated = any(len(request.GET.getlist(name)) > 1 for name in ("page", "page_size"))
    if page is None or page_size is None or repeated:
        message = _("page is a whole number from 1, page_size a whole number from 1 to %(largest)s.")
        return _json({"error": message % {"largest": MAX_PAGE_SIZE}}, status=400)
    document = documents.framework_results_document(framework, page=page, page_size=page_size)
    if document is None:
        return _not_found(_("No such page."))
    response = _json(document)
    paging, links = document["paging"], []
    for relation in ("next", "previous"):
        if paging[relation] is not None:
            query = urlencode({"page": paging[relation], "page_size": page_size})
            links.append(f'<{request.path}?{query}>; rel="{"prev" if relation == "previous" else relation}"')
    response["Link"] = ", ".join([response["Link"], *links])
    return response


@_read_only(params=("on",))
def unit_results(request, code):
    unit = _unit(request, code)
    if isinstance(unit, JsonResponse):
        return unit
    return _json(documents.unit_results_document(unit=unit, visibility=request.visibility))


def _unit(request, code) -> Unit | JsonResponse:
    """As the unit's page: the unit holding the code now, or on ?on=YYYY-MM-DD
    (codes are reused after the 2025 reorganisation); else the 404 to answer."""
    on = request.GET.get("on")
    try:
        day = date.fromisoformat(on[:10]) if on else None
    except ValueError:
        return _not_found(_("Not a date: give ?on=YYYY-MM-DD."))
    try:
        return unit_get(code, day)
    except Http404:
        return _not_found(_("No such unit."))


@_read_only(params=("on",))
def unit_statistics(request, code):
    """A unit's dossier statistics (DESIGN §7)."""
    unit = _unit(request, code)
    if isinstance(unit, JsonResponse):
        return unit
    predecessors, _successors = unit_lineage(unit)
    return _json(documents.unit_statistics_document(unit=unit, predecessors=[entry.unit for entry in predecessors]))


@_read_only(params=("period", "kind", "sort"))
def province_statistics(request, code):
    """A province's units' dossier statistics in one period, ranked (as ``/statistics/<code>/``)."""
    table = province_table_query(code, request.GET)
    if table is None:
        return _not_found(_("No statistics for this province."))
    return _json(documents.province_statistics_document(table))
