from django.conf import settings
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login from a locked-out user name and address: a
    page in the visitor's language saying for how long (HTTP 429)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for on pages that name no icon (the admin's):
    the site's icon, whose hashed name changes with it."""
    return redirect(static("favicon.svg"))
