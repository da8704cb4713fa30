"""Snakemake's job-metadata record without SQLModel: every Snakemake process starts ~0.45 s sooner.

Snakemake 9.27 defines its ``MetadataRecord`` (``snakemake.persistence``) as an SQLModel class, a
pydantic model with SQLAlchemy column types, for its database persistence backend. So every
Snakemake process imports sqlmodel, SQLAlchemy and pydantic (0.45 s of a 1.3 s dry run on the
real data, a third of a one-record edit's start; docs/performance.md) although the default file
persistence, the one this project uses, reads and writes each record as a JSON object.

:func:`exec_light` runs the real ``snakemake.persistence`` with :class:`LightModel` as the
record's base class and inert column markers, and the import finder of
:mod:`coopdocs.workflow.startup` gives ``snakemake.persistence.db`` as a stand-in (:func:`db_stand_in`).
Nothing else changes:

- a record is made, read (``model_validate``) and written (``model_dump``) as pydantic would, for
  every value the file persistence writes: each field's type exactly as declared (a float field
  given an int gets a float, as pydantic's lax mode does). A value of any other type, or anything
  but a dict to validate, goes to the real SQLModel class (imported then) and its result is
  taken: the same record, the same errors, only slower. tests/unit/test_light_records.py
  compares both on a record as the file persistence writes it and on generated ones;
- the database backend (``--persistence-backend db``) gets the real module: :func:`real_db` loads
  SQLModel, puts the real record class into ``snakemake.persistence`` before any record is made,
  and runs the real ``snakemake.persistence.db``;
- a Snakemake other than :data:`coopdocs.workflow.patches.SNAKEMAKE_VERSION`, or a record class
  whose fields are not exactly :data:`FIELDS`, runs the real module unchanged (and
  ``COOPDOCS_EAGER_IMPORTS=1`` turns the finder off, as for every deferred import).
"""

from __future__ import annotations

import sys
import types
from types import ModuleType
from typing import Any

# The record's fields as Snakemake 9.27.1 declares them (name: the annotation's text), in order.
FIELDS = {
    "rule": "str | None",
    "input": "list[str] | None",
    "log": "list[str] | None",
    "shellcmd": "str | None",
    "params": "list[typing.Any] | None",
    "code": "str | None",
    "record_format_version": "<class 'int'>",
    "conda_env": "str | None",
    "container_img_url": "str | None",
    "software_stack_hash": "str | None",
    "job_hash": "int | None",
    "starttime": "float | None",
    "endtime": "float | None",
    "incomplete": "bool | None",
    "external_jobid": "str | None",
    "input_checksums": "dict[str, typing.Any] | None",
}


class Unsupported(Exception):
    """The record class asks for something :class:`LightModel` does not do: use the real one."""


class _FieldInfo:
    """What ``sqlmodel.Field`` gives for the arguments Snakemake passes: a default or a factory."""

    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any = None, *, default_factory=None, sa_column=None, **other):
        if other:
            raise Unsupported(f"Field arguments {sorted(other)}")
        self.default, self.default_factory = default, default_factory


def _exact(value: Any, kind: type) -> Any:
    """``value`` as pydantic's lax mode gives it for ``kind``, when that is the value itself (an
    int for a float field: a float); :class:`Unsupported` for anything pydantic would convert or
    refuse."""
    if kind is float and type(value) is int:
        return float(value)
    if kind is Any or type(value) is kind:
        return value
    raise Unsupported(f"{type(value).__name__} for {kind}")


def _checker(annotation: Any):
    """A function giving a value as pydantic gives it for ``annotation`` (the forms of
    :data:`FIELDS` only), raising :class:`Unsupported` otherwise."""
    args = getattr(annotation, "__args__", None)
    if isinstance(annotation, types.UnionType) and len(args) == 2 and args[1] is type(None):
        inner = _checker(args[0])
        return lambda v: None if v is None else inner(v)
    origin = getattr(annotation, "__origin__", None)
    if origin is list and len(args) == 1:
        return lambda v: [_exact(x, args[0]) for x in _exact(v, list)]
    if origin is dict and args[0] is str:
        return lambda v: {_exact(k, str): _exact(x, args[1]) for k, x in _exact(v, dict).items()}
    if annotation in (str, int, float, bool):
        return lambda v: _exact(v, annotation)
    raise Unsupported(f"annotation {annotation}")


