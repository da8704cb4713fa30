"""Deferred imports for every Python process of the project's environment (``coopdocs_startup.pth``).

Snakemake imports every installed executor plugin when it builds its command line, so each run
(a no-op too) imports the SLURM plugin, whose ``efficiency_report`` module imports pandas at
module level: 0.4-0.6 CPU-s of a 2 CPU-s no-op (docs/performance.md). The report is made once,
at the end of a cluster run that asked for it (``--slurm-efficiency-report``).

:func:`install` puts a finder before the others that gives that one module as a stand-in: its
``create_efficiency_report`` imports the real module when called, and any other name asked of it
imports the real module then (PEP 562 ``__getattr__``), so the plugin behaves as before
whatever it takes from the module.

The same finder keeps the plugin's ``MinJobAge`` probe (``scontrol show config``) out of its
import (:class:`_QuietAtImportLoader`): where SLURM's client is installed and no controller
answers, that probe made every Snakemake process wait about 9 s.

Snakemake's plugin registries (executor, storage, report, logger, scheduler) each list every
module on ``sys.path`` to find their plugins (``pkgutil.iter_modules()``, ~25 ms a scan): the
finder gives their module (:data:`SCAN_ONCE`) a ``pkgutil`` that makes that list once per
``sys.path`` for all of them (:class:`_ScanOnce`), ~0.1 s of every Snakemake process's start.

The finder also gives the modules of :data:`LAZY` as lazy modules (:class:`_LazyLoader`): the
module object is made at once, empty, and the module's own code runs, into that same object, the
first time a name of it is used (``requests.get``, ``from requests import Session``). Each is a
module a Snakemake run imports before it reads the Snakefile and a local build never uses (the
reasons are beside each name). A run that uses one (``--report``, a remote storage plugin) gets
the real module, run once, as an eager import would have made it; nothing about it differs but
the moment its code runs (so a module that is installed but broken raises at its first use, not
at the import). Nothing else is touched.

And it runs Snakemake's persistence module (:data:`PERSISTENCE`) with the job-metadata record on a
plain base class instead of SQLModel, and gives its database backend's module (:data:`DB`) as a
stand-in that loads the real one when that backend is chosen (:mod:`coopdocs.workflow.light_records`
says how and what stays the same): SQLModel, SQLAlchemy and pydantic were 0.45 s of every
Snakemake process's start.

``COOPDOCS_EAGER_IMPORTS=1`` turns all of this off (to measure it, or to rule it out).
"""

from __future__ import annotations

import _thread
import importlib.machinery
import os
import sys
from types import ModuleType

DEFERRED = "snakemake_executor_plugin_slurm.efficiency_report"
QUIET_AT_IMPORT = "snakemake_executor_plugin_slurm.job_status_query"
ENV = "COOPDOCS_EAGER_IMPORTS"
# The module of Snakemake's plugin registries, given a pkgutil that scans sys.path once (_ScanOnce).
SCAN_ONCE = "snakemake_interface_common.plugin_registry"
# Snakemake's persistence (run with the light record class) and its database backend (a stand-in).
PERSISTENCE = "snakemake.persistence"
DB = "snakemake.persistence.db"

# Modules given as lazy modules, each with whether its submodules may be imported before its own
# code has run. True only after reading that the package's __init__ does nothing its submodules
# rely on; for False, importing a submodule runs the package first, as an eager import has.
# Timings: `python -X importtime` of a no-op (docs/performance.md).
LAZY: dict[str, bool] = {
    # Snakemake's report-plugin registry imports the built-in HTML reporter to build the command
    # line; the reporter needs only submodules of this package, whose own __init__ imports yte
    # (and numpy), docutils (and PIL) and humanfriendly for --report, and registers two docutils
    # directives that only its own report() uses.
    "snakemake.report": True,
    # smart_open registers its http transport at import (Snakemake parses every source path with
    # smart_open), and that module imports requests, urllib3 and charset_normalizer for http(s)
    # URLs only; a local path never touches them.
    "requests": False,
    # yte imports numpy to turn numpy values into plain ones; Snakemake reads its profile with
    # yte, which a profile without `__use_yte__` never lets near a value.
    "numpy": False,
    # Snakemake's workflow module imports its database persistence (from-imports its class), whose
    # module imports both for that backend only (a network-filesystem check, the database file);
    # the default, file persistence, uses neither.
    "psutil": False,
    "sqlite3": False,
}


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


