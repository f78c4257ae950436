from django import template

from staff.access import Access
from staff.access import may_create_frameworks as _may_create_frameworks

register = template.Library()


@register.filter
def may_create_frameworks(access: Access) -> bool:
    """Whether the user may start a new framework somewhere (menus follow ``staff.access``)."""
    return _may_create_frameworks(access)
