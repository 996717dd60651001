"""The deployment package as `azd deploy` builds it, and the Python that Azure runs it on.

azd zips the service folder and applies `.funcignore` with gitignore rules (Azure/azure-dev,
cli/azd/pkg/project/project_utils.go, `createDeployableZip`: the file is parsed with
github.com/denormal/go-gitignore; besides its patterns azd always leaves out `.azure` folders, the
ignore file itself and, for a function app, `local.settings.json`; with an ignore file present it
adds no default Python exclusions). `pathspec`'s `GitIgnoreSpec` (the gitignore flavour of its
`gitwildmatch` patterns, which pathspec 1.x renamed) matches the same way: a pattern without a
slash matches at any depth.

The source is the project as a developer's folder holds it: every file git tracks or would track
(`git ls-files --cached --others --exclude-standard`), plus the local state that `make test` and
`make demo` leave behind (virtual environment, caches, the embedded host's history, reports, local
settings), so the package test sees what azd would be handed, not a tidy checkout.

The app runs in Azure on Python 3.13 (docs/deployment.md), whose worker is the
`azure-functions-runtime` package pinned in requirements.txt; `worker_venv` installs requirements.txt
alone into a clean Python 3.13 virtual environment under `.cache/` (regionshift_emulator.tool_venv).
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pathspec

from regionshift_emulator.tool_venv import ensure_tool

REPO = Path(__file__).resolve().parents[2]
FUNCTION_APP_BICEP = REPO / "infra" / "modules" / "functionApp.bicep"
INSTALL_TIMEOUT = 900


def azure_python(bicep: Path = FUNCTION_APP_BICEP) -> str:
    """The Python version the Function App runs on in Azure, as infra/ deploys it."""
    found = re.search(r"runtime:\s*\{\s*name:\s*'python'\s*version:\s*'(\d+\.\d+)'", bicep.read_text(encoding="utf-8"))
    if found is None:
        raise ValueError(f"{bicep} names no Python runtime version")
    return found.group(1)


AZURE_PYTHON = azure_python()  # docs/deployment.md says why it is 3.13
INDEX_SCRIPT = Path(__file__).with_name("worker_index.py")
WORKER_VENV = Path(os.environ.get("REGIONSHIFT_WORKER_VENV", REPO / ".cache" / f"worker-py{AZURE_PYTHON}-venv"))

# What a developer's folder holds besides the sources (all of it is in .gitignore).
LOCAL_STATE = {
    ".venv/pyvenv.cfg": "home = /usr/bin\n",
    ".venv/lib/python3.11/site-packages/six.py": "",
    ".cache/checkov-venv/pyvenv.cfg": "",
    ".regionshift/durable.sqlite": "",
    "reports/failover-contoso-web-20260101T000000Z.json": "{}",
    "reports/failover-contoso-web-20260101T000000Z.html": "<html></html>",
    "local.settings.json": '{"Values": {"REGIONSHIFT_APPROVAL_KEY": "local-secret"}}',
    "regionshift.egg-info/PKG-INFO": "",
    "regionshift/__pycache__/settings.cpython-311.pyc": "",
    ".pytest_cache/README.md": "",
    ".mypy_cache/3.11/cache.db": "",
    ".azure/dr-prod/.env": 'AZURE_LOCATION="centralus"\n',
}


class NoPython(Exception):
    """The Python version Azure runs the app on is not installed here."""


def source_folder(dest: Path, repo: Path = REPO) -> Path:
    """A copy of the project folder as a developer has it (see the module docstring)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = repo / name
        if source.is_file():  # a tracked file deleted in the working tree is not there to zip
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    for name, text in LOCAL_STATE.items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text(text, encoding="utf-8")
    return dest


def lay_out_package(source: Path, dest: Path, ignore_file: str = ".funcignore") -> list[str]:
    """Copy what azd would zip from `source` into `dest`; returns the packaged files' paths."""
    ignore = source / ignore_file
    spec = (
        pathspec.GitIgnoreSpec.from_lines(ignore.read_text(encoding="utf-8").splitlines()) if ignore.exists() else None
    )

    def ignored(relative: str, is_dir: bool) -> bool:
        name = relative.rsplit("/", 1)[-1]
        if (is_dir and name == ".azure") or (not is_dir and name in (ignore_file, "local.settings.json")):
            return True
        return spec is not None and spec.match_file(relative + "/" if is_dir else relative)

    packaged = []
    for folder, dirs, files in os.walk(source, followlinks=True):  # azd follows symbolic links too
        base = Path(folder).relative_to(source).as_posix()
        prefix = "" if base == "." else base + "/"
        dirs[:] = sorted(d for d in dirs if not ignored(prefix + d, True))
        for name in sorted(files):
            if not ignored(prefix + name, False):
                (dest / prefix).mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(folder) / name, dest / prefix / name)
                packaged.append(prefix + name)
    return packaged


def find_python(version: str = AZURE_PYTHON) -> str:
    """The path of an installed `python<version>`: on PATH, or one of pyenv's versions."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"), reverse=True)
    for candidate in filter(None, candidates):
        # A pyenv shim is on PATH even when that version is not selected; ask the interpreter itself.
        done = subprocess.run(
            [candidate, "-c", "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        lines = done.stdout.split()
        if done.returncode == 0 and len(lines) == 2 and lines[1] == version:
            return lines[0]
    raise NoPython(f"python{version} is not installed (not on PATH, not among pyenv's versions in {pyenv_root})")


def requirement_lines(requirements: Path) -> list[str]:
    """requirements.txt as pip arguments, one requirement (with its environment marker) each."""
    lines = (re.sub(r"\s+#.*$", "", line).strip() for line in requirements.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def worker_venv(requirements: Path, venv: Path = WORKER_VENV) -> Path:
    """The `python` of a clean Python 3.13 venv holding requirements.txt alone (built on first use,
    rebuilt when a pin changes). Raises NoPython, or ToolUnavailable when the index is unreachable."""
    return ensure_tool(venv, requirement_lines(requirements), "python", timeout=INSTALL_TIMEOUT, python=find_python())


def run_in_worker(
    worker_python: Path, script: Path, app_dir: Path, result_path: Path, *args: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run `script <app_dir> <args...> <result_path>` in the worker's venv, isolated (`-I`: no
    PYTHONPATH, no user site) and from the app's folder as the worker runs; its JSON result."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(result_path.parent),
        "PYTHONDONTWRITEBYTECODE": "1",  # a read-only package gets no __pycache__ in Azure either
        # Set by the Functions host in Azure (the app reads its plans from the package).
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "REGIONSHIFT_PLANS": "plans",
        **(env or {}),
    }
    done = subprocess.run(
        [str(worker_python), "-I", str(script), str(app_dir), *args, str(result_path)],
        cwd=app_dir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 or not result_path.exists():
        raise AssertionError(f"{script.name} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(result_path.read_text(encoding="utf-8"))


def index_app(worker_python: Path, app_dir: Path, result_path: Path) -> dict[str, Any]:
    """tests/app/worker_index.py's result for `app_dir`: the worker's indexing of the app."""
    return run_in_worker(worker_python, INDEX_SCRIPT, app_dir, result_path)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under `folder`."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")}


def fresh_app_functions() -> list[Any]:
    """The app's functions from a fresh load of function_app.py (the shared `function_app.app` may
    already have been indexed by another test, and an app object indexes only once)."""
    spec = importlib.util.spec_from_file_location("function_app_for_tests", REPO / "function_app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.app.get_functions())
