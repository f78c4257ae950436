import pytest


@pytest.fixture(autouse=True)
def _vietnamese_by_default(settings):
    """Pages render in the default language unless a test switches."""
    settings.LANGUAGE_CODE = "vi"
