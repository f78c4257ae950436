"""Tool for refactors: what the public site, the API and the commands answer, byte for byte.

Loads the demo (and the 705-unit ranking of ``make bench-web``) into a throw-away
database, crawls every URL a visitor can reach from the home page in both languages and
from the API's index (as tests/test_crawl.py does), runs the export commands, and writes
one line per answer: the URL or command, its status, its content type and the SHA-256 of
its bytes (less what changes from run to run: a page's CSP nonce and CSRF token, a
workbook's times). Two snapshots from two commits compare with ``diff``:

    .venv/bin/python bench/snapshot.py > before.txt       # on the old commit
    .venv/bin/python bench/snapshot.py > after.txt        # on the new one
    diff before.txt after.txt                             # nothing: the same answers

``--keep DIR`` also writes every answer's bytes into DIR, to see what differs;
``--squeeze`` hashes a page with the white space between its tags collapsed, to tell
a change a browser shows from one of the template's layout alone.
"""

import argparse
import hashlib
import io
import re
import sys
import zipfile
from collections import deque
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from common import on_fresh_database, ranking_create, workdir

LINK = re.compile(rb'<a [^>]*href="([^"#]*)')
API_LINK = re.compile(rb'"(/(?:api|rankings|units)/[^"]*)"')
SKIPPED = ("/admin/", "/en/admin/", "/staff/", "/en/staff/", "/static/")
VOLATILE = (
    re.compile(rb'nonce="[^"]*"'),
    re.compile(rb"nonce-[A-Za-z0-9+/=_-]+"),
    re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'),
)
LIMIT = 20000


SQUEEZE = re.compile(rb">\s+<")


def _stable(body: bytes) -> bytes:
    """``body`` without what changes from run to run: a page's nonce and token; a
    workbook's times (its parts, less docProps/core.xml, whose times are the data's)."""
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            names = sorted(name for name in book.namelist() if name != "docProps/core.xml")
            return b"".join(name.encode() + b"\0" + book.read(name) for name in names)
    for pattern in VOLATILE:
        body = pattern.sub(b"<volatile>", body)
    return body


def _crawl(client, starts):
    seen, queue = {}, deque(starts)
    while queue and len(seen) < LIMIT:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        kind = response.get("Content-Type", "")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen[path] = (response.status_code, kind, _stable(body))
        if response.status_code != 200:
            continue
        links = LINK.findall(body) if kind.startswith("text/html") else []
        if kind.startswith("application/json"):
            links = API_LINK.findall(body)
        for href in links:
            target = urljoin(path, unescape(href.decode()))
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIPPED):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def _commands():
    """What the export commands write, for each published framework and format."""
    from django.core.management import CommandError, call_command

    from scoring.models import Framework

    answers = {}
    for slug in Framework.objects.filter(publication__isnull=False).order_by("slug").values_list("slug", flat=True):
        for kind in ("csv", "xlsx", "json"):
            path = Path(workdir) / f"{slug}.{kind}"
            out = io.StringIO()
            call_command("export_results", framework=slug, format=kind, output=str(path), stdout=out, stderr=out)
            said = out.getvalue().replace(workdir, "<workdir>").encode()  # the file's path is a temporary one
            answers[f"export_results {slug} {kind}"] = (0, kind, _stable(path.read_bytes()) + said)
        path = Path(workdir) / f"{slug}-template.xlsx"
        try:
            call_command("export_results", framework=slug, template=True, output=str(path), stdout=io.StringIO())
            answers[f"export_results {slug} template"] = (0, "xlsx", _stable(path.read_bytes()))
        except CommandError as error:
            answers[f"export_results {slug} template"] = (1, "error", str(error).encode())
    return answers


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="write every answer's bytes into this directory")
    parser.add_argument("--squeeze", action="store_true", help="collapse the white space between a page's tags")
    options = parser.parse_args()

    def run():
        from django.conf import settings
        from django.test import Client, override_settings

        # Static files by their plain names: no collectstatic manifest needed.
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        override_settings(STORAGES=storages, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False).enable()

        from scoring.demo import demo_load

        demo_load()
        ranking_create()
        answers = _crawl(Client(), ["/", "/en/", "/api/frameworks/"])
        answers.update(_commands())
        for number, (path, (status, kind, body)) in enumerate(sorted(answers.items())):
            if options.squeeze and kind.startswith("text/html"):
                body = SQUEEZE.sub(b"><", body)
            print(f"{path}\t{status}\t{kind}\t{hashlib.sha256(body).hexdigest()}")
            if options.keep:
                Path(options.keep).mkdir(parents=True, exist_ok=True)
                Path(options.keep, f"{number:05d}").write_bytes(f"{path}\n".encode() + body)
        print(f"{len(answers)} answers", file=sys.stderr)

    on_fresh_database(run)


if __name__ == "__main__":
    main()
