"""Every computed claim a build states, recounted by code that does not import coopdocs (issue 28).

For the seed data, the fixtures iawc and two-states, and the fixture ``typed`` (plans, an observer,
shared multi-funder projects, one occasion recorded as several events), the workflow writes the
register of claims (``reports/claims/register.csv``, with the contexts it is made from: no
document is rendered), and :mod:`claims_recount` (``csv`` only) must agree with every row. The
defects issue 28 quoted are asserted at their correct values: deleting a sentence does not pass.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from claims_recount import Recount, recount
from workflow_build import copy_project, snakemake

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REGISTER = "reports/claims/register.csv"
COOPDOCS = str(Path(sys.executable).parent / "coopdocs")
# package -> the build's settings (organisation, union, union body)
PACKAGES = {
    "seed": ("unido", "EAEU", "eec"),
    "two-states": ("unido", "EAEU", "eec"),
    "iawc": ("iawc", "NWU", "basin-commission"),
    "typed": ("iawc", "NWU", "basin-commission"),
}


@pytest.fixture(scope="module")
def registers(tmp_path_factory) -> dict[str, tuple[Path, list[dict[str, str]]]]:
    """Per package: its data folder and the register a build of it wrote."""
    out = {}
    project = copy_project(tmp_path_factory.mktemp("claims") / "project")
    for name, (org, union, body) in PACKAGES.items():
        data = project / "data" if name == "seed" else project.parent / f"{name}-data"
        if name != "seed":
            shutil.copytree(FIXTURES / name, data)
        shutil.rmtree(project / "reports", ignore_errors=True)
        shutil.rmtree(project / "build", ignore_errors=True)
        # The contexts only (no document is rendered); the register is written from them by the
        # command the manifest's job runs.
        snakemake(
            project,
            "prepare_data",
            "compute_tables",
            "--config",
            f"data_dir={data}",
            f"organisation={org}",
            f"union={union}",
            f"union_body={body}",
        )
        subprocess.run(
            [COOPDOCS, "claims-register", "--data-dir", str(data)], cwd=project, check=True
        )
        with (project / REGISTER).open(encoding="utf-8", newline="") as fh:
            out[name] = (data, list(csv.DictReader(fh)))
    return out


@pytest.mark.parametrize("name", list(PACKAGES))
def test_the_recount_agrees_with_every_claim(registers, name):
    data, rows = registers[name]
    assert rows, name
    org, union, body = PACKAGES[name]
    counter = Recount(data, org, union, body)
    wrong = [(row, again) for row in rows if (again := recount(row, counter)) != row]
    assert not wrong, wrong[:3]
    # Every document of the build with a count states some claim: the briefs and the review.
    assert {r["document"].split("/")[0] for r in rows} >= {"briefs", "article"}


def _claim(rows, document, claim, **params):
    wanted = ";".join(f"{k}={v}" for k, v in sorted(params.items()))
    found = [
        r
        for r in rows
        if r["document"] == document and r["claim"] == claim and r["params"] == wanted
    ]
    assert len(found) == 1, (document, claim, params)
    row = found[0]
    apart = dict(x.split(":", 1) for x in row["apart"].split(" ") if x)
    return row, {k: v.split(";") for k, v in apart.items()}


def test_the_quoted_defects_are_counted_right_on_the_seed(registers):
    _, rows = registers["seed"]
    review = "article/review"
    # "UNIDO has six offices and centres in Belarus": none is its own and open; one is planned,
    # three are national centres it supports (two more planned).
    row, apart = _claim(rows, review, "offices_open", country="BY")
    assert row["number"] == "0" and apart["planned"] == ["off-by-unido-ciic-planned"]
    row, apart = _claim(rows, review, "national_centres_supported", country="BY")
    assert row["number"] == "3" and len(apart["planned"]) == 2
    row, apart = _claim(rows, review, "offices_open", country="KZ")
    assert row["number"] == "0" and apart["discussed"] == ["off-kz-itpo-nur-sultan"]
    # The union's documents: a general formula is not naming; the Strategic Directions and the
    # digital-transformation concept do not name it.
    row, apart = _claim(rows, review, "union_documents_naming_organisation")
    assert len(apart["general"]) == 4
    assert {
        "ins-eaeu-strategic-directions-2025",
        "ins-eaeu-concept-digital-transformation-industry",
    } <= set(apart["none"])
    assert "ins-eaeu-onmd-2015-2016" not in row["records"].split(";")
    # "The EEC and UNIDO met at six events": presence is stated at one.
    row, apart = _claim(rows, review, "meetings_of_union_body_and_organisation", union_body="eec")
    assert row["number"] == "1" and row["records"] == "evt-gc17-2017"
    assert apart["scheduled"] == ["evt-gc19-2021"] and len(apart["process"]) == 2
    assert len(apart["inferred"]) == 2
    # Russia's projects beyond its borders, by the stated rule: the CIS project is apart.
    row, apart = _claim(rows, review, "projects_funded_beyond_borders", country="RU")
    assert row["number"] == "6"
    assert apart["including_itself"] == ["prj-cis-environmental-capacity-building"]
    # Instruments with the organisation: no national strategy, decree, convention, company deal.
    row, _ = _claim(rows, review, "instruments_with_organisation", country="KZ")
    assert row["records"].split(";") == [
        "ins-kz-unido-damu-protocol",
        "ins-kz-unido-idf-administrative-agreement-2016",
    ]
    row, _ = _claim(rows, review, "instruments_with_organisation", country="BY")
    assert row["records"] == "ins-by-unido-framework-programme-2013"
    # Outcomes: the 3 pilot installations are the whole project's; the 4 laboratories planned.
    _, apart = _claim(rows, review, "outcome_figures_of", country="KG")
    assert apart["project"] == ["out-kg-shp-pilot-plants"]
    _, apart = _claim(rows, review, "outcome_figures_of", country="AM")
    assert apart["planned"] == ["out-am-qi-calibration-labs"]
    # EXPO-2017 is one occasion, not three events.
    row, _ = _claim(rows, review, "events_of", country="KZ")
    assert row["number"] == str(len(row["records"].split(";")) - 2)


def test_the_typed_fixture_counts_plans_observers_budgets_and_occasions_right(registers):
    _, rows = registers["typed"]
    review = "article/review"
    row, apart = _claim(rows, review, "union_members")
    assert apart["observer"] == ["VL"] and apart["former-member"] == ["NO"]
    assert "VL" not in row["records"].split(";")
    # Three projects have a budget, however many funder x recipient pairs share them.
    row, _ = _claim(rows, review, "projects_with_budget")
    assert row["number"] == "3"
    row, _ = _claim(rows, review, "events_of", country="TS")
    assert row["number"] == "2" and len(row["records"].split(";")) == 4
    row, apart = _claim(
        rows, review, "meetings_of_union_body_and_organisation", union_body="basin-commission"
    )
    assert row["number"] == "1" and apart["scheduled"] == ["evt-nwu-assembly-2022"]
    assert apart["process"] == ["evt-nwu-work-plan-2020"]
    row, apart = _claim(rows, review, "offices_open", country="NA")
    assert row["number"] == "0" and apart["planned"] == ["off-na-liaison-office"]
    row, apart = _claim(rows, review, "instruments_with_organisation", country="MR")
    assert row["number"] == "1" and apart["planned"] == ["ins-mr-agreement-2023"]
