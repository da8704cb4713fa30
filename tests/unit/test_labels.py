"""Coded values as words (issue 30): the strings file's ``labels`` give the word for each value a
field's enum allows, a record's role may decide it, and a value without a word stops the build
naming table, field and value (coopdocs.load.strings.label, label_gaps)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from coopdocs.compute.contexts import brief_context
from coopdocs.load.strings import label, label_gaps, load_strings
from coopdocs.workflow.commands import prepare_args
from locations import DATA, FIXTURES, ROOT

WORDS = load_strings(ROOT / "templates")
BUILD = {"epoch": 1672358400, "date": "2022-12-30", "data_title": "t", "data_version": "1"}


def _descriptor(folder=DATA) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("folder", [DATA, FIXTURES / "iawc", FIXTURES / "two-states"])
def test_the_strings_file_labels_every_value_each_package_allows(folder):
    assert label_gaps(WORDS, _descriptor(folder)) == []


def test_a_value_without_a_word_is_named_with_its_table_and_field():
    descriptor = _descriptor()
    field = next(
        f
        for r in descriptor["resources"]
        if r["name"] == "instruments"
        for f in r["schema"]["fields"]
        if f["name"] == "type"
    )
    field["constraints"]["enum"] += ["charter", "exchange-of-notes"]
    words = copy.deepcopy(WORDS)
    del words["labels"]["instruments"]["type"]["protocol"]
    gaps = label_gaps(words, descriptor)
    assert [g.split(":")[0] for g in gaps] == [
        "labels.instruments.type.protocol",
        "labels.instruments.type.charter",
        "labels.instruments.type.exchange-of-notes",
    ]
    assert all("table instruments, field type" in g for g in gaps)
    # A mapping without a default leaves the other values of its deciding field without a word.
    del words["labels"]["instruments"]["type"]["other"]["default"]
    assert "labels.instruments.type.other" in "\n".join(label_gaps(words, descriptor))


def test_the_role_decides_the_word_and_no_label_is_a_code(real_package):
    seen = {}
    for country in real_package.tables["countries"]:
        ctx = brief_context(real_package, country["code"], BUILD, "unido", words=WORDS)
        for i in ctx["instruments"]:
            seen[i["id"]] = i["type_label"]
    codes = {r["type"] for r in real_package.tables["instruments"]}
    compound = {c for c in codes if "-" in c}  # "medium-term-programme", never printed as such
    assert seen and not set(seen.values()) & compound
    assert all("-" not in v or "medium-term" in v for v in seen.values()), seen
    assert seen["ins-stockholm-convention"] == "multilateral treaty"  # type agreement
    assert seen["ins-am-quality-infrastructure-2021"] == "programme"  # type other
    assert seen["ins-kg-medium-term-development-programme-2012"] == "national medium-term programme"
    assert label(
        WORDS, "instruments", "type", "other", {"role": "organisation-document"}, org="X"
    ) == ("X document")


def test_prepare_stops_before_writing_when_a_word_is_missing(tmp_path):
    strings = tmp_path / "strings.yaml"
    text = (ROOT / "templates" / "strings.yaml").read_text(encoding="utf-8")
    strings.write_text(text.replace("      roadmap: roadmap\n", ""), encoding="utf-8")
    contexts = tmp_path / "contexts"
    args = prepare_args(
        {"data_dir": DATA, "templates_dir": ROOT / "templates", "organisation": "unido"},
        1672358400,
        bundle=tmp_path / "bundle.json",
        contexts=contexts,
        strings=strings,
    )
    run = subprocess.run(
        [sys.executable, "-m", "coopdocs", *args], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 1, run.stderr
    assert "labels.instruments.type.roadmap: missing" in run.stderr
    assert str(strings) in run.stderr
    assert not contexts.exists() and not (tmp_path / "bundle.json").exists()
