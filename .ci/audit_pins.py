"""Known vulnerabilities of the pinned dependencies, from PyPI's JSON API: what pip-audit
asks (`/pypi/<name>/<version>/json`, its "vulnerabilities", from the OSV database), and
where that address is not answered (some networks pass only `/pypi/<name>/json`), the
vulnerabilities PyPI lists for the latest release, which are the pin's when the pin is the
latest release. Prints each pin and what is known of it; exits 1 if a pin has a known
vulnerability, 0 otherwise, listing the pins nothing could be learnt about.

    python .ci/audit_pins.py requirements.txt requirements-dev.txt
"""

import json
import re
import sys
import urllib.error
import urllib.request

PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)")


def pypi(path: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{path}/json", timeout=20) as answer:  # nosec B310 (https only)
            return json.load(answer)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None


def audit(name: str, version: str) -> tuple[str, list[str] | None]:
    """(how it was audited, the vulnerability ids), or (why not, None)."""
    release = pypi(f"{name}/{version}")
    if release is not None:
        return "release JSON", [v["id"] for v in release.get("vulnerabilities") or []]
    project = pypi(name)
    if project is None:
        return "PyPI did not answer", None
    latest = project["info"]["version"]
    if latest != version:
        return f"only the latest release ({latest}) is listed", None
    return "latest release JSON", [v["id"] for v in project.get("vulnerabilities") or []]


def main(files: list[str]) -> int:
    pins = {}
    for file in files:
        with open(file, encoding="utf-8") as lines:
            pins.update(match.groups() for match in map(PIN.match, lines) if match)
    vulnerable, unknown = 0, []
    for name, version in sorted(pins.items(), key=lambda pin: pin[0].lower()):
        how, found = audit(name, version)
        if found is None:
            unknown.append(f"{name}=={version}")
            print(f"  ?  {name}=={version}: not audited, {how}")
        elif found:
            vulnerable += 1
            print(f"  !  {name}=={version}: {', '.join(found)} ({how})")
        else:
            print(f"  ok {name}=={version} ({how})")
    audited = len(pins) - len(unknown)
    print(f"{len(pins)} pins: {audited} audited, {vulnerable} with known vulnerabilities, {len(unknown)} not audited")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["requirements.txt", "requirements-dev.txt"]))