def _package_initialising(module: ModuleType) -> bool:
    """Whether the package of ``module`` is still being imported (its body has not finished)."""
    package = sys.modules.get(module.__name__.rpartition(".")[0])
    spec = getattr(package, "__spec__", None)
    return bool(getattr(spec, "_initializing", False))


class _AroundLoader:
    """A loader around the module's real one: the real loader's module object, and every other
    name the import system may ask for (get_source, get_filename, is_package, get_resource_reader
    and the like) the real loader's; each subclass says how the module's code runs."""

    def __init__(self, real_loader):
        self._real = real_loader

    def __getattr__(self, name: str):
        return getattr(self._real, name)

    def create_module(self, spec):
        """The real loader's module object (None: Python's default)."""
        return self._real.create_module(spec)


class _QuietAtImportLoader(_AroundLoader):
    """Runs the real job-status module, then keeps its MinJobAge probe out of the plugin's import.

    The plugin's ``ExecutorSettings`` computes a help text at import, and for it asks the SLURM
    controller for ``MinJobAge`` (``scontrol show config``, timeout 10 s). Where SLURM's client is
    installed but no controller answers (a workstation, a CI machine after the cluster tests)
    every Snakemake process (a local no-op too) waited about 9 s for it. While the package is
    being imported the probe answers as it does when the controller is silent (no squeue
    recommendation), at once; once imported, the executor's own calls ask the controller as
    before.
    """

    def exec_module(self, module: ModuleType) -> None:
        """Execute the real module, then wrap its recommendation probe."""
        self._real.exec_module(module)
        probe = module.should_recommend_squeue_status_command

        def should_recommend_squeue_status_command(*args, **kwargs):
            if _package_initialising(module):
                return False
            return probe(*args, **kwargs)

        should_recommend_squeue_status_command.__doc__ = probe.__doc__
        module.should_recommend_squeue_status_command = should_recommend_squeue_status_command


class _ScanOnce:
    """``pkgutil`` for the plugin registries: ``iter_modules()`` of the whole ``sys.path`` listed
    once per ``sys.path`` (the same modules in the same order, as long as no package is installed
    while the process runs); any other call and name is pkgutil's own."""

    def __init__(self, pkgutil: ModuleType):
        self._pkgutil = pkgutil
        self._listed: dict[tuple[str, ...], list] = {}

    def __getattr__(self, name: str):
        return getattr(self._pkgutil, name)

    def iter_modules(self, path=None, prefix=""):
        """pkgutil.iter_modules, the whole sys.path's list made once."""
        if path is not None or prefix:
            return self._pkgutil.iter_modules(path, prefix)
        key = tuple(sys.path)
        if key not in self._listed:
            self._listed[key] = list(self._pkgutil.iter_modules())
        return iter(self._listed[key])


class _ScanOnceLoader(_AroundLoader):
    """Runs the plugin-registry module, then gives it a :class:`_ScanOnce` for its ``pkgutil``."""

    def exec_module(self, module: ModuleType) -> None:
        """Execute the real module; wrap its ``pkgutil`` (left alone if it has none)."""
        self._real.exec_module(module)
        if isinstance(module.__dict__.get("pkgutil"), ModuleType):
            module.pkgutil = _ScanOnce(module.pkgutil)


