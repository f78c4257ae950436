"""Reporting periods of dossier statistics (DESIGN §10): a year ("2019"), a
quarter ("2019-Q4") or a month ("2019-12"), and how files write them."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from cchc_portal.text import fold

YEAR, QUARTER, MONTH = "year", "quarter", "month"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR = r"((?:19|20)\d\d)"
_PATTERNS = [  # on the folded text: lower case, no diacritics, single spaces
    (re.compile(rf"(?:nam )?{_YEAR}"), YEAR),
    (re.compile(rf"{_YEAR} ?-? ?q([1-4])"), QUARTER),
    (re.compile(rf"(?:q|quy) ?([1-4]|iv|iii|ii|i) ?(?:/|-|nam|of|,)? ?{_YEAR}"), QUARTER),
    (re.compile(rf"{_YEAR} ?[-/.] ?(0?[1-9]|1[0-2])"), MONTH),
    (re.compile(rf"(?:thang )?(0?[1-9]|1[0-2]) ?(?:/|-|\.|nam) ?{_YEAR}"), MONTH),
]


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period. Ordered as the API lists them: by first day, a longer
    period before the shorter ones it holds (2019, 2019-Q1, 2019-01)."""

    starts_on: date
    ends_on: date
    kind: str

    @property
    def sort_key(self) -> tuple:
        return (self.starts_on, -self.ends_on.toordinal())

    @property
    def shown(self) -> str:
        """As a page writes it: "2019", "Quý 4/2019" (Q4 2019), "12/2019"."""
        if self.kind == YEAR:
            return str(self.starts_on.year)
        if self.kind == QUARTER:
            which = (self.starts_on.month - 1) // 3 + 1
            return _("Q%(quarter)s %(year)s") % {"quarter": which, "year": self.starts_on.year}
        return f"{self.starts_on.month}/{self.starts_on.year}"

    @property
    def label(self) -> str:
        """ "2019", "2019-Q4" or "2019-12"."""
        if self.kind == YEAR:
            return str(self.starts_on.year)
        if self.kind == QUARTER:
            return f"{self.starts_on.year}-Q{(self.starts_on.month - 1) // 3 + 1}"
        return f"{self.starts_on.year}-{self.starts_on.month:02d}"


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number, 12, 31), YEAR)


def quarter(number: int, which: int) -> Period:
    first = 3 * (which - 1) + 1
    return Period(date(number, first, 1), date(number, first + 2, calendar.monthrange(number, first + 2)[1]), QUARTER)


def month(number: int, which: int) -> Period:
    return Period(date(number, which, 1), date(number, which, calendar.monthrange(number, which)[1]), MONTH)


def parse_period(value) -> Period:
    """A period as a cell gives it: 2019, "Năm 2019", "2019-Q4", "Quý IV/2019",
    "Q4 2019", "2019-12", "12/2019", "Tháng 12/2019", or a date cell (its month).
    Raises ``ValueError`` for anything else."""
    if isinstance(value, datetime | date):
        return month(value.year, value.month)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(value)
    folded = fold(value).strip(" .")
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(folded)
        if match is None:
            continue
        groups = match.groups()
        if kind == YEAR:
            return year(int(groups[0]))
        number, which = (groups[0], groups[1]) if groups[0].isdigit() and len(groups[0]) == 4 else groups[::-1]
        which = _ROMAN.get(which) or int(which)
        return quarter(int(number), which) if kind == QUARTER else month(int(number), which)
    raise ValueError(value)
