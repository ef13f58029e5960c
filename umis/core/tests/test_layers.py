"""Dependencies point one way (docs/architecture.md): the pages and the API sit on top of
the domains and the platform, which never import them, not even in their tests."""

from __future__ import annotations

import ast
from pathlib import Path

UMIS = Path(__file__).resolve().parents[2]
# the apps on top: page shells, the API, the read-only reports, the demo
ON_TOP = ("api", "portal", "backoffice", "reports", "demo")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _below_the_top(*, tests: bool) -> list[Path]:
    apps = [p for p in UMIS.iterdir() if p.is_dir() and (p / "apps.py").exists()]
    return sorted(
        path
        for app in apps
        if app.name not in ON_TOP
        for path in app.rglob("*.py")
        if ("tests" in path.relative_to(app).parts) == tests
    )


def _on_top(files: list[Path]) -> list[str]:
    return sorted(
        f"{path.relative_to(UMIS.parent)}: {name}"
        for path in files
        for name in _imported(path)
        if name.split(".")[:2] in (["umis", top] for top in ON_TOP)
    )


def test_it_keeps_domains_and_platform_off_the_apps_on_top() -> None:
    files = _below_the_top(tests=False)
    assert UMIS / "visas" / "views.py" in files  # the tree was read
    assert _on_top(files) == []


def test_it_keeps_the_tests_of_domains_and_platform_off_the_apps_on_top() -> None:
    """Their helpers (a registration, an annulment, a sign-in in the browser) live below
    the top too, so a domain's tests run without the back office or the portal."""
    files = _below_the_top(tests=True)
    assert UMIS / "stays" / "tests" / "test_own_filing.py" in files  # the tests were read
    assert _on_top(files) == []
