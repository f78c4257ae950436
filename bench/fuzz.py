"""Coverage-guided fuzzing of the spreadsheet readers with atheris (issue 7).

    python bench/fuzz.py --seconds 600                # every target in turn, an equal share each
    python bench/fuzz.py --seconds 300 --target xlsx  # one target
    python bench/fuzz.py --list                       # the targets

Each target runs in its own process (a crash stops only that target) on a seed
corpus of small valid files written to a temporary directory. The documented
failures are expected: ``TableError`` from a reader (a damaged, oversized or
unreadable file, a bad cell), ``ValueError`` from a cell parser. Any other
exception is a crash: atheris prints it and saves the input under
``--artifacts`` (a temporary directory unless given). At the end a table gives
each target's executions, executions per second, coverage and crashes.

Arguments after ``--`` go to libFuzzer as they are (``-- -max_len=65536``).
Django runs on an in-memory SQLite database, migrated at start for the
``scores`` and ``results`` targets.
"""

import argparse
import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("csv", "xlsx", "ods", "table", "scores", "results", "cells")
WITH_DATABASE = ("scores", "results")


# --- targets -------------------------------------------------------------


def _django(database: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "fuzzing-only")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ["DJANGO_SETTINGS_MODULE"] = "cchc_portal.settings"
    import django

    django.setup()
    if database:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def _instrument() -> None:
    """Coverage feedback from the project's reading code (csv and calamine are
    native: atheris sees only what Python does with their output)."""
    import types

    import atheris

    from cchc_portal import text as unit_text
    from scoring.spreadsheets import imports as scoring_imports
    from scoring.spreadsheets import reader as tables
    from scoring.spreadsheets import units as unit_imports
    from staff import grids

    def functions(namespace):
        for value in list(vars(namespace).values()):
            if isinstance(value, types.FunctionType) and value.__module__ == namespace.__name__:
                yield value
            elif isinstance(value, type) and value.__module__ == namespace.__name__:
                for member in vars(value).values():
                    member = getattr(member, "fget", None) or getattr(member, "__func__", None) or member
                    member = getattr(member, "func", member)  # cached_property
                    if isinstance(member, types.FunctionType):
                        yield member

    for module in (tables, scoring_imports, unit_imports, grids, unit_text):
        for function in functions(module):
            atheris.instrument_func(function)


def _framework_fixture(mode: str):
    """The sample districts of Bình Phước and a framework over them (as tests/scoring/conftest.py)."""
    from django.core.management import call_command

    from scoring.models import Framework
    from units.services import UnitRow, units_upsert

    units_upsert(
        rows=[
            UnitRow(code="70", name="Tỉnh Bình Phước", short_name="Bình Phước", kind="province"),
            UnitRow(code="689", name="Thành phố Đồng Xoài", short_name="Đồng Xoài", kind="district", parent_code="70"),
            UnitRow(code="692", name="Huyện Lộc Ninh", short_name="Lộc Ninh", kind="district", parent_code="70"),
            UnitRow(code="695", name="Huyện Đồng Phú", short_name="Đồng Phú", kind="district", parent_code="70"),
        ]
    )
    arguments = {"index": "cchc", "year": 2022, "scope": "70", "block": "district", "mode": mode}
    data = str(ROOT / "tests/data/criteria_district.csv")
    call_command("import_framework", data, stdout=io.StringIO(), **arguments)
    return Framework.objects.get()


class Unexpected(Exception):
    """A reader broke its promise without raising: atheris reports it as a crash."""


def _expect(condition: bool, detail) -> None:
    if not condition:
        raise Unexpected(detail)


def _file_target(suffix: str, read):
    """A target giving the bytes as a file named ``fuzz<suffix>`` to ``read``."""
    from scoring.spreadsheets.reader import TableError, Upload

    def target(data: bytes) -> None:
        try:
            read(Upload("fuzz" + suffix, data))
        except TableError as error:
            _expect(error.messages and all(isinstance(text, str) and text for text in error.messages), error)

    return target


