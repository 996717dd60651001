"""Exit codes, in one place: 0 the run succeeded, 1 it failed (or was refused), 2 bad input."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    BAD_INPUT = 2
