"""What each public table shows, said once.

A unit's figures in a framework (``Figure``: rank, tie, index, band, changes…) are
defined here once, typed (``int``, ``Decimal``, text, None for blank). The
ranking's columns (``ranking_columns``) are built from them and drive the ranking
page's header and rows, its CSV and XLSX downloads and ``export_results``; the
JSON documents (``public.documents``) write the same figures as their members.
The unit page's and the compare page's tables (``unit_results_table``,
``comparison_table``) are their downloads'.

The ranking page's rows are written with f-strings rather than a template loop or
``format_html``: a page of 100 units is 6,000 template lookups or 2,000
``format_html`` calls, most of the page's time. Every text goes through
``escape``; numbers are formatted by ``cchc_portal.numbers``; classes are
constants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from urllib.parse import quote

from django.urls import reverse
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

from cchc_portal.languages import marked_html, marked_text
from cchc_portal.numbers import decimal_text, local_decimal, signed
from scoring.models import Criterion, Result
from scoring.selectors import FIELD_SORT_PREFIX, Ranking, RankingRow, band_labels
from scoring.spreadsheets.writers import Cell

Table = tuple[list[str], list[list[Cell]]]  # (headers, typed rows), as the writers take it


def rank_move(delta_rank):
    """▲ 6 for a unit that moved up six places, ▼ 2 down, = unchanged; nothing if
    unknown. An f-string with escaped words: a ranking page has a hundred."""
    if delta_rank is None:
        return ""
    if delta_rank > 0:
        kind, mark = "up", f"▲ {delta_rank}"
        words = ngettext("up %(n)d place", "up %(n)d places", delta_rank) % {"n": delta_rank}
    elif delta_rank < 0:
        kind, mark = "down", f"▼ {-delta_rank}"
        words = ngettext("down %(n)d place", "down %(n)d places", -delta_rank) % {"n": -delta_rank}
    else:
        kind, mark, words = "same", "=", gettext("unchanged")
    words = escape(words)
    return mark_safe(f'<span class="move {kind}" title="{words}">{mark}<span class="sr">{words}</span></span>')  # nosec B308 B703 # noqa: S308


def trend(value):
    """CSS class for a signed change."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    return "up" if value > 0 else "down" if value < 0 else "same"


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of a unit's result: its member in the JSON documents, and how
    it is read from a ``Result``; a decimal is written "93.91" in JSON."""

    member: str
    of: Callable[[Result], Cell | bool]
    decimal: bool = False

    def json(self, result: Result):
        value = self.of(result)
        return decimal_text(value) if self.decimal else value


RANK = Figure("rank", attrgetter("rank"))
TIED = Figure("tied", attrgetter("tied"))
INDEX = Figure("index", attrgetter("index"), decimal=True)
TOTAL_POINTS = Figure("total_points", attrgetter("total_points"), decimal=True)
APPLICABLE_MAX = Figure("applicable_max", attrgetter("applicable_max"), decimal=True)
BAND = Figure("band", attrgetter("band"))
DELTA_INDEX = Figure("delta_index", attrgetter("delta_index"), decimal=True)
DELTA_RANK = Figure("delta_rank", attrgetter("delta_rank"))
# The members of a result in the JSON documents, in their order (DESIGN §7);
# "previous" and "fields" follow them.
DOCUMENT_FIGURES = (INDEX, TOTAL_POINTS, APPLICABLE_MAX, RANK, TIED, BAND, DELTA_INDEX, DELTA_RANK)


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the ranking: its header in the downloads (``label``), its typed
    figure (``value``), and on the page its cell (``html``; None for a column the
    page shows inside another's cell) and its header: a sort link when ``sort`` is
    a key, with ``header_class``; a field's (``field``) shows its code and maximum."""

    label: str
    value: Callable[[RankingRow], Cell]
    html: Callable[[RankingRow], str] | None = None
    sort: str = ""
    header_class: str = ""
    field: Criterion | None = None


