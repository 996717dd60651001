"""Azure-service reads run against the emulator over HTTPS through the real SDK clients."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/support.py
