"""Settings of ``make bench-web``'s server: the portal's own, with a URLconf that
adds the minimal view the ranking page is measured against."""

from cchc_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.web_urls"
