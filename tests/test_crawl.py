"""A crawl of the public site as a visitor sees it: from the home page in both
languages, every link inside the site answers (pages, downloads, the API), and
a draft present in the database shows nowhere."""

import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest

from scoring import services
from scoring.demo import demo_load
from tests.factories import UnitFactory, make_framework, score

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a [^>]*href="([^"#]*)')
SKIPPED = ("/admin/", "/en/admin/", "/staff/", "/en/staff/", "/static/")  # sign-in pages
DRAFT_FIGURES = ("77,77", "77.77")  # the draft's index, in Vietnamese and English
PAGE_LIMIT = 400


def crawl(client, starts):
    """{path: (status, content type)} of every page reachable from ``starts``, and the pages' text."""
    seen, texts, queue = {}, {}, deque(starts)
    while queue and len(seen) < PAGE_LIMIT:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = (response.status_code, response.get("Content-Type", ""))
        if response.status_code != 200 or not seen[path][1].startswith("text/html"):
            continue
        texts[path] = text = response.content.decode()
        for href in LINK.findall(text):
            target = urljoin(path, unescape(href))
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIPPED):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen, texts


def test_every_link_answers_and_no_draft_shows(client):
    demo_load()
    units = UnitFactory.create_batch(2)
    draft = make_framework(year=2031, units=units, rows=(("1", "100"),))
    services.scores_set(framework=draft, entries=[score(units[0], "1", "77.77"), score(units[1], "1", "10")])

    seen, texts = crawl(client, ["/", "/en/"])

    assert len(seen) > 50  # the crawl went through rankings, units, compare pages and downloads
    broken = {path: status for path, (status, _type) in seen.items() if status != 200}
    assert broken == {}
    kinds = {content_type.split(";")[0] for _status, content_type in seen.values()}
    assert {"text/html", "text/csv"} <= kinds
    showing_the_draft = [
        path for path, text in texts.items() if draft.name in text or any(figure in text for figure in DRAFT_FIGURES)
    ]
    assert showing_the_draft == []
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(f"/api/frameworks/{draft.slug}/results/").status_code == 404
