from django.conf import settings
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login from a locked-out user name and address: a
    page in the visitor's language saying for how long (HTTP 429)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
