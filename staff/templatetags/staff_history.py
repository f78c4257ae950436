"""A score cell's value as the history pages show it: points in the current
language's style (13,96), "KAD" (as typed in the grids) for not applicable,
"—" for not entered."""

from django import template

from cchc_portal.numbers import points
from scoring import engine
from staff.grids import NOT_APPLICABLE_TEXT

register = template.Library()


@register.filter
def score_value(value) -> str:
    if value is engine.NOT_APPLICABLE:
        return NOT_APPLICABLE_TEXT
    return points(value)


@register.filter
def who(user) -> str:
    """A revision's author: the full name, else the user name; "—" when unknown."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
