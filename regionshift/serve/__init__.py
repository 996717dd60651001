"""`regionshift serve`: the app's HTTP routes and timers on one machine (see `server`)."""

from regionshift.serve.server import FunctionsHost, serve_http

__all__ = ["FunctionsHost", "serve_http"]