class LightModel:
    """The part of ``SQLModel`` (a pydantic ``BaseModel``) Snakemake's record class uses.

    Fields in declaration order, each with its default; ``model_validate`` of a dict (unknown keys
    ignored, as pydantic does); ``model_dump`` of every field; attributes set without validation
    (pydantic's default), a name that is no field refused with pydantic's message.
    """

    _fields: dict[str, tuple] = {}  # name: (the value's check, the default's maker), in order

    def __init_subclass__(cls, **kwargs):
        if kwargs:  # table=True and the like: an ORM model
            raise Unsupported(f"class keywords {sorted(kwargs)}")
        fields = {}
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            default = cls.__dict__.get(name, Unsupported)
            if default is Unsupported:
                raise Unsupported(f"field {name} without a default")
            if isinstance(default, _FieldInfo):
                default = default.default_factory or (lambda d=default.default: d)
            else:
                default = lambda d=default: d  # noqa: E731 (a default per field, bound now)
            fields[name] = (_checker(annotation), default)
            if name in cls.__dict__:
                delattr(cls, name)
        cls._fields = fields

    def __init__(self, **values: Any):
        for name, (_, default) in self._fields.items():
            object.__setattr__(self, name, default())
        for name, value in values.items():
            if name in self._fields:
                object.__setattr__(self, name, self._fields[name][0](value))

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._fields:
            raise ValueError(f'"{type(self).__name__}" object has no field "{name}"')
        object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.model_dump() == other.model_dump()

    __hash__ = None  # as pydantic's models: mutable, compared by value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.model_dump().items())})"

    @classmethod
    def model_validate(cls, obj: Any):
        """The record of ``obj`` (a dict of field values), as pydantic validates it."""
        if type(obj) is dict:
            try:
                return cls(**obj)
            except Unsupported:
                pass
        real = real_record_class(sys.modules[cls.__module__])
        return cls(**real.model_validate(obj).model_dump())

    def model_dump(self) -> dict[str, Any]:
        """Every field and its value, in declaration order."""
        return {name: getattr(self, name) for name in self._fields}


def _module(name: str, **names: Any) -> ModuleType:
    module = ModuleType(name)
    module.__dict__.update(names)
    return module


# The names snakemake.persistence imports from sqlmodel and SQLAlchemy (column markers: inert).
_STAND_INS = {
    "sqlmodel": _module("sqlmodel", SQLModel=LightModel, Field=_FieldInfo),
    "sqlalchemy": _module("sqlalchemy", Column=lambda *a, **k: None, JSON=object()),
}


def applies() -> bool:
    """Whether this Snakemake is the one :data:`FIELDS` was read from, with neither library
    imported already (then there is nothing to save)."""
    from coopdocs.workflow.patches import SNAKEMAKE_VERSION

    snakemake = sys.modules.get("snakemake")
    return getattr(snakemake, "__version__", None) == SNAKEMAKE_VERSION and not (
        _STAND_INS.keys() & sys.modules.keys()
    )


def exec_light(real_loader, module: ModuleType) -> bool:
    """Run ``snakemake.persistence`` (``real_loader``'s code) into ``module`` with the record on
    :class:`LightModel`; False (and ``module`` untouched) when it asks for more than that."""
    if not applies():
        return False
    sys.modules.update(_STAND_INS)
    try:
        real_loader.exec_module(module)
    except Unsupported:
        return False
    finally:
        for name in _STAND_INS:
            sys.modules.pop(name, None)
    fields = getattr(module.__dict__.get("MetadataRecord"), "__annotations__", {})
    return is_light(module) and {k: str(v) for k, v in fields.items()} == FIELDS


_REAL: dict[str, Any] = {}


def real_record_class(persistence: ModuleType) -> type:
    """Snakemake's own ``MetadataRecord`` (SQLModel), from the code of ``persistence`` (the
    ``snakemake.persistence`` module) run again under a private name, once, when first asked for."""
    if "record" not in _REAL:
        import importlib.util

        name = f"{persistence.__name__}._coopdocs_real"
        spec = importlib.util.spec_from_file_location(name, persistence.__spec__.origin)
        real = importlib.util.module_from_spec(spec)
        sys.modules[name] = real
        spec.loader.exec_module(real)
        _REAL["record"] = real.MetadataRecord
    return _REAL["record"]


def real_db(name: str) -> ModuleType:
    """The real database-backend module ``name`` (``snakemake.persistence.db``), with the real record
    class put into its package and the package's file module first, so that every record made from
    then on is Snakemake's own."""
    import importlib.machinery
    import importlib.util

    package = sys.modules[name.rpartition(".")[0]]
    record = real_record_class(package)
    for module in (package, sys.modules.get(f"{package.__name__}.file")):
        if module is not None:
            module.MetadataRecord = record
    # Not importlib.util.find_spec: it answers with the stand-in's spec from sys.modules.
    spec = importlib.machinery.PathFinder.find_spec(name, package.__path__)
    real = importlib.util.module_from_spec(spec)
    sys.modules[name] = real
    spec.loader.exec_module(real)
    return real


def db_stand_in(module: ModuleType) -> None:
    """Fill ``module`` (the database backend's) with a ``DbPersistence`` that stands for the real
    one until that backend is chosen: making one makes the real one (:func:`real_db`)."""
    name = module.__name__

    class DbPersistence:
        """Stands for Snakemake's database persistence; makes the real one."""

        def __new__(cls, *args, **kwargs):
            return real_db(name).DbPersistence(*args, **kwargs)

    module.DbPersistence = DbPersistence


def is_light(module: ModuleType | None) -> bool:
    """Whether ``module`` (``snakemake.persistence``) has its record class on :class:`LightModel`."""
    record = getattr(module, "MetadataRecord", None)
    return isinstance(record, type) and issubclass(record, LightModel)