class _LightRecordsLoader(_AroundLoader):
    """Runs ``snakemake.persistence`` with the light record class, or as it is when that does not
    apply (:func:`coopdocs.workflow.light_records.exec_light`)."""

    def exec_module(self, module: ModuleType) -> None:
        """The module's code with the light record class, else its code as it is."""
        from coopdocs.workflow import light_records

        if not light_records.exec_light(self._real, module):
            self._real.exec_module(module)


class _DbStandInLoader:
    """Makes ``snakemake.persistence.db`` a stand-in whose class loads the real module."""

    def create_module(self, spec):
        """Python's default module object."""
        return None

    def exec_module(self, module: ModuleType) -> None:
        """Fill the stand-in (:func:`coopdocs.workflow.light_records.db_stand_in`)."""
        from coopdocs.workflow import light_records

        light_records.db_stand_in(module)


def _light_persistence() -> bool:
    """Whether ``snakemake.persistence`` was run with the light record class."""
    light = sys.modules.get("coopdocs.workflow.light_records")
    return light is not None and light.is_light(sys.modules.get(PERSISTENCE))


# For a Python without the import system's module locks: one lock for every lazy module's first
# use, so that two threads do not run its code twice.
_LOCK = _thread.RLock()
# The submodules a package's own code imported when an import of one of them ran it: that import
# then takes the module made (:class:`_AdoptLoader`) instead of running it a second time.
_MADE_BY_PARENT: set[str] = set()
# Per lazy module whose code has not run yet: its real loader, the __path__ kept aside (None: none
# kept) and whether its submodules may be imported alone (:data:`LAZY`).
_PENDING: dict[str, tuple] = {}


def _run_lazy(module: ModuleType, for_submodule: bool) -> None:
    """Run the real code of a lazy module into it, once, as the import system would.

    Under the lock an import of the module holds, so a thread that asks while another runs it
    waits for the end, as it would for an eager import; in the thread that runs it, a name not
    made yet is missing, as in a circular import. ``for_submodule``: an import of one of its
    submodules asked; note what the code imported.
    """
    name = module.__name__
    with _module_lock(name):
        state = _PENDING.pop(name, None)
        if state is None:
            return  # run already (or running, in this thread)
        real_loader, path, _alone = state
        spec = module.__spec__
        spec.loader = module.__loader__ = real_loader
        if path is not None:
            module.__path__ = path
        before = set(sys.modules) if for_submodule else set()
        spec._initializing = True
        try:
            real_loader.exec_module(module)
        finally:
            spec._initializing = False
            module.__class__ = ModuleType
        if for_submodule:
            made = sys.modules.keys() - before
            _MADE_BY_PARENT.update(n for n in made if n.startswith(f"{name}."))


def _module_lock(name: str):
    """The lock an import of ``name`` holds while the module's code runs, or :data:`_LOCK`.

    The import system's own (per module, re-entrant in one thread, and it breaks a deadlock
    between two threads as a circular import), so a lazy module's code runs under the same guard
    as an eager import's.
    """
    manager = getattr(importlib._bootstrap, "_ModuleLockManager", None)
    return manager(name) if manager is not None else _LOCK


def _asked_by_from_import() -> bool:
    """Whether the import system's ``from package import name`` step is asking (two frames up).

    It asks ``hasattr(package, name)`` first and imports ``package.name`` when that is false, so a
    submodule can be imported without running the package's own code.
    """
    try:
        return sys._getframe(2).f_code.co_name == "_handle_fromlist"
    except ValueError:  # asked from C with no Python frame above: not the import system
        return False


class _LazyModule(ModuleType):
    """A lazy module until its code has run (then a plain module again).

    ``__getattr__`` here is the class's: Python calls it when a name is not in the module, after
    the module's own ``__getattr__`` (PEP 562), if its code defined one, found nothing either.
    """

    def __getattr__(self, name: str):
        state = _PENDING.get(self.__name__)
        if state is not None:
            _real_loader, path, alone = state
            # The import system asks a module that is no package for __path__; a from-import asks
            # for a submodule before importing it: neither is a use of the module.
            if (name == "__path__" and path is None) or (
                alone and _asked_by_from_import() and _is_submodule(self, name)
            ):
                raise AttributeError(name)
        _run_lazy(self, name == "__path__")
        return ModuleType.__getattribute__(self, name)


