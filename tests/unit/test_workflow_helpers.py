"""The Snakefile's parse-time helpers (coopdocs.layout, coopdocs.workflow.helpers): the targets and inputs the rules
are built from, read from the data package, the templates and the package's own source tree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coopdocs.layout import brief_slugs, code_files, data_files, template_files
from coopdocs.workflow import helpers as cw
from coopdocs.workflow.helpers import HeavyJobs, build_epoch, code_version, local_cores
from locations import ROOT, TWO_STATES


def _package_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(TWO_STATES, dest)
    return dest


def test_brief_slugs_are_the_countries_slugs_sorted():
    assert brief_slugs(TWO_STATES) == ["belarus", "eaeu", "russia"]
    assert brief_slugs(str(TWO_STATES)) == [
        "belarus",
        "eaeu",
        "russia",
    ]  # the Snakefile passes text


def test_brief_slugs_skip_blank_and_repeated_slugs_and_read_a_bom(tmp_path):
    data = _package_copy(tmp_path)
    path = data / "countries.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    blank = rows[0].replace("BY,belarus,", "BY,  ,", 1)
    assert blank != rows[0]
    path.write_text("\ufeff" + header + blank + "".join(rows[1:]) + rows[-1], encoding="utf-8")
    assert brief_slugs(data) == ["eaeu", "russia"]


def test_brief_slugs_of_a_broken_table_are_empty_and_left_to_validation(tmp_path):
    data = _package_copy(tmp_path)
    (data / "countries.csv").write_text(
        "code,name\nBY,Belarus\n", encoding="utf-8"
    )  # no slug column
    assert brief_slugs(data) == []
    (data / "countries.csv").write_bytes(b"code,slug\nBY,\xff\xfe\n")  # not UTF-8
    assert brief_slugs(data) == []
    (data / "countries.csv").unlink()
    assert brief_slugs(data) == []


def test_data_files_are_the_descriptor_then_every_table_it_names():
    files = data_files(TWO_STATES)
    assert files[0] == str(TWO_STATES / "datapackage.json")
    tables = files[1:]
    assert tables == sorted(tables) and len(tables) == 14
    assert {Path(f).name for f in tables} == {p.name for p in TWO_STATES.glob("*.csv")}
    assert all(Path(f).is_file() for f in files)


def test_data_files_follow_the_descriptor_not_the_folder(tmp_path):
    data = _package_copy(tmp_path)
    (data / "notes.csv").write_text("a\n1\n", encoding="utf-8")  # not a resource: not an input
    assert str(data / "notes.csv") not in data_files(data)


def test_template_files_of_one_kind_are_its_template_and_the_partials():
    brief = template_files("templates", "brief.md.j2", root=ROOT)
    assert brief[0] == "templates/brief.md.j2"
    partials = sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "templates/partials").rglob("*.j2")
    )
    # then the partials, then the strings file, whose words every document shows (issue 16)
    assert partials and brief[1:-1] == partials and brief[-1] == "templates/strings.yaml"
    # an edit of the article's template does not rerun the briefs
    assert "templates/article.md.j2" not in brief and "templates/tables.md.j2" not in brief


def test_template_files_without_a_kind_are_every_template(tmp_path):
    everything = template_files("templates", root=ROOT)
    # every Jinja template (sorted), then the strings file (issue 16)
    assert everything[:-1] == sorted(everything[:-1]) and everything[-1] == "templates/strings.yaml"
    names = {Path(p).relative_to("templates").as_posix() for p in everything}
    assert {"brief.md.j2", "tables.md.j2", "article.md.j2", "partials/metadata.md.j2"} <= names
    assert all(p.endswith(".j2") for p in everything[:-1])
    # a templates folder without partials: only the template itself
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "one.md.j2").write_text("x", encoding="utf-8")
    assert template_files("one", "one.md.j2", root=tmp_path) == ["one/one.md.j2"]


def test_code_files_cover_every_stage_package_relative_to_the_project(tmp_path):
    files = code_files(ROOT)
    assert files == sorted(files) and all(
        not Path(f).is_absolute() and f.startswith("src/coopdocs/") for f in files
    )
    on_disk = sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "src" / "coopdocs").rglob("*.py")
    )
    assert files == on_disk
    # a change in any sub-package is an input of the build
    assert {
        "src/coopdocs/cli.py",
        "src/coopdocs/workflow/helpers.py",
        "src/coopdocs/compute/article.py",
    } <= set(files)
    assert (
        code_files(tmp_path) == []
    )  # a project without the package's sources (an installed package)


def test_build_epoch_takes_source_date_epoch_and_stops_on_a_bad_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1672358400")
    assert build_epoch(tmp_path, 5) == 1672358400
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(SystemExit) as stop:
        build_epoch(tmp_path, 5)
    assert str(stop.value.code).startswith("coopdocs: SOURCE_DATE_EPOCH='yesterday'")


class _Workflow:
    """The two things local_cores reads of Snakemake's workflow object."""

    def __init__(self, main: bool, cores: int | None):
        self.is_main_process, self._cores = main, cores

    @property
    def cores(self) -> int:
        from snakemake.exceptions import WorkflowError

        if self._cores is None:  # as Snakemake's own property without --cores
            raise WorkflowError("Workflow requires a total number of cores to be defined")
        return self._cores


