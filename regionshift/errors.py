"""The library's one exception hierarchy; the CLI maps it to exit codes in one place."""


class RegionshiftError(Exception):
    """Base of every error regionshift raises on purpose."""


class PlanError(RegionshiftError):
    """A plan file that cannot be used: each entry of `problems` is one `key.path: what is wrong`."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


class InputError(RegionshiftError):
    """Bad input other than a plan (scenario files, payloads, arguments)."""


class RunRefused(RegionshiftError):
    """A run that must not start (another run of the plan is unfinished, readiness failed, ...)."""