class _LazyLoader(_AroundLoader):
    """Makes an empty module whose first used name runs the real loader's code into it."""

    def __init__(self, real_loader, submodules_alone: bool):
        super().__init__(real_loader)
        self._submodules_alone = submodules_alone

    def exec_module(self, module: ModuleType) -> None:
        """Make ``module`` a :class:`_LazyModule`: its code runs on the first name used.

        A package whose submodules need its code keeps its ``__path__`` aside: the import system
        asks for it before it imports a submodule, and the package's code runs then. A module of
        another type than Python's own (an extension's) runs at once.
        """
        if type(module) is not ModuleType:
            self._real.exec_module(module)
            return
        alone = self._submodules_alone
        path = None if alone else module.__dict__.pop("__path__", None)
        _PENDING[module.__name__] = (self._real, path, alone)
        module.__class__ = _LazyModule


def _is_submodule(package: ModuleType, name: str) -> bool:
    """Whether ``package.name`` is a module that can be found in the package's folders."""
    found = importlib.machinery.PathFinder.find_spec(f"{package.__name__}.{name}", package.__path__)
    return found is not None


class _AdoptLoader:
    """Gives the import system a module its package's code already made, without running it again.

    The import of ``package.sub`` asks for the package's ``__path__``, which runs the package's
    code, which may import ``package.sub`` itself; the outer import then finds that module's spec
    and would run it a second time into a new module.
    """

    def __init__(self, module: ModuleType):
        self._module = module
        self._real = module.__spec__.loader

    def create_module(self, spec):
        """The module already made."""
        return self._module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run; the spec gets its own loader back."""
        module.__spec__.loader = self._real


class _Finder:
    """Answers for :data:`DEFERRED`, :data:`QUIET_AT_IMPORT`, :data:`SCAN_ONCE`, :data:`LAZY`,
    :data:`PERSISTENCE` and :data:`DB`, when installed."""

    def find_spec(self, name, path, target=None):
        """A spec with this module's loader for those names (origin the real file); else None."""
        if _MADE_BY_PARENT:
            made = name in _MADE_BY_PARENT and sys.modules.get(name)
            _MADE_BY_PARENT.clear()  # this is the import that ran the package, or none did
            if made and getattr(made, "__spec__", None) is not None:
                made.__spec__.loader = _AdoptLoader(made)
                return made.__spec__
        if name not in (DEFERRED, QUIET_AT_IMPORT, SCAN_ONCE, PERSISTENCE, DB) and name not in LAZY:
            return None
        if name == DB and not _light_persistence():
            return None
        real = importlib.machinery.PathFinder.find_spec(name, path)
        if real is None or real.origin is None:
            return None
        if name == PERSISTENCE:
            real.loader = _LightRecordsLoader(real.loader)
            return real
        if name == DB:
            return importlib.machinery.ModuleSpec(name, _DbStandInLoader(), origin=real.origin)
        if name in LAZY:
            real.loader = _LazyLoader(real.loader, LAZY[name])
            return real
        if name == QUIET_AT_IMPORT:
            return importlib.machinery.ModuleSpec(
                name, _QuietAtImportLoader(real.loader), origin=real.origin
            )
        if name == SCAN_ONCE:  # a package: its own spec (search locations), another loader
            real.loader = _ScanOnceLoader(real.loader)
            return real
        return importlib.machinery.ModuleSpec(name, _StandInLoader(), origin=real.origin)


def install() -> None:
    """Put the finder first on ``sys.meta_path``, once (unless :data:`ENV` is set)."""
    if os.environ.get(ENV) or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
