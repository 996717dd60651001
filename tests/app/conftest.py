"""Fixtures for the app as Azure runs it: the deployment package laid out as azd lays it out, and
the result of indexing it with the Functions worker for Python 3.13 in a clean virtual environment.

The worker tests skip, with the reason, only when python3.13 is not installed or pip cannot reach
the package index; any other failure to build the environment fails them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from app_package import REPO, NoPython, index_app, lay_out_package, source_folder, worker_venv

from regionshift_emulator.tool_venv import ToolUnavailable


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The laid-out package folder (what azd would zip), from a developer's copy of the project."""
    source = source_folder(tmp_path_factory.mktemp("source"))
    dest = tmp_path_factory.mktemp("package")
    lay_out_package(source, dest)
    return dest


@pytest.fixture(scope="session")
def worker_python() -> Path:
    try:
        return worker_venv(REPO / "requirements.txt")
    except NoPython as exc:
        pytest.skip(f"the worker for Azure's Python cannot run here: {exc}")
    except ToolUnavailable as exc:
        pytest.skip(f"requirements.txt cannot be installed for the worker (no network): {exc}")


@pytest.fixture(scope="session")
def indexed(worker_python: Path, package: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return index_app(worker_python, package, tmp_path_factory.mktemp("index") / "result.json")
