"""The build's manifest and Workflow Run RO-Crate (coopdocs.describe.provenance), on a tiny build
folder assembled here: the two-state data, the real templates and a handful of output files,
without running the workflow."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from coopdocs.describe.provenance import build_manifest, build_rocrate, tool_versions, write
from locations import ROOT, TWO_STATES

EPOCH = 1672358400
GIT = {"commit": "0123456789abcdef0123456789abcdef01234567", "dirty": False}


def _csv(path: Path, header: str, rows: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def _file(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    (
        path.write_bytes
        if isinstance(data, bytes)
        else lambda d: path.write_text(d, encoding="utf-8")
    )(data)


@pytest.fixture()
def project(tmp_path: Path) -> tuple[Path, dict]:
    """A project folder as a build leaves it, reduced to a brief, two tables and two figures."""
    root = tmp_path / "project"
    shutil.copytree(TWO_STATES, root / "data")
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "config", root / "config")
    shutil.copy2(ROOT / "Snakefile", root / "Snakefile")
    shutil.copytree(ROOT / "rules", root / "rules")
    settings = yaml.safe_load((root / "config" / "config.yaml").read_text(encoding="utf-8"))

    _file(root / "reports/briefs/belarus.html", "<!DOCTYPE html><html>Belarus</html>\n")
    _file(root / "reports/briefs/belarus.pdf", b"%PDF-1.7 fake\n%%EOF\n")
    _file(
        root / "build/context/briefs/belarus.json",
        json.dumps(
            {"records": ["BY", "prj-by-automotive-components"], "sources": ["ref032", "ref050"]}
        ),
    )
    _csv(
        root / "reports/tables/legal-basis.csv",
        "instrument_type,country_code,count,records,sources",
        [
            "agreement,BY,1,ins-by-minecon-skolkovo-agreement,ref109",
            "decree,RU,1,ins-ru-idf-contribution-decision-2009,ref100",
        ],
    )
    _csv(
        root / "reports/tables/timeline.csv",
        "country_code,year,count,records,sources",
        ["BY,2017,1,evt-gc17-2017,ref036", "RU,2019,1,evt-gmis-2019;prj-ru-rzd-pcb,ref060;ref061"],
    )
    _csv(
        root / "reports/tables/projects-by-theme.csv",
        "theme_id,country_code,count,records,sources",
        ["smes,BY,1,prj-by-automotive-components,ref050"],
    )
    _file(root / "reports/figures/timeline-belarus.svg", "<svg/>")
    _file(root / "reports/figures/themes-by-state.svg", "<svg></svg>")
    _file(
        root / "build/data/bundle.json",
        json.dumps(
            {
                "tables": {
                    "countries": [
                        {"code": "BY", "slug": "belarus"},
                        {"code": "RU", "slug": "russia"},
                        {"code": "EAEU", "slug": "eaeu"},
                    ]
                }
            }
        ),
    )
    # Not outputs of the build: diffs, archives, the manifest and crate, hidden and other files.
    for name in (
        "diff/belarus.html",
        "archive/build.zip",
        "manifest.json",
        "ro-crate-metadata.json",
        ".belarus.html",
        "notes.txt",
    ):
        _file(root / "reports" / name, "x")
    return root, settings


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_lists_every_output_with_hash_kind_and_subject(project):
    root, settings = project
    manifest = build_manifest(root, settings, EPOCH, GIT)
    assert (
        manifest["source_date_epoch"] == EPOCH and manifest["build_date"] == "2022-12-30T00:00:00Z"
    )
    assert manifest["git"] == {"commit": GIT["commit"], "dirty": False}
    by_path = {o["path"]: o for o in manifest["outputs"]}
    assert sorted(by_path) == [
        "reports/briefs/belarus.html",
        "reports/briefs/belarus.pdf",
        "reports/figures/themes-by-state.svg",
        "reports/figures/timeline-belarus.svg",
        "reports/tables/legal-basis.csv",
        "reports/tables/projects-by-theme.csv",
        "reports/tables/timeline.csv",
    ]
    for path, entry in by_path.items():
        assert (
            entry["sha256"] == _sha(root / path) and entry["bytes"] == (root / path).stat().st_size
        )
    brief = by_path["reports/briefs/belarus.html"]
    assert (brief["kind"], brief["subject"], brief["format"]) == ("brief", "belarus", "html")
    assert brief["records"] == ["BY", "prj-by-automotive-components"] and brief["sources"] == [
        "ref032",
        "ref050",
    ]
    table = by_path["reports/tables/legal-basis.csv"]
    assert (table["kind"], table["subject"]) == ("table", "legal-basis")
    assert table["records"] == [
        "ins-by-minecon-skolkovo-agreement",
        "ins-ru-idf-contribution-decision-2009",
    ]
    assert table["sources"] == ["ref100", "ref109"]


def test_a_figure_draws_on_the_records_of_its_table_and_state(project):
    root, settings = project
    by_path = {o["path"]: o for o in build_manifest(root, settings, EPOCH, GIT)["outputs"]}
    timeline = by_path["reports/figures/timeline-belarus.svg"]
    assert (
        timeline["kind"] == "figure"
        and timeline["records"] == ["evt-gc17-2017"]
        and timeline["sources"] == ["ref036"]
    )
    themes = by_path["reports/figures/themes-by-state.svg"]
    assert themes["records"] == ["prj-by-automotive-components"] and themes["sources"] == ["ref050"]


def test_inputs_are_hashed_relative_paths_of_the_data_templates_and_styles(project):
    root, settings = project
    manifest = build_manifest(root, settings, EPOCH, GIT)
    brief = next(o for o in manifest["outputs"] if o["path"] == "reports/briefs/belarus.html")
    inputs = {i["path"]: i["sha256"] for i in brief["inputs"]}
    data = {f"data/{p.name}" for p in TWO_STATES.iterdir()}
    assert data <= set(inputs)
    assert {
        "templates/brief.md.j2",
        settings["html_template"],
        settings["csl"],
        "config/config.yaml",
        "Snakefile",
    } <= set(inputs)
    assert all(sha == _sha(root / path) for path, sha in inputs.items())
    assert [i["path"] for i in brief["inputs"]] == sorted(inputs)
    table = next(o for o in manifest["outputs"] if o["path"] == "reports/tables/legal-basis.csv")
    assert data <= {i["path"] for i in table["inputs"]}
    assert str(root) not in json.dumps(manifest)  # no absolute path: the same bytes anywhere


def test_manifest_and_crate_are_written_the_same_every_time(project, tmp_path):
    root, settings = project
    write(root, settings, EPOCH, GIT)
    first = {
        n: (root / "reports" / n).read_bytes() for n in ("manifest.json", "ro-crate-metadata.json")
    }
    moved = tmp_path / "elsewhere" / "other-name"
    shutil.copytree(root, moved)
    write(moved, settings, EPOCH, GIT)
    assert {n: (moved / "reports" / n).read_bytes() for n in first} == first
    manifest = json.loads(first["manifest.json"])
    assert "reports/manifest.json" not in {
        o["path"] for o in manifest["outputs"]
    }  # not listed in itself
    assert json.loads(first["ro-crate-metadata.json"]) == build_rocrate(manifest, root)


def test_crate_describes_the_run_its_inputs_and_outputs(project):
    root, settings = project
    manifest = build_manifest(root, settings, EPOCH, GIT)
    crate = build_rocrate(manifest, root)
    assert crate["@context"] == "https://w3id.org/ro/crate/1.1/context"
    graph = {e["@id"]: e for e in crate["@graph"]}
    assert len(graph) == len(crate["@graph"])  # every entity once
    assert graph["ro-crate-metadata.json"]["about"] == {"@id": "./"}
    dataset = graph["./"]
    assert {"@id": "https://w3id.org/ro/wfrun/process/0.5"} in dataset["conformsTo"]
    assert dataset["datePublished"] == "2022-12-30T00:00:00Z" and dataset["mainEntity"] == {
        "@id": "../Snakefile"
    }
    outputs = [o["path"].removeprefix("reports/") for o in manifest["outputs"]]
    parts = {p["@id"] for p in dataset["hasPart"]}
    assert set(outputs) <= parts and "../data/projects.csv" in parts
    run = graph["#run"]
    assert run["@type"] == "CreateAction" and run["endTime"] == dataset["datePublished"]
    assert [r["@id"] for r in run["result"]] == outputs
    assert {"@id": "../data/datapackage.json"} in run["object"]
    for o, oid in zip(manifest["outputs"], outputs, strict=True):
        entity = graph[oid]
        assert (entity["sha256"], entity["contentSize"], entity["about"]) == (
            o["sha256"],
            o["bytes"],
            o["subject"],
        )
    assert graph["../data/projects.csv"]["sha256"] == _sha(root / "data" / "projects.csv")
    assert graph["#tool-pandoc"]["version"] == manifest["tools"]["pandoc"]


def test_tool_versions_name_the_pinned_tools():
    tools = tool_versions()
    assert tools["pandoc"].startswith("3.9")
    assert tools["typst"].startswith("0.15") and tools["snakemake"].startswith("9.")
    assert "not installed" not in tools.values()


def _hashing(monkeypatch) -> list[str]:
    """The files the manifest reads to hash (provenance.sha256 counted)."""
    from coopdocs.describe import provenance

    read: list[str] = []
    real = provenance.sha256
    monkeypatch.setattr(provenance, "sha256", lambda path: read.append(path.name) or real(path))
    return read


def test_a_second_manifest_hashes_only_the_files_that_changed(project, monkeypatch):
    from coopdocs.describe import provenance

    root, settings = project
    monkeypatch.setattr(provenance, "_SETTLED_NS", 0)  # every file here is older than the run
    first = build_manifest(root, settings, EPOCH, GIT)
    read = _hashing(monkeypatch)
    assert build_manifest(root, settings, EPOCH, GIT) == first
    assert read == []  # nothing changed: every hash from the table
    # Rewritten in place, same size, its modification time put back: its ctime still moved.
    html = root / "reports/briefs/belarus.html"
    stat = html.stat()
    html.write_text("<!DOCTYPE html><html>Belaruz</html>\n", encoding="utf-8")
    os.utime(html, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    third = build_manifest(root, settings, EPOCH, GIT)
    assert read == ["belarus.html"]
    entry = next(o for o in third["outputs"] if o["path"] == "reports/briefs/belarus.html")
    assert entry["sha256"] == _sha(html)


def test_a_file_changed_just_before_the_manifest_is_hashed_again_next_time(project, monkeypatch):
    root, settings = project
    build_manifest(root, settings, EPOCH, GIT)  # every file here is fresh: none is kept
    read = _hashing(monkeypatch)
    build_manifest(root, settings, EPOCH, GIT)
    assert "belarus.html" in read and "brief.md.j2" in read


def test_a_damaged_table_of_hashes_is_a_miss_not_a_wrong_hash(project, monkeypatch, capsys):
    from coopdocs import layout
    from coopdocs.describe import provenance

    root, settings = project
    monkeypatch.setattr(provenance, "_SETTLED_NS", 0)
    first = build_manifest(root, settings, EPOCH, GIT)
    (entry,) = (root / layout.HASHES_CACHE).iterdir()
    entry.write_bytes(entry.read_bytes().replace(_sha(root / "Snakefile").encode(), b"0" * 64))
    read = _hashing(monkeypatch)
    assert build_manifest(root, settings, EPOCH, GIT) == first
    assert "Snakefile" in read and "ignored" in capsys.readouterr().err


def test_the_manifest_is_indented_as_json_dumps_would(project):
    from coopdocs.describe.provenance import indented_json

    root, settings = project
    manifest = build_manifest(root, settings, EPOCH, GIT)
    manifest["odd"] = {'é\n"': [1.5, -0.0, None, False, [], {}, 10**20], "a": "\u2028\x00"}
    assert indented_json(manifest) == json.dumps(
        manifest, indent=1, sort_keys=True, ensure_ascii=False
    )


DUMPS = dict(indent=1, sort_keys=True, ensure_ascii=False)


def test_the_manifest_file_is_written_in_pieces_as_json_dumps_would(project):
    """write streams the manifest (STREAMED_DEPTHS) and keeps the text of shared containers
    only; the file is still json.dumps's bytes, with the lists the formats of one document share
    and containers empty or shared at every depth."""
    from coopdocs.describe import provenance

    root, settings = project
    shared_list, shared_dict = ["r1", "r2"], {"path": "data/x.csv", "sha256": "0" * 64}
    value = {
        "empty": {},
        "none": [],
        "outputs": [
            {"records": shared_list, "inputs": [shared_dict, shared_dict]},
            {"records": shared_list, "inputs": [shared_dict], "nested": [[shared_list], {}]},
            shared_list,
            [],
            "text",
        ],
    }
    pieces = list(provenance.iter_indented_json(value))
    assert len(pieces) > 10  # written item by item, not as one string
    expected = json.dumps(value, **DUMPS)
    assert "".join(pieces) == expected == provenance.indented_json(value)
    memo = provenance._Memo(provenance._shared_containers(value))
    assert "".join(provenance.iter_indented_json(value, memo=memo)) == expected
    assert {key[0] for key in memo} <= {id(shared_list), id(shared_dict)}
    provenance.write(root, settings, EPOCH, GIT)
    written = (root / "reports" / "manifest.json").read_text(encoding="utf-8")
    assert json.loads(written)["outputs"]
    assert written == json.dumps(build_manifest(root, settings, EPOCH, GIT), **DUMPS) + "\n"
