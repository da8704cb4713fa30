"""The deferred import of the SLURM plugin's efficiency report (coopdocs.workflow.startup)."""

import subprocess
import sys
from pathlib import Path

import pytest

from coopdocs.workflow import startup
from support.interpreter import fresh_python

PROBE = (
    "import sys, snakemake_executor_plugin_slurm as p; "
    "print('pandas' in sys.modules, callable(p.create_efficiency_report))"
)


def test_the_environment_installs_the_finder():
    assert fresh_python("import sys; print(type(sys.meta_path[0]).__name__)") == "_Finder"


def test_the_plugin_imports_without_pandas():
    pytest.importorskip("snakemake_executor_plugin_slurm")
    assert fresh_python(PROBE) == "False True"
    assert fresh_python(PROBE, **{startup.ENV: "1"}) == "True True"


def test_any_other_name_loads_the_real_module():
    pytest.importorskip("snakemake_executor_plugin_slurm")
    code = (
        "import sys; from snakemake_executor_plugin_slurm import efficiency_report as e; "
        "print(e.parse_maxrss('2G'), 'pandas' in sys.modules)"
    )
    assert fresh_python(code) == "2048.0 True"


def test_the_wrapper_calls_the_real_function():
    pytest.importorskip("snakemake_executor_plugin_slurm")
    code = (
        "from snakemake_executor_plugin_slurm import efficiency_report as e\n"
        "try:\n"
        "    e.create_efficiency_report()\n"
        "except TypeError as exc:\n"
        "    print('create_efficiency_report' in str(exc))\n"
    )
    assert fresh_python(code) == "True"


FAKE_SCONTROL = """#!/bin/sh
echo called >> "$MARK"
echo "MinJobAge               = 300 sec"
"""


@pytest.fixture
def fake_scontrol(tmp_path):
    """A ``scontrol`` first on PATH that notes each call in a file and reports MinJobAge 300 s.

    With ``sinfo`` and ``squeue`` beside it: the plugin probes MinJobAge only where it finds SLURM's
    client (the test must not depend on whether this machine has SLURM installed)."""
    pytest.importorskip("snakemake_executor_plugin_slurm")
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (
        ("scontrol", FAKE_SCONTROL),
        ("sinfo", "#!/bin/sh\n"),
        ("squeue", "#!/bin/sh\n"),
    ):
        tool = bin_dir / name
        tool.write_text(text)
        tool.chmod(0o755)
    mark = tmp_path / "calls"
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "MARK": str(mark)}, mark


def test_importing_the_plugin_does_not_ask_the_controller(fake_scontrol):
    env, mark = fake_scontrol
    assert (
        fresh_python("import snakemake_executor_plugin_slurm; print('imported')", **env)
        == "imported"
    )
    assert not mark.exists()
    fresh_python("import snakemake_executor_plugin_slurm", **env, **{startup.ENV: "1"})
    assert mark.read_text().split() == ["called"]


def test_the_probe_asks_the_controller_once_imported(fake_scontrol):
    env, mark = fake_scontrol
    code = (
        "import snakemake_executor_plugin_slurm\n"
        "from snakemake_executor_plugin_slurm import job_status_query as q\n"
        "print(q.should_recommend_squeue_status_command(), q.get_min_job_age())\n"
    )
    assert fresh_python(code, **env) == "True 300"
    assert mark.read_text().split() == ["called", "called"]


LAZY_REPORT = (
    "import sys\n"
    "from snakemake.report import html_reporter\n"
    "heavy = [m for m in ('yte', 'docutils', 'numpy') if m in sys.modules]\n"
    "from snakemake.report import auto_report\n"
    "import snakemake.report as r\n"
    "print(heavy, callable(auto_report), r.auto_report is auto_report, 'docutils' in sys.modules)\n"
)


def _lazy_and_eager(code: str) -> tuple[str, str]:
    """What ``code`` prints with the lazy modules, then with every import eager."""
    return fresh_python(code), fresh_python(code, **{startup.ENV: "1"})


def test_the_html_reporter_imports_without_the_report_package_body():
    assert _lazy_and_eager(LAZY_REPORT) == (
        "[] True True True",
        "['yte', 'docutils', 'numpy'] True True True",
    )


def test_a_lazy_module_runs_its_code_once_on_first_use():
    code = (
        "import sys, requests\n"
        "before = 'urllib3' in sys.modules\n"
        "session = requests.Session\n"
        "import requests.adapters\n"
        "print(before, 'urllib3' in sys.modules, requests.__version__ == requests.__version__,\n"
        "      requests.adapters.HTTPAdapter is sys.modules['requests.adapters'].HTTPAdapter,\n"
        "      type(requests.__spec__.loader).__name__, '__getattr__' in vars(requests))\n"
    )
    assert fresh_python(code) == "False True True True SourceFileLoader False"


def test_from_import_of_a_name_runs_the_module():
    code = "import sys\nfrom requests import Session\nprint(Session.__module__, 'urllib3' in sys.modules)"
    assert fresh_python(code) == "requests.sessions True"


REPORT_SNAKEFILE = """
rule all:
    output: "out.txt"
    shell: "echo made > {output}"
"""


