"""Activities: thin functions that take a plain dict, call one domain function from
`regionshift.azure` with a client from the one factory, and return a plain dict.

One module per Azure service; each exposes a `bp` blueprint that function_app.py registers.
"""

from activities import (
    checks,
    compute,
    cosmos,
    dns,
    lease,
    operations,
    readiness,
    readiness_watch,
    report,
    resources,
    sql,
    state,
)

blueprints = [
    sql.bp,
    cosmos.bp,
    resources.bp,
    compute.bp,
    dns.bp,
    operations.bp,
    state.bp,
    checks.bp,
    readiness.bp,
    report.bp,
    lease.bp,
    readiness_watch.bp,
]
