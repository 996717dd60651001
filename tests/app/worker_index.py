"""Index a function app the way the Functions Python worker does for Python 3.13, then write what
happened as JSON. Run by tests/app in the clean Python 3.13 venv, never imported by the tests:

    <venv>/bin/python -I worker_index.py <app folder> <result.json>

The steps are the runtime's own (azure-functions-runtime, `handle_event.worker_init_request` ->
`load_function_metadata` -> `index_functions` -> `loader.process_indexed_function`):
`bindings.meta.load_binding_registry()`, `loader.index_function_app(<app>/function_app.py)`, then
`functions.Registry().add_indexed_function(function, protos)` for each function, which runs
`validate_function_params` and `get_function_return_type` (azure_functions_runtime/functions.py):
those raise `FunctionLoadError` on a binding annotation that is not a class. The host's gRPC
protos are injected by the proxy worker at init; `add_indexed_function` reads only
`protos.BindingInfo`'s Direction and DataType values, given here as FunctionRpc.proto defines them
(`message BindingInfo { enum Direction { in = 0; out = 1; inout = 2; } enum DataType { undefined
= 0; ... } }`, azure-functions-language-worker-protobuf, as vendored in
Azure/azure-functions-python-worker azure_functions_worker/protos/_src/src/proto/FunctionRpc.proto).
"""

import importlib.metadata
import json
import os
import sys
import traceback
import types

app_dir, result_path = os.path.abspath(sys.argv[1]), sys.argv[2]
# The worker starts in the app's folder (/home/site/wwwroot) with that folder on sys.path.
os.chdir(app_dir)
sys.path.insert(0, app_dir)

BINDING_INFO = types.SimpleNamespace(**{"in": 0, "out": 1, "inout": 2, "undefined": 0})
PROTOS = types.SimpleNamespace(BindingInfo=BINDING_INFO)

result = {
    "python": ".".join(str(part) for part in sys.version_info[:3]),
    "versions": {},
    "import_error": None,
    "indexed": [],
    "rejected": {},
    "app_modules": [],
    "stray_modules": [],
}
for dist in ("azure-functions-runtime", "azure-functions", "azure-functions-durable"):
    try:
        result["versions"][dist] = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        result["versions"][dist] = None

try:
    from azure_functions_runtime import functions, loader
    from azure_functions_runtime.bindings import meta

    meta.load_binding_registry()
    indexed = loader.index_function_app(os.path.join(app_dir, "function_app.py"))
except Exception as exc:  # what the host would log as the worker's indexing failure
    result["import_error"] = f"{type(exc).__name__}: {exc}"
    result["import_traceback"] = traceback.format_exc(limit=-4)
    indexed = []

registry = functions.Registry() if not result["import_error"] else None
for function in indexed:
    name = function.get_function_name()
    try:
        registry.add_indexed_function(function=function, protos=PROTOS)
        result["indexed"].append(name)
    except Exception as exc:
        result["rejected"][name] = f"{type(exc).__name__}: {exc}"

# Every module the app imported must come from the package or the venv (nothing from elsewhere).
allowed = (app_dir + os.sep, sys.prefix + os.sep, sys.base_prefix + os.sep)
for module_name, module in sorted(sys.modules.items()):
    path = getattr(module, "__file__", None)
    if not path or module_name == "__main__":  # this script
        continue
    path = os.path.abspath(path)
    if path.startswith(app_dir + os.sep):
        result["app_modules"].append(module_name)
    elif not path.startswith(allowed):
        result["stray_modules"].append(f"{module_name}: {path}")

with open(result_path, "w", encoding="utf-8") as handle:
    json.dump(result, handle, indent=2)
