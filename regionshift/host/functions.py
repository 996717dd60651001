"""Finding the app's orchestrators and activities by name, as the Functions host indexes them.

`get_functions()` can run only once per app object (a second call fails on duplicate names),
so the index is built once per app and cached. Orchestrators are kept as the SDK's replay
handle (`Orchestrator.create(...)`: context JSON in, state JSON out); activities as the user's
function and the name of the parameter that receives the activity input.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ORCHESTRATION_TRIGGER = "orchestrationTrigger"
ACTIVITY_TRIGGER = "activityTrigger"


@dataclass(frozen=True)
class Activity:
    name: str
    func: Callable[..., Any]
    input_param: str

    def invoke(self, value: Any) -> Any:
        """Call the user's function with the decoded input, running a coroutine to completion."""
        result = self.func(**{self.input_param: value})
        if inspect.isawaitable(result):
            return asyncio.run(_await(result))
        return result


async def _await(awaitable: Any) -> Any:
    return await awaitable


@dataclass
class FunctionIndex:
    orchestrators: dict[str, Callable[[str], str]] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)


_cache: weakref.WeakKeyDictionary[Any, FunctionIndex] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def index_functions(app: Any) -> FunctionIndex:
    """The orchestrators and activities of a `df.DFApp` (or any azure.functions FunctionRegister)."""
    with _cache_lock:
        found = _cache.get(app)
        if found is None:
            found = _build(app)
            _cache[app] = found
        return found


def _build(app: Any) -> FunctionIndex:
    index = FunctionIndex()
    for function in app.get_functions():
        trigger = function.get_trigger()
        kind = getattr(trigger, "type", None)
        name = function.get_function_name()
        user = function.get_user_function()
        if kind == ORCHESTRATION_TRIGGER:
            index.orchestrators[name] = user
            alias = getattr(trigger, "orchestration", None)
            if alias:
                index.orchestrators[alias] = user
        elif kind == ACTIVITY_TRIGGER:
            activity = Activity(name, user, trigger.name)
            index.activities[name] = activity
            alias = getattr(trigger, "activity", None)
            if alias:
                index.activities[alias] = Activity(alias, user, trigger.name)
    return index