def test_local_cores_are_the_runs_cores_and_one_for_every_cluster_process(tmp_path):
    import snakemake.api  # noqa: F401  (snakemake.workflow alone is a circular import)
    from snakemake.workflow import Workflow

    assert isinstance(Workflow.is_main_process, property)  # the attribute exists in Snakemake
    assert local_cores(_Workflow(main=True, cores=4)) == 4  # snakemake --cores 4
    assert local_cores(_Workflow(main=True, cores=None)) == 1  # submitting to a cluster
    # A cluster job's own Snakemake on a 64-core node: 1 as well, as the job asked SLURM for 1.
    assert local_cores(_Workflow(main=False, cores=64)) == 1
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (3 * 1024 * 1024))  # a large build's data
    node = HeavyJobs.for_data([str(big)], local_cores(_Workflow(main=False, cores=64)))
    submitter = HeavyJobs.for_data([str(big)], local_cores(_Workflow(main=True, cores=None)))
    assert node.large and node == submitter


def test_code_version_follows_the_package_source(tmp_path):
    """A change to a module, a new module or a renamed one changes the version every rule passes
    as a parameter (so Snakemake reruns the jobs); the same source gives the same version."""
    package = tmp_path / "pkg"
    (package / "render").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "render" / "docx.py").write_text("WIDTH = 1\n", encoding="utf-8")
    first = code_version(package)
    assert code_version(package) == first
    assert len(first) == 64
    (package / "render" / "docx.py").write_text("WIDTH = 2\n", encoding="utf-8")
    edited = code_version(package)
    assert edited != first
    (package / "render" / "docx.py").rename(package / "render" / "html.py")
    assert code_version(package) not in (first, edited)
    (package / "render" / "__pycache__").mkdir()
    (package / "render" / "__pycache__" / "x.pyc").write_bytes(b"bytecode")
    renamed = code_version(package)
    (package / "render" / "__pycache__" / "x.pyc").write_bytes(b"other bytecode")
    assert code_version(package) == renamed  # compiled files are not source


