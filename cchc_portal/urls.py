from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from cchc_portal import views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The JSON API is the same in every language: no language prefix.
    path("api/", include("public.api_urls")),
    path("favicon.ico", views.favicon),
]
# Vietnamese at the unprefixed URLs whatever the browser asks for; English under /en/.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("staff/", include("staff.urls")),
    path("", include("public.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:  # pragma: no cover - development convenience only
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
