"""Numbers as the current language writes them: 93,91 and +4,21 in Vietnamese,
93.91 and +4.21 in English; and as the JSON documents write them whatever the
language: "93.91". The one home of the site's number formatting: the pages'
template filters (``portal``), the tables, the downloads and the documents call it."""

from decimal import Decimal

from django.utils.formats import get_format, number_format

MINUS = "\u2212"


def local_decimal(value: Decimal, places: int, separator: str | None = None) -> str:
    """``value`` with ``places`` decimals as the current language writes it (its
    decimal ``separator``, looked up when not given). Below 1,000 (every index
    and field subtotal) it needs no thousands separator: the decimal point is
    swapped for the language's, a tenth of the cost of ``number_format``, which a
    ranking page would call 2,000 times."""
    if -1000 < value < 1000:
        return f"{value:.{places}f}".replace(".", separator or get_format("DECIMAL_SEPARATOR"))
    return number_format(value, decimal_pos=places, use_l10n=True)


def points(value, places=2):
    """A decimal with ``places`` decimals in the current language's style; "—" for none."""
    if value is None or value == "":
        return "—"
    return local_decimal(Decimal(value), int(places))


def signed(value, separator=None):
    """A change with its sign: +4,21, −0,30, 0,00; empty for none."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    text = local_decimal(abs(value), 2, separator)
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"{MINUS}{text}"
    return text


def percent(value) -> str:
    """A rate in percent with the places it has, in the current language's style
    ("0,0021%", "37.06%" in English); "—" for none."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    return f"{local_decimal(value, max(0, -value.as_tuple().exponent))}%"


def count(value) -> str:
    """A whole count with the language's thousands separator ("417.983", "417,983"); "—" for none."""
    if value is None or value == "":
        return "—"
    return number_format(value, force_grouping=True)


def decimal_text(value: Decimal | str | None) -> str | None:
    """ "93.91" for 93.91, "-4.00" for -4; None stays None (not entered, no previous result)."""
    if value is None:
        return None
    return f"{Decimal(value):.2f}"
