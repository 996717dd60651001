"""The real Functions worker for Python 3.13 indexes the deployment package: every function loads.

One function the worker rejects fails the whole app in Azure (the host reports the indexing
error and starts none of them), so the test asks for all of them, by name. The checks are the
worker's own (azure-functions-runtime, azure_functions_runtime/functions.py:
`Registry.validate_function_params` raises "binding <name> has invalid non-type annotation" for
an annotation that is neither a class nor a typing generic, `get_function_return_type` raises
"has invalid non-type return annotation" for a return annotation that is not a class).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from app_package import AZURE_PYTHON, REPO, fresh_app_functions, index_app, requirement_lines


def test_the_worker_imports_the_package(indexed: dict[str, Any]) -> None:
    assert indexed["import_error"] is None, indexed.get("import_traceback")


def test_every_function_of_the_app_indexes(indexed: dict[str, Any]) -> None:
    expected = sorted(f.get_function_name() for f in fresh_app_functions())
    assert indexed["rejected"] == {}
    assert sorted(indexed["indexed"]) == expected


def test_the_worker_is_the_pinned_runtime_on_azures_python(indexed: dict[str, Any]) -> None:
    assert indexed["python"].startswith(AZURE_PYTHON + ".")
    pins = dict(line.split(";")[0].strip().split("==") for line in requirement_lines(REPO / "requirements.txt"))
    assert indexed["versions"]["azure-functions-runtime"] == pins["azure-functions-runtime"]
    assert indexed["versions"]["azure-functions"] is not None
    assert indexed["versions"]["azure-functions"].split(".")[0] == "2"  # the 3.13 line of the library


def test_the_worker_rejects_a_generic_binding_annotation(worker_python: Path, tmp_path: Path) -> None:
    """The same harness fails an app whose activity is annotated `dict[str, Any]`, so a pass above
    means the worker accepted the app, not that nothing was checked."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "function_app.py").write_text(
        textwrap.dedent(
            """
            from typing import Any

            import azure.durable_functions as df

            app = df.DFApp()

            @app.activity_trigger(input_name="payload")
            def generic(payload: dict[str, Any]) -> dict[str, Any]:
                return payload

            @app.activity_trigger(input_name="payload")
            def plain(payload: dict) -> dict:
                return payload
            """
        ),
        encoding="utf-8",
    )
    result = index_app(worker_python, app, tmp_path / "result.json")
    assert result["indexed"] == ["plain"]
    assert "invalid non-type annotation dict[str, typing.Any]" in result["rejected"]["generic"]
