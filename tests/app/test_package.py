"""The deployment package, laid out from `.funcignore` as azd lays it out, holds the app and only
the app: everything function_app imports (imported from the package in a clean Python 3.13 venv),
host.json and requirements.txt; no tests, emulator, local settings or state, report output, or the
example plan (the drill timer would drill subscription 00000000-... with it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app_package import REPO, lay_out_package

APP_ROOT = {
    "function_app.py",
    "host.json",
    "requirements.txt",
    "regionshift",
    "orchestrators",
    "activities",
    "triggers",
}


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_the_package_root_holds_the_app_and_nothing_else(package: Path) -> None:
    assert {p.name for p in package.iterdir()} == APP_ROOT


def test_the_package_keeps_the_report_modules(package: Path) -> None:
    # `reports` unanchored in .funcignore dropped regionshift/reports/ under azd's gitignore rules.
    assert {"regionshift/reports/__init__.py", "regionshift/reports/writer.py"} <= files_in(package)


def test_the_package_leaves_out_tests_tools_local_state_and_the_example_plan(package: Path) -> None:
    files = files_in(package)
    left_out = ("tests/", "regionshift_emulator/", "infra/", "docs/", "reports/", ".regionshift/", ".venv/")
    assert not [f for f in files if f.startswith(left_out)]
    assert not [f for f in files if f.rsplit("/", 1)[-1].startswith("local.settings")]
    assert "plans/example.yaml" not in files
    assert not [f for f in files if "__pycache__/" in f or f.endswith(".pyc") or ".egg-info/" in f]
    assert not [f for f in files if f.startswith((".azure/", ".cache/", ".pytest_cache/", ".mypy_cache/"))]


def test_every_module_function_app_imports_comes_from_the_package(indexed: dict[str, Any], package: Path) -> None:
    # The worker imported function_app from the package in a venv holding requirements.txt alone:
    # a module missing from the package would have failed that import.
    assert indexed["import_error"] is None, indexed.get("import_traceback")
    assert indexed["stray_modules"] == []
    for module in ("function_app", "regionshift.reports.writer", "activities.report", "triggers.runs"):
        assert module in indexed["app_modules"]
    files = files_in(package)
    for module in indexed["app_modules"]:
        path = module.replace(".", "/")
        assert f"{path}.py" in files or f"{path}/__init__.py" in files, module


def test_a_teams_own_plan_is_deployed(tmp_path: Path) -> None:
    """Plans other than the example, in plans/ (REGIONSHIFT_PLANS=plans, infra's default), ship."""
    source = tmp_path / "source"
    (source / "plans").mkdir(parents=True)
    (source / ".funcignore").write_text((REPO / ".funcignore").read_text(), encoding="utf-8")
    (source / "plans" / "example.yaml").write_text("name: example\n", encoding="utf-8")
    (source / "plans" / "contoso-web.yaml").write_text("name: contoso-web\n", encoding="utf-8")
    assert lay_out_package(source, tmp_path / "package") == ["plans/contoso-web.yaml"]
