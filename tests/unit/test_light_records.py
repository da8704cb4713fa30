"""Snakemake's job-metadata record without SQLModel (coopdocs.workflow.light_records): the same
records, values and errors as Snakemake's own class; the database backend still works."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdocs.workflow import light_records, startup
from support.interpreter import fresh_python

pytest.importorskip("snakemake")


PROBE = (
    "import sys, snakemake.cli; "
    "from coopdocs.workflow.light_records import is_light; "
    "print(sorted(m for m in ('sqlmodel', 'sqlalchemy', 'pydantic') if m in sys.modules), "
    "is_light(sys.modules['snakemake.persistence']))"
)


def test_snakemake_starts_without_sqlmodel_sqlalchemy_or_pydantic():
    assert fresh_python(PROBE) == "[] True"


def test_eager_imports_give_snakemakes_own_record():
    assert (
        fresh_python(PROBE, **{startup.ENV: "1"}) == "['pydantic', 'sqlalchemy', 'sqlmodel'] False"
    )


@pytest.fixture(scope="module")
def classes():
    """The light record class (this process's Snakemake) and Snakemake's own."""
    import snakemake.persistence

    if not light_records.is_light(snakemake.persistence):
        pytest.skip("this process runs Snakemake's own persistence (COOPDOCS_EAGER_IMPORTS?)")
    return (
        snakemake.persistence.MetadataRecord,
        light_records.real_record_class(snakemake.persistence),
    )


# A record as the file persistence writes it (a publish job of the real data, shortened).
WRITTEN = {
    "rule": "publish_brief",
    "input": ["build/context/briefs/kyrgyzstan.json", "templates/brief.md.j2"],
    "log": ["logs/publish/briefs-kyrgyzstan.log"],
    "shellcmd": "coopdocs publish --context build/context/briefs/kyrgyzstan.json",
    "params": ["<<code>>", ["reports/figures/a.svg", "reports/figures/b.svg"], 2],
    "code": "PUBLISH",
    "record_format_version": 6,
    "conda_env": None,
    "container_img_url": None,
    "software_stack_hash": "d41d8cd98f00b204e9800998ecf8427e",
    "job_hash": 8738829705995,
    "starttime": 1796690554.4668214,
    "endtime": 1796690555.0701452,
    "incomplete": False,
    "external_jobid": None,
    "input_checksums": {"build/context/briefs/kyrgyzstan.json": "3f1c"},
}


def _outcome(cls, value):
    """The dump of ``cls.model_validate(value)`` as JSON text, or the error's type and text."""
    try:
        return json.dumps(cls.model_validate(value).model_dump())
    except Exception as exc:  # the real class's ValidationError, through either class
        return f"{type(exc).__name__}: {exc}"


def test_a_written_record_reads_and_writes_the_same(classes):
    light, real = classes
    assert _outcome(light, WRITTEN) == _outcome(real, WRITTEN)
    assert json.loads(_outcome(light, WRITTEN)) == WRITTEN
    record = light.model_validate(WRITTEN)
    assert type(record) is light
    assert record["rule"] == "publish_brief" and record.get("nothing", 7) == 7
    assert list(record.keys()) == list(real.model_validate(WRITTEN).keys())
    with pytest.raises(KeyError):
        record["nothing"]


def test_a_new_record_has_the_same_defaults_and_assignments(classes):
    light, real = classes
    a, b = light(), real()
    assert a.model_dump() == b.model_dump()
    for record in (a, b):
        record.starttime = 5  # the persistence assigns without validation
        record.input_checksums["x"] = "y"
    assert json.dumps(a.model_dump()) == json.dumps(b.model_dump())
    for record in (a, b):
        with pytest.raises(ValueError, match='object has no field "nothing"'):
            record.nothing = 1
    assert light().input_checksums == {} and light().input_checksums is not light().input_checksums


# Values of every kind JSON can hold, and some that only Python can, for any field.
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)
_RECORDS = st.dictionaries(
    st.sampled_from(sorted(light_records.FIELDS) + ["unknown"]), _VALUES, max_size=8
)


@settings(max_examples=300, deadline=None)
@given(record=_RECORDS)
def test_any_record_validates_as_snakemakes_own(classes, record):
    light, real = classes
    assert _outcome(light, record) == _outcome(real, record)


@settings(max_examples=100, deadline=None)
@given(record=st.fixed_dictionaries({}, optional={k: _VALUES for k in light_records.FIELDS}))
def test_a_record_of_every_field_validates_as_snakemakes_own(classes, record):
    light, real = classes
    assert _outcome(light, {**WRITTEN, **record}) == _outcome(real, {**WRITTEN, **record})


def test_anything_but_a_dict_goes_to_snakemakes_own_class(classes):
    light, real = classes
    assert _outcome(light, None) == _outcome(real, None)
    assert _outcome(light, [("rule", "x")]) == _outcome(real, [("rule", "x")])


class _Loader:
    """A loader whose module code is ``source`` (what Snakemake's persistence might become)."""

    def __init__(self, source: str):
        self.source = source

    def exec_module(self, module):
        exec(self.source, module.__dict__)


def _module():
    import types

    return types.ModuleType("persistence_under_test")


def test_a_record_class_light_records_does_not_know_runs_as_it_is(monkeypatch):
    for name in ("sqlmodel", "sqlalchemy"):  # as at a Snakemake process's start
        monkeypatch.delitem(sys.modules, name, raising=False)
    table = "from sqlmodel import SQLModel\nclass MetadataRecord(SQLModel, table=True):\n    rule: str | None = None\n"
    assert light_records.applies() is True
    assert light_records.exec_light(_Loader(table), _module()) is False
    fewer = "from sqlmodel import SQLModel\nclass MetadataRecord(SQLModel):\n    rule: str | None = None\n"
    module = _module()
    assert light_records.exec_light(_Loader(fewer), module) is False
    assert light_records.is_light(module)  # run, but its fields are not Snakemake 9.27's
    # Neither left a stand-in behind for a real import.
    assert not {"sqlmodel", "sqlalchemy"} & set(sys.modules)


def test_another_snakemake_gets_its_own_record(monkeypatch):
    import snakemake

    monkeypatch.setattr(snakemake, "__version__", "9.99.0")
    assert light_records.applies() is False


def test_the_database_backend_gets_the_real_module(tmp_path: Path):
    (tmp_path / "Snakefile").write_text(
        'rule all:\n    output: "out.txt"\n    params: p=[1, 2.5]\n    shell: "echo hi > {output}"\n'
    )
    snakemake = str(Path(sys.executable).parent / "snakemake")
    command = [snakemake, "--cores", "1", "--persistence-backend", "db"]
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / ".snakemake" / "metadata.db").is_file()
    assert not (tmp_path / ".snakemake" / "metadata").exists()
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert "Nothing to be done" in again.stderr
