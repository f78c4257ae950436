import pytest


@pytest.fixture(autouse=True)
def _vietnamese_by_default(settings):
    """Pages render in the default language unless a test switches. The URL
    resolver keeps its reversed paths per language, prefixes included: a test
    that made English the default must not leave /en/-less English URLs behind."""
    from django.urls import clear_url_caches

    settings.LANGUAGE_CODE = "vi"
    yield
    clear_url_caches()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty page cache: the data version does not move
    inside a test's transaction (it moves on commit), so a page cached by one
    test would otherwise answer another's request for the same path."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _data_version_read_every_time(settings):
    """Tests count the data version's query on every request (production trusts it for a second)."""
    settings.PUBLIC_VERSION_SECONDS = 0
