"""Deferred imports for every Python process of the project's environment (``coopdocs_startup.pth``).

Snakemake imports every installed executor plugin when it builds its command line, so each run
(a no-op too) imports the SLURM plugin, whose ``efficiency_report`` module imports pandas at
module level: 0.4-0.6 CPU-s of a 2 CPU-s no-op (docs/performance.md). The report is made once,
at the end of a cluster run that asked for it (``--slurm-efficiency-report``).

:func:`install` puts a finder before the others that gives that one module as a stand-in: its
``create_efficiency_report`` imports the real module when called, and any other name asked of it
imports the real module then (PEP 562 ``__getattr__``), so the plugin behaves as before
whatever it takes from the module. Nothing else is touched. ``COOPDOCS_EAGER_IMPORTS=1`` turns it
off (to measure it, or to rule it out).
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
from types import ModuleType

DEFERRED = "snakemake_executor_plugin_slurm.efficiency_report"
ENV = "COOPDOCS_EAGER_IMPORTS"


def _load_real(stand_in: ModuleType) -> ModuleType:
    """The real module behind ``stand_in``, executed once under a private name."""
    real = stand_in.__dict__.get("_coopdocs_real")
    if real is None:
        name = f"{stand_in.__name__}._coopdocs_real"
        import importlib.util  # only when the real module is asked for

        spec = importlib.util.spec_from_file_location(name, stand_in.__spec__.origin)
        real = importlib.util.module_from_spec(spec)
        sys.modules[name] = real
        spec.loader.exec_module(real)
        stand_in._coopdocs_real = real
    return real


# The finder and loader follow the import protocols without subclassing importlib.abc: that
# module pulls in importlib.resources, pathlib and tempfile (about 27 ms), and this file runs at
# the start of every Python process of the environment.
class _StandInLoader:
    """Makes the stand-in module: one wrapper function and a ``__getattr__`` for the rest."""

    def create_module(self, spec):
        """Python's default module object."""
        return None

    def exec_module(self, module: ModuleType) -> None:
        """Fill the stand-in: nothing is imported until a name of it is used."""

        def create_efficiency_report(*args, **kwargs):
            return _load_real(module).create_efficiency_report(*args, **kwargs)

        def __getattr__(name: str):
            # The import system asks a module for __path__ and the like: not a reason to load.
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return getattr(_load_real(module), name)

        module.create_efficiency_report = create_efficiency_report
        module.__getattr__ = __getattr__


class _Finder:
    """Answers for :data:`DEFERRED` only, and only when the real module is installed."""

    def find_spec(self, name, path, target=None):
        """A stand-in's spec for :data:`DEFERRED` (its origin is the real file); None otherwise."""
        if name != DEFERRED:
            return None
        real = importlib.machinery.PathFinder.find_spec(name, path)
        if real is None or real.origin is None:
            return None
        return importlib.machinery.ModuleSpec(name, _StandInLoader(), origin=real.origin)


def install() -> None:
    """Put the finder first on ``sys.meta_path``, once (unless :data:`ENV` is set)."""
    if os.environ.get(ENV) or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
