"""Every binding parameter and return annotation the worker will see is a plain class, checked on
the Python the tests run on (fast; the worker itself runs in tests/app/test_worker_index.py).

The Functions worker resolves them with `typing.get_type_hints` on `function.get_user_function()`
and rejects one that is not a class (azure-functions-runtime, azure_functions_runtime/functions.py,
`Registry.add_indexed_function` -> `validate_function_params`: "binding <name> has invalid non-type
annotation"; `get_function_return_type`: "has invalid non-type return annotation"): `dict[str, Any]`
and `list[dict]` (PEP 585 generics) fail it. This check is harsher than the worker: it allows
plain classes only, so it also refuses typing generics (`func.Out[str]`, which the worker lets
through for parameters) and `typing.Any` (a class since Python 3.11, which is why azure-functions-runtime 1.3.0 on 3.13
accepts it: tried by hand with this harness). For an orchestrator the worker sees the Durable SDK's
handle (`context: OrchestrationContext -> str`), not the generator, so that is what is checked.
"""

from __future__ import annotations

import typing
from typing import Any

import pytest
from app_package import fresh_app_functions


def annotation_problems(function: Any) -> list[str]:
    """What the worker would reject in this function's binding annotations, one line each."""
    user_function = function.get_user_function()
    hints = typing.get_type_hints(user_function)
    bound = {binding.name for binding in function.get_bindings()}
    problems = []
    for name, hint in hints.items():
        if name != "return" and name not in bound:
            continue
        if not isinstance(hint, type) or typing.get_origin(hint) is not None or hint.__module__ == "typing":
            where = "the return annotation" if name == "return" else f"parameter {name!r}"
            problems.append(f"{function.get_function_name()}: {where} is {hint!r}; use a plain class (dict, list)")
    return problems


FUNCTIONS = fresh_app_functions()


@pytest.mark.parametrize("function", FUNCTIONS, ids=[f.get_function_name() for f in FUNCTIONS])
def test_binding_annotations_are_plain_classes(function: Any) -> None:
    assert annotation_problems(function) == []


def test_the_check_rejects_generic_annotations() -> None:
    import azure.durable_functions as df

    app = df.DFApp()

    @app.activity_trigger(input_name="payload")
    def generic(payload: dict[str, Any]) -> list[dict[str, Any]]:
        return [payload]

    @app.activity_trigger(input_name="payload")
    def anything(payload: Any) -> dict:
        return {}

    problems = [p for f in app.get_functions() for p in annotation_problems(f)]
    assert problems == [
        "generic: parameter 'payload' is dict[str, typing.Any]; use a plain class (dict, list)",
        "generic: the return annotation is list[dict[str, typing.Any]]; use a plain class (dict, list)",
        "anything: parameter 'payload' is typing.Any; use a plain class (dict, list)",
    ]