def test_every_rule_passes_the_code_version():
    """Each rule of the workflow has params code=CODE_VERSION (a rule without it would keep
    documents made by older code after an upgrade)."""
    import re

    rule = re.compile(r"^(?:checkpoint|rule) (\w+):", re.M)
    rules = {}
    for smk in sorted((ROOT / "rules").glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        starts = [(m.start(), m.group(1)) for m in rule.finditer(text)]
        for (start, name), (end, _) in zip(starts, starts[1:] + [(len(text), "")]):
            rules[name] = re.findall(r"^\s+code=(\w+),", text[start:end], re.M)
    assert len(rules) >= 6
    assert all(found == ["CODE_VERSION"] for found in rules.values()), rules


def test_prepare_args_are_the_whole_command_from_the_config():
    """coopdocs.workflow.commands.prepare_args: every setting the rule passes, as the command
    line parser reads it; an unset union or union body left to the command's default."""
    from coopdocs.cli import build_parser
    from coopdocs.tools.config import load_config
    from coopdocs.workflow.commands import prepare_args

    settings = load_config(ROOT)
    args = build_parser().parse_args(prepare_args(settings, 1672358400))
    assert (args.command, args.data, args.organisation) == ("prepare", "data", "unido")
    assert (args.bundle, args.contexts) == ("build/data/bundle.json", "build/context")
    assert (args.strings, args.epoch) == ("templates/strings.yaml", 1672358400)
    assert (args.union, args.union_body) == ("", "")
    other = dict(settings, data_dir="elsewhere", templates_dir="t", union="NWU", union_body="b")
    args = build_parser().parse_args(prepare_args(other, 7, bundle="x.json", contexts="ctx"))
    assert (args.data, args.strings, args.union, args.union_body) == (
        "elsewhere",
        "t/strings.yaml",
        "NWU",
        "b",
    )
    assert (args.bundle, args.contexts, args.epoch) == ("x.json", "ctx", 7)


def test_prepare_command_is_written_once():
    """Only coopdocs.workflow.commands spells out the prepare command's options: the rule, the
    benchmarks and the tests take it from there (issue 31: six copies had drifted)."""
    spelled = []
    for folder in ("rules", "benchmarks", "tests", "src"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".smk") or path.resolve() == Path(__file__).resolve():
                continue
            text = path.read_text(encoding="utf-8")
            if "--union-body" in text or '"--contexts"' in text:
                spelled.append(path.relative_to(ROOT).as_posix())
    assert spelled == ["src/coopdocs/cli.py", "src/coopdocs/workflow/commands.py"]


# ---------------------------------------------------------------- validate_config (a cache)


def _project_config(tmp_path, monkeypatch):
    """The project's config and an absolute schema path, with the caches under ``tmp_path``."""
    import yaml

    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COOPDOCS_CACHE_KEY_FILE", str(tmp_path / "key"))
    config = yaml.safe_load((root / "config" / "config.yaml").read_text(encoding="utf-8"))
    return config, root / "config" / "schema.yaml"


def test_validate_config_replays_the_check_exactly(tmp_path, monkeypatch):
    import copy

    from snakemake.utils import validate

    config, schema = _project_config(tmp_path, monkeypatch)
    expected = copy.deepcopy(config)
    validate(expected, str(schema))
    first, second = copy.deepcopy(config), copy.deepcopy(config)
    cw.validate_config(first, schema)  # checked and kept
    assert list((tmp_path / "build" / "cache" / "config").iterdir())
    cw.validate_config(second, schema)  # replayed from the cache
    for got in (first, second):
        assert got == expected and repr(got) == repr(expected)  # defaults, types, key order


def test_validate_config_checks_again_what_the_cache_does_not_hold(tmp_path, monkeypatch):
    from snakemake.exceptions import WorkflowError

    config, schema = _project_config(tmp_path, monkeypatch)
    cw.validate_config(dict(config), schema)
    broken = dict(config, detailed_states_max="many")
    for _ in range(2):  # an invalid configuration is never kept: the check fails each time
        with pytest.raises(WorkflowError, match="many"):
            cw.validate_config(dict(broken), schema)
    assert len(list((tmp_path / "build" / "cache" / "config").iterdir())) == 1


def test_validate_config_does_not_trust_a_forged_entry(tmp_path, monkeypatch):
    config, schema = _project_config(tmp_path, monkeypatch)
    cw.validate_config(dict(config), schema)
    (entry,) = (tmp_path / "build" / "cache" / "config").iterdir()
    head, _, content = entry.read_bytes().partition(b"\n")
    entry.write_bytes(head + b"\n" + content.replace(b'"data_dir"', b'"data_dix"'))
    again = dict(config)
    cw.validate_config(again, schema)
    assert "data_dir" in again and "data_dix" not in again