def ranking_columns(ranking: Ranking) -> list[Column]:
    """The ranking's columns, in order: rank, tie, unit code and name (as
    published), index, band, change of index and of rank, then each top-level
    criterion's points and change; the changes only when there is a previous
    round to compare with (without one they would be empty). Headers and marks
    in the active language. No query."""
    with_changes = ranking.has_previous_round
    separator = get_format("DECIMAL_SEPARATOR")
    tied_word = _("tied")
    # gettext outside the f-strings, where makemessages can find the texts.
    tied, new_unit, sample = escape(tied_word), escape(_("new unit")), escape(_("sample data"))
    disagrees = escape(_("The decision states another rank"))
    tied_mark = f' <span class="tie">{tied}</span>'
    new_unit_mark = f'<span class="new">{new_unit}</span>'
    sample_mark = f'<span class="sample-mark" title="{sample}">*</span>'
    sample_change = escape(_("compared with sample data of the previous round"))
    sample_change_mark = f'<span class="sample-mark" title="{sample_change}">*</span>'
    # One reverse() for every row: the unit pages differ only by the code.
    unit_url = reverse("public:unit_profile", kwargs={"code": "CODE"}).replace("CODE", "{}")

    def number(value: Decimal | None) -> str:
        return "—" if value is None else local_decimal(value, 2, separator)

    def rank_cell(row: RankingRow) -> str:
        result = row.result
        published = ""
        if result.rank_disagrees:
            words = escape(_("published: %(rank)s") % {"rank": result.published_rank})
            published = f' <span class="flag" title="{disagrees}">⚠ {words}</span>'
        return f'<td class="rank">{result.rank or "—"}{tied_mark if result.tied else ""}{published}</td>'

    def unit_cell(row: RankingRow) -> str:
        result = row.result
        link = escape(unit_url.format(quote(result.unit.code)))
        mark = sample_mark if row.result.is_sample else ""
        return f'<th scope="row" class="unit"><a href="{link}">{escape(result.display_name)}</a>{mark}</th>'

    def delta_index_cell(row: RankingRow) -> str:
        result = row.result
        change = signed(result.delta_index, separator) if result.previous_id else new_unit_mark
        mark = sample_change_mark if row.change_is_sample else ""
        return f'<td class="num delta {trend(result.delta_index)}">{change}{mark}</td>'

    def delta_rank_cell(row: RankingRow) -> str:
        mark = sample_change_mark if row.change_is_sample else ""
        return f'<td class="num">{rank_move(row.result.delta_rank)}{mark}</td>'

    columns = [
        Column(_("Rank"), lambda row: RANK.of(row.result), rank_cell, sort="rank"),
        Column(capfirst(tied_word), lambda row: tied_word if TIED.of(row.result) else None),
        Column(_("Code"), lambda row: row.result.unit.code),
        Column(_("Unit"), lambda row: row.result.display_name, unit_cell, sort="unit"),
        Column(
            _("Index"),
            lambda row: INDEX.of(row.result),
            lambda row: f'<td class="num index">{number(row.result.index)}</td>',
            sort="index",
            header_class="num",
        ),
        Column(
            _("Band"),
            lambda row: marked_text(ranking.band_label(row.result.band)) if row.result.band else None,
            lambda row: f"<td>{marked_html(ranking.band_label(row.result.band))}</td>",
        ),
    ]
    if with_changes:
        columns += [
            Column(
                _("Δ index"),
                lambda row: DELTA_INDEX.of(row.result),
                delta_index_cell,
                sort="delta_index",
                header_class="num",
            ),
            Column(
                _("Δ rank"),
                lambda row: DELTA_RANK.of(row.result),
                delta_rank_cell,
                sort="delta_rank",
                header_class="num",
            ),
        ]
    for position, field in enumerate(ranking.fields):

        def field_cell(row: RankingRow, position=position) -> str:
            cell = row.fields[position]
            delta = (
                ""
                if cell.delta is None
                else f'<span class="delta {trend(cell.delta)}">{signed(cell.delta, separator)}</span>'
            )
            return f'<td class="num field">{number(cell.points)}{delta}</td>'

        columns.append(
            Column(
                f"{field.code}. {marked_text(field.local_name)} ({local_decimal(field.max_points, 2, separator)})",
                lambda row, position=position: row.fields[position].points,
                field_cell,
                sort=FIELD_SORT_PREFIX + field.code,
                field=field,
            )
        )
        if with_changes:  # on the page, under the field's points
            columns.append(
                Column(
                    _("Δ %(code)s") % {"code": field.code}, lambda row, position=position: row.fields[position].delta
                )
            )
    if ranking.has_sample_rows:  # downloads only: which figures are invented
        columns.append(Column(_("Sample data"), lambda row: sample_of(row.result.is_sample, row.change_is_sample)))
    return columns


def period_cell(framework) -> Cell:
    """A round's period in a download: the year as a number, a month as "5/2024"."""
    return framework.period_label if framework.month else framework.year


def sample_of(figures: bool, change: bool) -> str | None:
    """A download's "Sample data" cell: the figures are invented, or only the
    previous round's that the changes use; empty for real figures."""
    if figures:
        return _("yes")
    return _("the previous round's figures") if change else None