def test_a_report_run_gets_the_real_report_package(tmp_path):
    (tmp_path / "Snakefile").write_text(REPORT_SNAKEFILE)
    snakemake = str(Path(sys.executable).with_name("snakemake"))
    subprocess.run([snakemake, "--cores", "1", "--quiet"], cwd=tmp_path, check=True)
    subprocess.run(
        [snakemake, "--report", "report.html", "--cores", "1"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Snakemake" in html and "all" in html


def _package(root: Path, init: str) -> None:
    """A package ``pkg`` in ``root`` whose modules note in ``builtins.RUNS`` each time they run."""
    note = "import builtins\nbuiltins.RUNS = getattr(builtins, 'RUNS', []) + [__name__]\n"
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text(note + init)
    (root / "pkg" / "sub.py").write_text(note + "VALUE = 7\n")


LAZY_PKG = (
    "import sys, builtins\n"
    "from coopdocs.workflow import startup\n"
    "startup.LAZY['pkg'] = {alone}\n"
    "import pkg\n"
    "first = list(getattr(builtins, 'RUNS', []))\n"
    "import pkg.sub\n"
    "print(first, builtins.RUNS, pkg.sub is sys.modules['pkg.sub'], pkg.sub.VALUE)\n"
)


@pytest.mark.parametrize(
    "alone, expected",
    [
        # The package's code runs first, once, and its import of pkg.sub is the one kept.
        (False, "[] ['pkg', 'pkg.sub'] True 7"),
        # Submodules alone: pkg.sub runs without the package's code.
        (True, "[] ['pkg.sub'] True 7"),
    ],
)
def test_a_submodule_of_a_lazy_package_runs_once(tmp_path, alone, expected):
    _package(tmp_path, "from . import sub\n")
    assert fresh_python(LAZY_PKG.format(alone=alone), PYTHONPATH=str(tmp_path)) == expected


def test_a_lazy_package_that_fails_raises_on_first_use(tmp_path):
    _package(tmp_path, "raise ImportError('broken on purpose')\n")
    code = (
        "from coopdocs.workflow import startup\n"
        "startup.LAZY['pkg'] = False\n"
        "import pkg\n"
        "try:\n"
        "    pkg.anything\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    assert fresh_python(code, PYTHONPATH=str(tmp_path)) == "broken on purpose"


def test_yte_reads_a_profile_without_running_numpy():
    code = (
        "import sys, yte\n"
        "print(yte.process_yaml('cores: 2', require_use_yte=True), 'numpy._core' in sys.modules)\n"
    )
    assert _lazy_and_eager(code) == ("{'cores': 2} False", "{'cores': 2} True")


def test_snakemake_imports_without_running_psutil_or_sqlite3():
    code = (
        "import sys, snakemake.api\n"
        "print('psutil._pslinux' in sys.modules, 'sqlite3.dbapi2' in sys.modules)\n"
        "import psutil, sqlite3\n"
        "print(psutil.Process().pid > 0, sqlite3.connect(':memory:').execute('select 2').fetchone())\n"
    )
    assert _lazy_and_eager(code) == ("False False\nTrue (2,)", "True True\nTrue (2,)")


def test_threads_that_use_a_lazy_module_at_once_wait_for_its_code(tmp_path):
    # A slow package body: every thread that asks while it runs must wait for the name, not
    # find a half-made module (AttributeError), and the body runs once.
    _package(tmp_path, "import time\ntime.sleep(0.3)\nVALUE = 5\n")
    code = (
        "import builtins, threading\n"
        "from coopdocs.workflow import startup\n"
        "startup.LAZY['pkg'] = False\n"
        "import pkg\n"
        "got = []\n"
        "threads = [threading.Thread(target=lambda: got.append(pkg.VALUE)) for _ in range(6)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(got, builtins.RUNS, type(pkg).__name__)\n"
    )
    assert fresh_python(code, PYTHONPATH=str(tmp_path)) == "[5, 5, 5, 5, 5, 5] ['pkg'] module"


SCANS = (
    "import pkgutil; calls = []; real = pkgutil.iter_modules\n"
    "pkgutil.iter_modules = lambda *a, **k: (calls.append(a), real(*a, **k))[1]\n"
    "import snakemake.cli\n"
    "snakemake.cli.get_argument_parser()\n"
    "from snakemake_interface_executor_plugins.registry import ExecutorPluginRegistry\n"
    "from snakemake_interface_report_plugins.registry import ReportPluginRegistry\n"
    "print(len(calls), sorted(ExecutorPluginRegistry().plugins), sorted(ReportPluginRegistry().plugins))\n"
)


def test_the_plugin_registries_list_sys_path_once_and_find_the_same_plugins():
    scan_once, eager = fresh_python(SCANS), fresh_python(SCANS, **{startup.ENV: "1"})
    count, plugins = scan_once.split(" ", 1)
    assert count == "1" and int(eager.split(" ", 1)[0]) > 1
    assert plugins == eager.split(" ", 1)[1] and "'local'" in plugins and "'html'" in plugins


def test_scan_once_lists_again_for_another_sys_path(monkeypatch, tmp_path):
    import pkgutil

    scan = startup._ScanOnce(pkgutil)
    first = list(scan.iter_modules())
    assert list(scan.iter_modules()) == first == list(pkgutil.iter_modules())
    (tmp_path / "coopdocs_scan_probe.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "coopdocs_scan_probe" in {m.name for m in scan.iter_modules()}
    assert list(scan.iter_modules([str(tmp_path)])) == list(pkgutil.iter_modules([str(tmp_path)]))
