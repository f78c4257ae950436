"""Production mode refuses to start without a secret key and allowed hosts."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(**env):
    # Empty values, not absent ones: a developer's .env must not fill them in.
    environment = os.environ | {"DEBUG": "", "SECRET_KEY": "", "ALLOWED_HOSTS": ""} | env
    environment["DJANGO_SETTINGS_MODULE"] = "cchc_portal.settings"
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(  # noqa: S603 - fixed command, test only
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )


def test_production_without_secret_key_refuses_to_start():
    outcome = start(DEBUG="0", ALLOWED_HOSTS="cchc.example.vn")
    assert outcome.returncode != 0
    assert "SECRET_KEY must be set" in outcome.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    outcome = start(DEBUG="0", SECRET_KEY="x" * 50)
    assert outcome.returncode != 0
    assert "ALLOWED_HOSTS must be set" in outcome.stderr


def test_production_with_both_starts():
    outcome = start(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="cchc.example.vn")
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stdout.strip() == "False"


def redis_is_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(
    not os.environ.get("CI") and not redis_is_up(), reason="no Redis on 127.0.0.1:6379 (CI always has one)"
)
def test_cache_url_selects_redis_and_the_cache_works():
    code = (
        "import django; django.setup(); from django.core.cache import caches; cache = caches['default']; "
        "cache.set('cchc-settings-test', 'ok', 5); print(type(cache).__name__, cache.get('cchc-settings-test'))"
    )
    outcome = subprocess.run(  # noqa: S603 - fixed command, test only
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=os.environ | {"DEBUG": "1", "CACHE_URL": "redis://127.0.0.1:6379/9"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stdout.split() == ["RedisCache", "ok"]
