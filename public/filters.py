"""What a visitor asks of a page in its query string: parsed from untrusted
parameters (anything unknown falls back to the default, every value cut to a
bounded length) and written back into the page's links."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dossiers.selectors import province_table
from scoring.selectors import FIELD_SORT_PREFIX, RANKING_SORTS, RankingFilter

_FIELD_SORT = re.compile(re.escape(FIELD_SORT_PREFIX) + r"[0-9A-Za-z]{1,20}")
COMPARE_MAX_UNITS = 4


@dataclass(frozen=True)
class RankingQuery(RankingFilter):
    """A ranking page's sort, parent unit and search (``RankingFilter``), as its
    query parameters ask for them."""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> RankingQuery:
        sort = params.get("sort", "")[:40]
        key = sort.removeprefix("-")
        if key not in RANKING_SORTS and not _FIELD_SORT.fullmatch(key):
            key, sort = "rank", ""
        return cls(
            sort=key,
            descending=sort.startswith("-"),
            parent=params.get("parent", "")[:20].strip(),
            query=" ".join(params.get("q", "")[:100].split()),
        )

    @property
    def is_default(self) -> bool:
        return self == RankingQuery()

    @property
    def params(self) -> dict[str, str]:
        """The query parameters that ask for this filter (none for the default)."""
        sort = "" if (self.sort, self.descending) == ("rank", False) else f"{'-' * self.descending}{self.sort}"
        return {"sort": sort, "parent": self.parent, "q": self.query}

    def sort_param(self, key: str) -> str:
        """The ``sort`` value of a column header's link: its key, or reversed when it is the current sort."""
        return f"-{key}" if key == self.sort and not self.descending else key


def compare_codes(values: Sequence[str]) -> list[str]:
    """Unit codes from ``?units=A,B&units=C``: trimmed, each once, at most ``COMPARE_MAX_UNITS``."""
    codes: list[str] = []
    for value in values[:COMPARE_MAX_UNITS]:
        for code in value[:200].split(","):
            code = code.strip()[:20]
            if code and code not in codes:
                codes.append(code)
    return codes[:COMPARE_MAX_UNITS]


def province_table_query(code: str, params: Mapping[str, str]):
    """A province's dossier table (``dossiers.selectors.province_table``) as the
    query string asks for it: ``period``, ``kind`` and ``sort``, each cut short;
    None when the province has no statistics."""
    return province_table(
        code[:20],
        period=params.get("period", "")[:7] or None,
        kind=params.get("kind", "")[:20],
        sort=params.get("sort", "-on_time")[:20],
    )
