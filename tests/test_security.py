"""Production settings and the security headers: `check --deploy` finds nothing, every
kind of response carries the Content-Security-Policy and the other policies, and in
production HSTS, the HTTPS redirect, secure cookies and hashed, long-cached static files."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.demo import demo_load

ROOT = Path(__file__).resolve().parent.parent
HOST = "cchc.example.gov.vn"


def production(code: str, tmp_path: Path, **env) -> subprocess.CompletedProcess:
    """Run ``code`` (after django.setup()) or a manage.py command line under the production
    environment the README documents: DEBUG off, a secret key, the allowed host."""
    # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE, which --deploy rightly refuses.
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = (
        inherited
        | {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "STATIC_ROOT": str(tmp_path / "static"),
            "DJANGO_SETTINGS_MODULE": "cchc_portal.settings",
        }
        | env
    )
    return subprocess.run(  # noqa: S603 - fixed command, test only
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_finds_nothing_in_production(tmp_path):
    outcome = production(
        "from django.core.management import call_command\ncall_command('check', deploy=True, fail_level='WARNING')",
        tmp_path,
    )
    assert outcome.returncode == 0, outcome.stderr
    assert "System check identified no issues (0 silenced)." in outcome.stdout


PRODUCTION_REQUESTS = """
import json
from django.conf import settings
from django.core.management import call_command
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
client = Client(HTTP_HOST="cchc.example.gov.vn")
plain = client.get("/favicon.ico")
secure = client.get("/favicon.ico", HTTP_X_FORWARDED_PROTO="https")
icon = client.get(secure["Location"], HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "secure": [secure.status_code, secure.get("Location"), secure.get("Strict-Transport-Security")],
    "icon": [icon.status_code, icon.get("Cache-Control"), icon.get("Content-Security-Policy")],
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY],
}))
"""


def test_production_redirects_to_https_with_hsts_and_serves_hashed_static_files_for_years(tmp_path):
    outcome = production(PRODUCTION_REQUESTS, tmp_path)
    assert outcome.returncode == 0, outcome.stderr
    seen = json.loads(outcome.stdout.strip().splitlines()[-1])

    assert seen["plain"] == [301, f"https://{HOST}/favicon.ico"]
    status, location, hsts = seen["secure"]
    assert status == 302
    assert location.startswith("/static/favicon.") and location.endswith(".svg") and location != "/static/favicon.svg"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    status, cache_control, policy = seen["icon"]
    assert status == 200
    assert "immutable" in cache_control and "max-age=315360000" in cache_control
    assert "default-src 'none'" in policy.split("; ")
    assert seen["cookies"] == [True, True, True]


def policy_of(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_policies(client):
    demo_load()
    responses = {
        "home": client.get("/"),
        "ranking": client.get("/rankings/cchc-2022-70-district/"),
        "download": client.get("/rankings/cchc-2022-70-district/?format=csv"),
        "api": client.get("/api/frameworks/"),
        "not found": client.get("/rankings/no-such-ranking/"),
        "sign-in": client.get("/staff/login/"),
        "admin sign-in": client.get("/admin/login/"),
    }
    assert {name: response.status_code for name, response in responses.items()} == {
        "home": 200,
        "ranking": 200,
        "download": 200,
        "api": 200,
        "not found": 404,
        "sign-in": 200,
        "admin sign-in": 200,
    }
    assert "Không tìm thấy trang" in responses["not found"].content.decode()
    for name, response in responses.items():
        policy = policy_of(response)
        assert policy["default-src"] == ["'none'"], name
        for directive in ("script-src", "style-src"):
            assert policy[directive] == ["'self'"], name
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"], name
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], name
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert "geolocation=()" in response["Permissions-Policy"], name
        assert "camera=()" in response["Permissions-Policy"], name


@pytest.mark.django_db
def test_no_template_writes_inline_script_or_style(client):
    """What the browser test checks in Chromium, checked on the markup of a chart page:
    scripts come from files, data only as json_script, and no style attribute."""
    demo_load()
    page = client.get("/units/695/").content.decode()
    assert 'class="chart"' in page
    assert "style=" not in page
    for tag in page.split("<script")[1:]:
        head = tag.split(">", 1)[0]
        assert ' src="' in head or 'type="application/json"' in head, head


@pytest.mark.django_db
def test_a_body_larger_than_any_upload_is_refused_before_it_is_read(client, settings):
    settings.IMPORT_MAX_BYTES = 3 * 2**20
    read = []

    class Body:  # what the server would stream; the middleware must not touch it
        def read(self, *args):
            read.append(args)
            return b""

        readline = read

    too_large = str(4 * 2**20 + 1)
    response = client.generic(
        "POST", "/admin/login/", b"", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=too_large
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Yêu cầu quá lớn" in page and "4 MB" in page
    response = client.generic("POST", "/staff/login/", CONTENT_LENGTH=too_large, **{"wsgi.input": Body()})
    assert response.status_code == 413 and read == []

    within = client.post("/staff/login/", {"username": "nobody", "password": "wrong"})
    assert within.status_code == 200  # the form, with its error


@pytest.mark.django_db
def test_a_lost_database_connection_is_a_503_and_other_database_errors_stay_500s(client, monkeypatch):
    import psycopg2
    from django.db import OperationalError, ProgrammingError

    from public import views

    def fails_with(error):
        def view(*args, **kwargs):
            raise error

        monkeypatch.setattr(views.selectors, "framework_list_latest", view)

    refused = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    refused.__cause__ = psycopg2.OperationalError("connection refused")  # no server code
    fails_with(refused)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Tạm thời không truy cập được" in response.content.decode()

    client.raise_request_exception = False
    fails_with(ProgrammingError("relation does not exist"))
    response = client.get("/")
    assert response.status_code == 500 and "Lỗi máy chủ" in response.content.decode()
    fails_with(OperationalError("no such column: index"))  # SQLite: a bug, not an outage
    assert client.get("/").status_code == 500
