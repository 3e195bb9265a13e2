"""The suite tests the program `tests/run.sh` just installed, never an earlier copy on the machine."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.contract.harness import console_script

CLEAN_PATH = os.environ.get("LEDGERDESK_CLEAN_PATH")


def test_console_script_is_the_one_beside_the_test_interpreter() -> None:
    script = console_script()
    assert script.parent == Path(sys.executable).parent
    assert script.read_text(encoding="utf-8", errors="replace").startswith("#!")


@pytest.mark.skipif(CLEAN_PATH is None, reason="only under tests/run.sh, which sets the clean PATH")
def test_tests_run_on_the_clean_path_of_tests_run_sh() -> None:
    assert os.environ["PATH"] == CLEAN_PATH
    venv_bin = Path(sys.executable).parent
    assert CLEAN_PATH.split(os.pathsep)[0] == str(venv_bin)
    found = shutil.which("ledgerdesk")
    assert found is not None and Path(found).parent == venv_bin, found
