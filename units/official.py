"""The official lists of administrative units, read from the data the
``vietnamadminunits`` package ships (MIT licence; pinned in requirements.txt).

- 2024: the 63 provinces, 696 district-level units and 10,035 communes as they
  stood before the reorganisation (table ``admin_units_legacy``, one row per
  commune; five island districts had no communes and appear with an empty one).
- 2025: the 34 provinces and 3,321 communes in force from 1 July 2025 (table
  ``admin_units``), and the mapping from the old communes to the new ones
  (``converter_2025.json``, keyed by accent-free names, joined back to codes here).

Only the data files are read; the package's own code (and its geometry
dependencies) is never imported.
"""

import importlib.util
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.utils.translation import gettext as _

from units.models import Unit, UnitLineage
from units.services import LineageRow, UnitInputError, UnitRow

REFORM_DAY = date(2025, 7, 1)
YEARS = (2024, 2025)
PACKAGE = "vietnamadminunits"


@dataclass
class OfficialList:
    rows: list[UnitRow]
    lineage: list[LineageRow]


def data_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UnitInputError(_("the %(package)s package is not installed") % {"package": PACKAGE})
    return Path(next(iter(spec.submodule_search_locations))) / "data"


# Longest first, so "Thị xã" is tried before "Xã" would be.
TYPE_LABELS = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận", "Tỉnh", "Xã")


def _names(name: str, short_name: str, type_label: str | None) -> dict[str, str]:
    """Name, short name and type label, tidied: the name's own prefix decides the
    type (the dataset types "Thị trấn Ngọc Lặc" as a Xã), the prefix is written
    the usual way ("Thành Phố Bắc Kạn" -> "Thành phố Bắc Kạn"), and the
    disambiguating suffix of short names goes ("Yên Viên (Thị trấn)" -> "Yên Viên")."""
    for label in TYPE_LABELS:
        if name.lower().startswith(label.lower() + " "):
            name, type_label = label + name[len(label) :], label
            break
    for label in TYPE_LABELS:
        short_name = short_name.removesuffix(f" ({label})")
    return {"name": name, "short_name": short_name, "type_label": type_label or ""}


class _Dataset:
    def __init__(self, directory: Path):
        connection = sqlite3.connect(f"file:{directory / 'dataset.db'}?mode=ro", uri=True)
        connection.row_factory = sqlite3.Row
        try:
            self.legacy = connection.execute(
                "SELECT provinceCode, province, provinceShort, provinceKey, districtCode, district, districtShort,"
                " districtType, districtKey, wardCode, ward, wardShort, wardType, wardKey"
                " FROM admin_units_legacy ORDER BY wardCode"
            ).fetchall()
            self.current = connection.execute(
                "SELECT provinceCode, province, provinceShort, provinceKey,"
                " wardCode, ward, wardShort, wardType, wardKey FROM admin_units ORDER BY wardCode"
            ).fetchall()
        finally:
            connection.close()
        self.converter = json.loads((directory / "converter_2025.json").read_text(encoding="utf-8"))


def _rows_2024(data: _Dataset, provinces: set[str] | None, valid_to: date | None) -> list[UnitRow]:
    rows = {}
    for item in data.legacy:
        province = item["provinceCode"]
        if provinces is not None and province not in provinces:
            continue
        rows.setdefault(
            province,
            UnitRow(
                code=province,
                kind=Unit.Kind.PROVINCE,
                valid_to=valid_to,
                **_names(item["province"], item["provinceShort"], None),
            ),
        )
        rows.setdefault(
            item["districtCode"],
            UnitRow(
                code=item["districtCode"],
                kind=Unit.Kind.DISTRICT,
                parent_code=province,
                valid_to=valid_to,
                **_names(item["district"], item["districtShort"], item["districtType"]),
            ),
        )
        if item["wardCode"]:
            rows[item["wardCode"]] = UnitRow(
                code=item["wardCode"],
                kind=Unit.Kind.COMMUNE,
                parent_code=item["districtCode"],
                valid_to=valid_to,
                **_names(item["ward"], item["wardShort"], item["wardType"]),
            )
    return list(rows.values())


