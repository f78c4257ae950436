"""A crawl of the public site as a visitor sees it: from the home page in both
languages and the API's index, every link inside the site answers (pages,
downloads, the API), and drafts present in the database show nowhere: neither a
draft of its own units nor the next rounds of the demo's rankings, one of them
in review, whose units are the published rankings' (so their profiles, the
compare page, the API and the downloads are where a draft would leak)."""

import io
import json
import re
from collections import deque
from decimal import Decimal
from html import unescape
from urllib.parse import urljoin, urlsplit

import openpyxl
import pytest

from scoring import services
from scoring.demo import demo_load
from scoring.models import Criterion, Framework, Result
from tests.factories import UnitFactory, make_framework, score

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a [^>]*href="([^"#]*)')
SKIPPED = ("/admin/", "/en/admin/", "/staff/", "/en/staff/", "/static/")  # sign-in pages
# The index of the draft of its own units, as pages, downloads and the API write it.
DRAFT_FIGURES = ("77,77", "77.77")
PAGE_LIMIT = 5000  # a stop for a crawl gone wrong: the demo's site has some 1,650 URLs
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text_of(response) -> str:
    """What a response shows, whatever its kind: a spreadsheet's cells, a JSON document's
    values (figures as the API writes them), a page's or a CSV file's text."""
    kind = response.get("Content-Type", "").split(";")[0]
    if kind == XLSX:
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    if kind == "application/json":
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def crawl(client, starts):
    """{path: (status, content type)} of every URL reachable from ``starts``, and each one's text."""
    seen, texts, queue = {}, {}, deque(starts)
    while queue and len(seen) < PAGE_LIMIT:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = (response.status_code, response.get("Content-Type", ""))
        if response.status_code != 200:
            continue
        texts[path] = text = text_of(response)
        links = LINK.findall(text) if seen[path][1].startswith("text/html") else _api_links(text, seen[path][1])
        for href in links:
            target = urljoin(path, unescape(href))
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIPPED):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen, texts


def _api_links(text: str, content_type: str) -> list[str]:
    """The site's URLs named in an API document (``"url": "/api/..."``)."""
    if not content_type.startswith("application/json"):
        return []
    return re.findall(r'"(/(?:api|rankings|units)/[^"]*)"', text)


def next_rounds_of_the_demo() -> list[Framework]:
    """A draft of the next year of each published demo ranking, for the same units, and
    in a computed one every normal leaf scored (0.1234 of its maximum)."""
    drafts = []
    for source in Framework.objects.filter(publication__isnull=False).order_by("year", "slug"):
        if Framework.objects.filter(index=source.index, scope=source.scope, block=source.block, year=source.year + 1):
            continue
        draft = services.framework_copy(source=source, year=source.year + 1)
        if draft.mode == Framework.Mode.COMPUTED:
            leaves = Criterion.objects.filter(framework=draft, is_leaf=True, kind=Criterion.Kind.NORMAL)
            share = Decimal("0.1234")
            entries = [
                services.ScoreEntry(unit.code, leaf.code, (leaf.max_points * share).quantize(Decimal("0.01")))
                for unit in draft.participants.all()
                for leaf in leaves
            ]
            services.scores_set(framework=draft, entries=entries)
        drafts.append(draft)
    return drafts


def test_every_link_answers_and_no_draft_shows(client):
    demo_load()
    units = UnitFactory.create_batch(2)
    draft = make_framework(year=2031, units=units, rows=(("1", "100"),))
    services.scores_set(framework=draft, entries=[score(units[0], "1", "77.77"), score(units[1], "1", "10")])

    seen, texts = crawl(client, ["/", "/en/", "/api/frameworks/"])

    assert 1000 < len(seen) < PAGE_LIMIT  # every URL: rankings, units, compare pages, downloads, the API
    broken = {path: status for path, (status, _type) in seen.items() if status != 200}
    assert broken == {}
    kinds = {content_type.split(";")[0] for _status, content_type in seen.values()}
    assert {"text/html", "text/csv", XLSX, "application/json"} <= kinds
    showing_the_draft = {
        path: [figure for figure in (draft.name, *DRAFT_FIGURES) if figure in text] for path, text in texts.items()
    }
    assert {path: found for path, found in showing_the_draft.items() if found} == {}

    # The next rounds of the demo's rankings, for the same units, one in review: every
    # URL answers what it answered before, to the byte of its text.
    next_rounds = next_rounds_of_the_demo()
    services.framework_submit(framework=next_rounds[0])
    assert Result.objects.filter(framework__in=next_rounds).exists()
    seen_again, texts_again = crawl(client, ["/", "/en/", "/api/frameworks/"])
    assert seen_again == seen
    changed = [path for path in texts if texts_again[path] != texts[path]]
    assert changed == []
    for framework in [draft, *next_rounds]:
        assert client.get(framework.get_absolute_url()).status_code == 404
        assert client.get(f"/api/frameworks/{framework.slug}/results/").status_code == 404
