"""The chaos suite's bounded form. `reliability/` sits at the repository root and is not installed
(it is never deployed, nor part of the package), so its folder is put on the import path here."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
