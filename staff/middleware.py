"""What the staff app hands the views below it: ``request.visibility``, the frameworks a
signed-in user's roles may see (``Access.visibility``), worked out only when a view
asks. The public pages and the API read it as data and never import the staff app."""

from django.utils.functional import SimpleLazyObject

from staff.access import access_for


class VisibilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.visibility = SimpleLazyObject(lambda: access_for(request.user).visibility())
        return self.get_response(request)
