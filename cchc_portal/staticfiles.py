"""plotly.js as a static file of the site, taken from the installed ``plotly``
package (its ``package_data/plotly.min.js``), so the version drawn in the
browser is the one pinned in requirements.txt and no page loads it from a CDN."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "plotly/plotly.min.js"


class PlotlyFinder(BaseFinder):
    """Finds ``plotly/plotly.min.js``, and only that file of the package."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        self.storage = FileSystemStorage(location=self.source.parent)
        self.storage.prefix = PLOTLY_JS.partition("/")[0]

    def check(self, **kwargs):
        if not self.source.is_file():
            return [Error(f"plotly.js is missing from the plotly package: {self.source}", id="cchc_portal.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != PLOTLY_JS:
            return []
        return [str(self.source)] if find_all else str(self.source)

    def list(self, ignore_patterns):
        yield self.source.name, self.storage
