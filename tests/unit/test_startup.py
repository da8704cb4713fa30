"""The deferred import of the SLURM plugin's efficiency report (coopdocs.workflow.startup)."""

import subprocess
import sys

import pytest

from coopdocs.workflow import startup


def _run(code: str, **env: str) -> str:
    """``code`` in a fresh interpreter of this environment (its .pth files run first)."""
    import os

    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    return result.stdout.strip()


PROBE = (
    "import sys, snakemake_executor_plugin_slurm as p; "
    "print('pandas' in sys.modules, callable(p.create_efficiency_report))"
)


def test_the_environment_installs_the_finder():
    assert _run("import sys; print(type(sys.meta_path[0]).__name__)") == "_Finder"


def test_the_plugin_imports_without_pandas():
    pytest.importorskip("snakemake_executor_plugin_slurm")
    assert _run(PROBE) == "False True"
    assert _run(PROBE, **{startup.ENV: "1"}) == "True True"


def test_any_other_name_loads_the_real_module():
    pytest.importorskip("snakemake_executor_plugin_slurm")
    code = (
        "import sys; from snakemake_executor_plugin_slurm import efficiency_report as e; "
        "print(e.parse_maxrss('2G'), 'pandas' in sys.modules)"
    )
    assert _run(code) == "2048.0 True"


def test_the_wrapper_calls_the_real_function():
    pytest.importorskip("snakemake_executor_plugin_slurm")
    code = (
        "from snakemake_executor_plugin_slurm import efficiency_report as e\n"
        "try:\n"
        "    e.create_efficiency_report()\n"
        "except TypeError as exc:\n"
        "    print('create_efficiency_report' in str(exc))\n"
    )
    assert _run(code) == "True"
