"""The env file `regionshift emulator --env-file` writes reads back, quoting and all, with
`regionshift_emulator.testing.read_env_file` (what the chaos suite's processes use)."""

from __future__ import annotations

from pathlib import Path

from regionshift.plan import Plan
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import read_env_file


def test_the_env_file_reads_back_as_the_emulator_wrote_it(example_plan: Plan, tmp_path: Path) -> None:
    workdir = tmp_path / "the team's emulator"  # the CA bundle's path needs quoting in the file
    workdir.mkdir()
    with Emulator(example_plan, {"latencies": {"default": 0}}, workdir=workdir) as emu:
        path = emu.write_env_file(workdir / "emulator.env")
        assert "'\"'\"'" in path.read_text()  # shlex.quote's way with a quote inside
        assert read_env_file(path) == emu.env
        assert read_env_file(path)["REGIONSHIFT_CA_BUNDLE"] == str(workdir / "emulator-ca.pem")