def _official_2025(data: _Dataset, provinces: set[str] | None) -> OfficialList:
    """The 2025 units, the 2024 units they replaced (closed the day before the
    reform) and the lineage between them."""
    old_province_codes, old_codes = {}, {}
    for item in data.legacy:
        old_province_codes[item["provinceKey"]] = item["provinceCode"]
        if item["wardCode"]:
            old_codes[f"{item['provinceKey']}_{item['districtKey']}_{item['wardKey']}"] = item["wardCode"]
        else:  # an island district without communes became a special zone (đặc khu)
            old_codes[f"{item['provinceKey']}_{item['districtKey']}_"] = item["districtCode"]
    new_province_codes = {item["provinceKey"]: item["provinceCode"] for item in data.current}
    chosen = set(new_province_codes.values()) if provinces is None else provinces

    lineage = []
    replaced_provinces = set()
    for new_key, old_keys in data.converter["DICT_PROVINCE"].items():
        if new_province_codes[new_key] not in chosen:
            continue
        kind = UnitLineage.Kind.MERGE if len(old_keys) > 1 else UnitLineage.Kind.RENAME
        for old_key in old_keys:
            replaced_provinces.add(old_province_codes[old_key])
            lineage.append(LineageRow(old_province_codes[old_key], new_province_codes[new_key], kind, REFORM_DAY))

    sources = defaultdict(list)  # (new province key, new ward key) -> [(old key, divided)]
    for province_key, wards in data.converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            sources[province_key, ward_key] += [(old_key, False) for old_key in old_keys]
    for province_key, divided in data.converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in divided.items():
            for part in parts:
                sources[province_key, part["newWardKey"]].append((old_key, True))

    rows = []
    for item in data.current:
        province = item["provinceCode"]
        if province not in chosen:
            continue
        rows.append(
            UnitRow(
                code=item["wardCode"],
                kind=Unit.Kind.COMMUNE,
                parent_code=province,
                valid_from=REFORM_DAY,
                **_names(item["ward"], item["wardShort"], item["wardType"]),
            )
        )
        ward_sources = sources[item["provinceKey"], item["wardKey"]]
        for old_key, divided in ward_sources:
            if divided:
                kind = UnitLineage.Kind.SPLIT
            else:
                kind = UnitLineage.Kind.MERGE if len(ward_sources) > 1 else UnitLineage.Kind.RENAME
            lineage.append(LineageRow(old_codes[old_key], item["wardCode"], kind, REFORM_DAY))
    province_rows = {
        item["provinceCode"]: UnitRow(
            code=item["provinceCode"],
            kind=Unit.Kind.PROVINCE,
            valid_from=REFORM_DAY,
            **_names(item["province"], item["provinceShort"], None),
        )
        for item in data.current
        if item["provinceCode"] in chosen
    }
    old_rows = _rows_2024(data, replaced_provinces, valid_to=REFORM_DAY - timedelta(days=1))
    return OfficialList(old_rows + list(province_rows.values()) + rows, lineage)


def official_list(year: int, *, provinces: set[str] | None = None, directory: Path | None = None) -> OfficialList:
    """The official units of ``year`` (2024 or 2025), optionally only some
    provinces (codes of that year's list). The 2025 list includes the 2024 units
    it replaced, closed on 30 June 2025, so it can be loaded on its own."""
    if year not in YEARS:
        raise UnitInputError(_("no official list for %(year)s; choose 2024 or 2025") % {"year": year})
    data = _Dataset(directory or data_dir())
    known = {item["provinceCode"] for item in (data.legacy if year == 2024 else data.current)}
    unknown = sorted((provinces or set()) - known)
    if unknown:
        raise UnitInputError(
            [_("no province %(code)s in the %(year)s list") % {"code": code, "year": year} for code in unknown]
        )
    if year == 2024:
        return OfficialList(_rows_2024(data, provinces, valid_to=None), [])
    return _official_2025(data, provinces)