def _checked_cell(value) -> None:
    """Every cell parser on one value: a result of the documented type or ``ValueError``."""
    from decimal import Decimal

    from scoring import engine
    from scoring.spreadsheets.imports import code_like, parse_points
    from scoring.spreadsheets.reader import parse_date, parse_number, text
    from staff.grids import parse_cell

    text(value)
    code_like(value)
    number = points = None
    try:
        number = parse_number(value)
        _expect(isinstance(number, Decimal) and number.is_finite(), number)
    except ValueError:
        pass
    try:
        points = parse_points(value)
        _expect(points is None or points is engine.NOT_APPLICABLE or points.is_finite(), points)
    except ValueError:
        pass
    if isinstance(points, Decimal):  # the short cuts read as the general parser does
        _expect(points == number, (value, points, number))
    with contextlib.suppress(ValueError):
        parse_date(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            parse_cell(value)


def make_target(name: str):
    from scoring.spreadsheets import imports
    from scoring.spreadsheets.reader import grid, read_table

    if name == "csv":
        return _file_target(".csv", grid)
    if name == "xlsx":
        return _file_target(".xlsx", grid)
    if name == "ods":
        return _file_target(".ods", grid)
    if name == "table":  # the long layout's reader, then every cell through the score parser
        columns = imports.LONG_COLUMNS

        def read(upload):
            for row in read_table(upload, columns).rows:
                for value in row.cells.values():
                    _checked_cell(value)

        return _file_target(".csv", read)
    if name == "scores":
        framework = _framework_fixture("computed")
        return _file_target(".csv", lambda upload: imports.scores_from_file(upload, framework))
    if name == "results":
        framework = _framework_fixture("published")
        return _file_target(".csv", lambda upload: imports.results_from_file(upload, framework))
    if name == "cells":
        import atheris

        def target(data: bytes) -> None:
            provider = atheris.FuzzedDataProvider(data)
            kind = provider.ConsumeIntInRange(0, 3)
            if kind == 0:
                value = provider.ConsumeFloat()
            elif kind == 1:
                value = provider.ConsumeInt(8)
            else:
                value = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
            _checked_cell(value)

        return target
    raise SystemExit(f"no target {name!r}; targets: {', '.join(TARGETS)}")


# --- seeds ---------------------------------------------------------------


def _xlsx(rows) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ods(rows) -> bytes:
    """The smallest ods calamine reads: a mimetype, a manifest and content.xml."""
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>'
            "</table:table-cell>"
            if isinstance(value, int | float)
            else f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
            for value in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{cells}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


SCORE_ROWS = [
    ["BẢNG ĐIỂM NĂM 2022"],
    ["Mã đơn vị", "Tên đơn vị", "1.1", "1.2", "2.1", "Tổng điểm"],
    [1, 2, 3, 4, 5, 6],
    ["689", "TP. Đồng Xoài", 4, "5,5", "KAD", "9,5"],
    [695, "Huyện Đồng Phú", "1.234,5", "=CMD()", "1e308", None],
]
LONG_ROWS = [
    ["Mã đơn vị", "Tên đơn vị", "Mã tiêu chí", "Điểm", "Điểm tự chấm", "Ghi chú"],
    ["689", "", "1.1", "4", "4,5", "ghi chú"],
    ["", "Lộc Ninh", "2.1", "KAD", "", "@SUM(A1)"],
    ["695", "Đồng Phú", "1.2", "-0", "9" * 30, ""],
]
RESULT_ROWS = [
    ["STT", "Đơn vị", "Cải cách thủ tục hành chính", "Chỉ số CCHC", "Xếp hạng"],
    ["1", "Huyện Đồng Phú", "13,96", "93,91", 1],
    ["2", "Thành phố Đồng Xoài", 13.5, 90.12, "2"],
    ["3", "692", "NaN", "inf", "-1"],
]


def _csv(rows, delimiter=";") -> bytes:
    text = "\n".join(delimiter.join("" if cell is None else str(cell) for cell in row) for row in rows)
    return ("\ufeff" + text + "\n").encode()


def write_seeds(name: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    seeds: dict[str, bytes] = {}
    data = ROOT / "tests/data"
    if name in ("csv", "table", "scores", "results"):
        seeds |= {path.name: path.read_bytes() for path in data.glob("*.csv")}
        seeds |= {"wide.csv": _csv(SCORE_ROWS), "long.csv": _csv(LONG_ROWS, ","), "results.csv": _csv(RESULT_ROWS)}
        seeds["tabs.csv"] = _csv(LONG_ROWS, "\t")
    if name == "xlsx":
        seeds |= {path.name: path.read_bytes() for path in data.glob("*.xlsx")}
        seeds |= {"wide.xlsx": _xlsx(SCORE_ROWS), "results.xlsx": _xlsx(RESULT_ROWS)}
    if name == "ods":
        seeds |= {path.name: path.read_bytes() for path in data.glob("*.ods")}
        seeds |= {"wide.ods": _ods(SCORE_ROWS), "long.ods": _ods(LONG_ROWS)}
    if name == "cells":
        texts = ["13,96", "1.234,5", "1 234,5", "-0", "KAD", "Không áp dụng", "1/7/2025", "2025-07-01", "=CMD()"]
        texts += ["9" * 500, "1e308", "NaN", "1,2,3", "\u22124,5", "+1", "@1", "0.005"]
        seeds |= {f"text-{index}": bytes([2]) + text.encode() for index, text in enumerate(texts)}
        seeds |= {f"float-{index}": bytes([0]) + os.urandom(8) for index in range(4)}
    for file_name, content in seeds.items():
        (folder / file_name).write_bytes(content)


# --- driver --------------------------------------------------------------


def run_one(name: str, seconds: int, artifacts: Path, libfuzzer: list[str]) -> None:
    """In this process: set up, seed, fuzz ``name`` for ``seconds``."""
    import atheris

    _django(name in WITH_DATABASE)
    _instrument()
    target = make_target(name)
    corpus = Path(tempfile.mkdtemp(prefix=f"cchc-fuzz-{name}-"))
    write_seeds(name, corpus)
    artifacts.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.argv[0],
        f"-max_total_time={seconds}",
        f"-artifact_prefix={artifacts}/{name}-",
        "-print_final_stats=1",
        "-max_len=262144" if name != "cells" else "-max_len=4096",
        "-rss_limit_mb=3072",
        "-timeout=30",
        *libfuzzer,
        str(corpus),
    ]
    print(f"fuzzing {name} for {seconds} s; corpus {corpus}; crashes go to {artifacts}", flush=True)
    atheris.Setup(argv, target)
    atheris.Fuzz()


_STATS = {
    "runs": re.compile(r"stat::number_of_executed_units:\s*(\d+)"),
    "exec/s": re.compile(r"stat::average_exec_per_sec:\s*(\d+)"),
    "cov": re.compile(r"\bcov: (\d+)"),
    "ft": re.compile(r"\bft: (\d+)"),
}


def run_all(names: list[str], seconds: int, artifacts: Path, libfuzzer: list[str]) -> int:
    """Each target in a child process; a summary table from their logs."""
    share = max(seconds // len(names), 1)
    summary, failed = [], 0
    for name in names:
        command = [sys.executable, __file__, "--child", "--target", name, "--seconds", str(share)]
        command += ["--artifacts", str(artifacts), "--", *libfuzzer]
        started = time.monotonic()
        process = subprocess.run(command, stderr=subprocess.PIPE, text=True, errors="replace", check=False)  # noqa: S603
        elapsed = time.monotonic() - started
        log = process.stderr
        sys.stderr.write(log[-4000:])
        values = {key: (pattern.findall(log) or ["?"])[-1] for key, pattern in _STATS.items()}
        crashed = process.returncode != 0
        failed += crashed
        summary.append((name, values, elapsed, "crash" if crashed else "none"))
    print(f"\n{'target':<8} {'runs':>10} {'exec/s':>8} {'cov':>6} {'ft':>6} {'seconds':>8}  crashes")
    for name, values, elapsed, crashes in summary:
        print(
            f"{name:<8} {values['runs']:>10} {values['exec/s']:>8} {values['cov']:>6} {values['ft']:>6}"
            f" {elapsed:>8.0f}  {crashes}"
        )
    print(f"crash inputs, if any: {artifacts}")
    return 1 if failed else 0


def main() -> int:
    arguments, libfuzzer = sys.argv[1:], []
    if "--" in arguments:
        position = arguments.index("--")
        arguments, libfuzzer = arguments[:position], arguments[position + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=600, help="in all, shared between the targets (600)")
    parser.add_argument("--target", action="append", choices=TARGETS, help="a target (repeatable; all by default)")
    parser.add_argument("--artifacts", type=Path, help="where crash inputs go (a temporary directory)")
    parser.add_argument("--list", action="store_true", help="list the targets")
    parser.add_argument("--reproduce", type=Path, metavar="FILE", help="run --target once on a saved input")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(arguments)
    if options.list:
        print("\n".join(TARGETS))
        return 0
    if options.reproduce:
        name = (options.target or [""])[0]
        _django(name in WITH_DATABASE)
        make_target(name)(options.reproduce.read_bytes())
        print("no crash")
        return 0
    artifacts = options.artifacts or Path(tempfile.mkdtemp(prefix="cchc-fuzz-crashes-"))
    if options.child:
        run_one(options.target[0], options.seconds, artifacts, libfuzzer)
        return 0
    return run_all(options.target or list(TARGETS), options.seconds, artifacts, libfuzzer)


if __name__ == "__main__":
    sys.exit(main())