def ranking_table(ranking: Ranking) -> Table:
    """The ranking's columns as the downloads write them: (headers, typed rows)."""
    columns = ranking_columns(ranking)
    return [column.label for column in columns], [[column.value(row) for column in columns] for row in ranking.rows]


def ranking_rows_html(ranking: Ranking) -> str:
    """The ranking page's body rows: a sample row marked, each page column's cell."""
    cells = [column.html for column in ranking_columns(ranking) if column.html is not None]
    sample_row = ' class="sample"'
    return "".join(
        f"<tr{sample_row if row.result.is_sample else ''}>{''.join(cell(row) for cell in cells)}</tr>\n"
        for row in ranking.rows
    )


def unit_results_table(results: list[Result], fields: dict[int, list[Criterion]] | None = None) -> Table:
    """A unit page's results table: year, ranking, index, rank of how many,
    tie, band and changes, newest first (``scoring.selectors.unit_results``);
    with ``fields`` (``selectors.framework_fields``), then the unit's points on
    each field, a column per index and field code, blank where a ranking has no
    such field."""
    tied = _("tied")
    bands = band_labels(result.framework for result in results)
    headers = [_("Year"), _("Ranking"), _("Index"), _("Rank"), _("Units ranked"), capfirst(tied)]
    headers += [_("Band"), _("Δ index"), _("Δ rank")]
    rows = [
        [
            period_cell(result.framework),
            marked_text(result.framework.local_name),
            INDEX.of(result),
            RANK.of(result),
            result.ranked,
            tied if TIED.of(result) else None,
            marked_text(bands.of(result.framework, result.band)) or None,
            DELTA_INDEX.of(result),
            DELTA_RANK.of(result),
        ]
        for result in results
    ]
    # Each index's field codes (the 766 index's "1" is not the CCHC index's "1"),
    # named as in the newest ranking that has them; the index named too when there are several.
    names: dict[tuple[int, str], str] = {}
    indices: dict[int, str] = {}
    for result in results:
        framework = result.framework
        for field in (fields or {}).get(result.framework_id, []):
            names.setdefault((framework.index_id, field.code), marked_text(field.local_name))
            indices.setdefault(framework.index_id, marked_text(framework.index.local_name))
    order = {index: place for place, index in enumerate(indices)}
    keys = sorted(names, key=lambda key: (order[key[0]], _code_order(key[1])))
    if keys:
        prefix = {index: f"{name}: " if len(indices) > 1 else "" for index, name in indices.items()}
        headers += [f"{prefix[index]}{code}. {names[index, code]}" for index, code in keys]
        rows = [
            [*row, *(_field_point(result, index, code) for index, code in keys)]
            for row, result in zip(rows, results, strict=True)
        ]
    marks = [sample_of(result.is_sample, result.change_is_sample) for result in results]
    if any(marks):
        headers.append(_("Sample data"))
        rows = [[*row, mark] for row, mark in zip(rows, marks, strict=True)]
    return headers, rows


def _code_order(code: str) -> tuple:
    """A field code's place: "2" before "10", a number before text."""
    return (0, int(code), "") if code.isdigit() else (1, 0, code)


def _field_point(result: Result, index: int, code: str) -> Decimal | None:
    if result.framework.index_id != index:
        return None
    points = (result.field_points or {}).get(code)
    return None if points is None else Decimal(points)


def comparison_table(comparison) -> Table:
    """The compare page's table: a row per ranking, and for each unit its index,
    rank and band there (blank where it took no part)."""
    bands = band_labels(framework for framework, _results in comparison.frameworks)
    headers = [_("Year"), _("Ranking")]
    for unit in comparison.units:
        headers += [f"{unit.name}: {label}" for label in (_("Index"), _("Rank"), _("Band"))]
    sample = any(result is not None and result.is_sample for _f, results in comparison.frameworks for result in results)
    if sample:
        headers.append(_("Sample data"))
    rows = []
    for framework, results in comparison.frameworks:
        row: list[Cell] = [period_cell(framework), marked_text(framework.local_name)]
        for result in results:
            row += (
                [None, None, None]
                if result is None
                else [INDEX.of(result), RANK.of(result), marked_text(bands.of(framework, result.band)) or None]
            )
        if sample:
            invented = [
                unit.name for unit, result in zip(comparison.units, results, strict=True) if result and result.is_sample
            ]
            row.append(", ".join(invented) or None)
        rows.append(row)
    return headers, rows
