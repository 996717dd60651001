"""Where output goes: results on stdout, progress and problems on stderr (so `--json` pipes cleanly)."""

from rich.console import Console

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
