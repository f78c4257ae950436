"""The portal's URLs plus ``/bench/minimal/``: the least a request through the same
server and middleware can cost, the baseline of ``make bench-web``."""

from django.http import HttpResponse
from django.urls import path

from cchc_portal.urls import urlpatterns as portal_urlpatterns


def minimal(request):
    return HttpResponse("ok")


# i18n_patterns cannot be include()d: the portal's patterns are taken as they are.
urlpatterns = [path("bench/minimal/", minimal), *portal_urlpatterns]
