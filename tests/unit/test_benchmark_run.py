"""benchmarks/run.py goes on past a size that fails, and reports it with its error."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import run  # benchmarks/run.py (benchmarks/ is on the tests' path)

CITATION_ERROR = "error: label `<ref-ref092>` does not exist in the document"


def fake_project(dest: Path, size: str, seed: int) -> Path:
    """A project folder with just a countries table of ``size`` states (5 for the real data)
    and the Union."""
    (dest / "data").mkdir(parents=True)
    rows = ["code"] + [f"S{i}" for i in range(5 if size == "real" else int(size) + 1)]
    (dest / "data" / "countries.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return dest


def fake_build(project: Path, cores: int, *args, **kwargs) -> dict:
    """A clean build that fails for 200 states, as the review's citation bug did."""
    failed = project.name.startswith("project-200-")
    return {
        "wall_s": 1.0,
        "cpu_s": 1.5,
        "returncode": 1 if failed else 0,
        "tail": f"Error in rule publish_document:\n{CITATION_ERROR}" if failed else "",
        "jobs": 3,
    }


def test_a_failed_size_is_reported_and_the_next_size_is_measured(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "make_project", fake_project)
    monkeypatch.setattr(run, "snakemake", fake_build)
    monkeypatch.setattr(run, "coopdocs_build", lambda project: fake_build(project, 2))
    monkeypatch.setattr(run, "job_times", lambda project: {})
    monkeypatch.setattr(run, "floor", lambda project: {"wall_s": 2.0, "cpu_s": 2.0})
    monkeypatch.setattr(run, "stages", lambda project: {"prepare": 0.1})
    monkeypatch.setattr(run, "SNAKEMAKE", "true")  # its --version: not what is tested here
    out = tmp_path / "results"
    code = run.main(
        ["--sizes", "200,50", "--seeds", "0,1", "--c1-max-countries", "0", "--out", str(out)]
        + ["--no-probe"]
    )
    assert code == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [(r["size"], r["seed"]) for r in results["sizes"]] == [
        ("200", 0),
        ("200", 1),
        ("50", 0),
        ("50", 1),
    ]
    failed, built = results["sizes"][1], results["sizes"][2]
    assert CITATION_ERROR in failed["error"]
    assert failed["runs"]["clean_c2"][0]["returncode"] == 1  # the failed run is kept
    assert failed["summary"]["clean_c2"]["median"] == 1.0
    assert "error" not in built and built["summary"]["floor"]["median"] == 2.0
    table = (out / "results.md").read_text(encoding="utf-8")
    assert "| 200 (seed 1) | 200 | 3 | failed: " in table
    assert "| 50 (seed 0) | 50 | 3 | 1.00 |" in table
    quoted = CITATION_ERROR.replace("`", "'")  # backticks would end the Markdown code span
    assert f"* 200 (seed 1): `{quoted}`" in table


def test_size_seeds_measure_the_real_data_once_and_each_synthetic_size_per_seed():
    args = argparse.Namespace(sizes="real, 50,1000", seeds="0,1")
    assert run.size_seeds(args) == [("real", 0), ("50", 0), ("50", 1), ("1000", 0), ("1000", 1)]
    args = run.parse_args(["--sizes", "real,200,1000:0,20:2+5", "--seeds", "0,1"])
    assert run.size_seeds(args) == [
        ("real", 0),
        ("200", 0),
        ("200", 1),
        ("1000", 0),
        ("20", 2),
        ("20", 5),
    ]


def test_measure_runs_only_what_it_names_on_one_unrecorded_clean_build(tmp_path, monkeypatch):
    builds = []
    monkeypatch.setattr(run, "make_project", fake_project)
    monkeypatch.setattr(
        run, "snakemake", lambda p, c, *a, **k: builds.append(a) or fake_build(p, c)
    )
    monkeypatch.setattr(
        run, "job_times", lambda project: {"publish_brief": {"jobs": 1, "busy_s": 1}}
    )
    monkeypatch.setattr(run, "SNAKEMAKE", "true")
    out = tmp_path / "results"
    argv = ["--sizes", "50", "--seeds", "0", "--measure", "noop", "--out", str(out), "--no-probe"]
    code = run.main(argv)
    assert code == 0
    assert builds == [(), ()]  # the clean build to measure on, then the no-op; no -c1, no dry run
    size = json.loads((out / "results.json").read_text(encoding="utf-8"))["sizes"][0]
    assert list(size["runs"]) == ["noop"] and "stages" not in size
    assert "| 50 (seed 0) | 50 | – | – | – | – | – | – | – | 1.00 |" in (
        out / "results.md"
    ).read_text(encoding="utf-8")


def test_measure_names_only_known_measurements(capsys):
    try:
        run.parse_args(["--measure", "edit,speed"])
    except SystemExit as exc:
        assert exc.code == 2
    else:
        raise AssertionError("--measure speed was accepted")
    assert "--measure: unknown speed" in capsys.readouterr().err


def test_edit_lines_give_each_edit_its_jobs_per_rule():
    edit = {
        "wall_s": 2.5,
        "cpu_s": 4.0,
        "reports_rewritten": 9,
        "job_times": {"read_document": {"jobs": 1, "busy_s": 0.8}},
    }
    results = {"sizes": [{"size": "real", "seed": None, "runs": {"edit_one": [edit]}}]}
    assert run.edit_lines(results)[-1] == (
        "* real, edit 1: 2.50 s, CPU 4.00 s, 9 report files rewritten; read_document (1): 0.80"
    )


def test_the_floor_is_skipped_above_floor_max_countries_and_the_reason_reported(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(run, "make_project", fake_project)
    monkeypatch.setattr(run, "snakemake", fake_build)
    monkeypatch.setattr(run, "coopdocs_build", lambda project: fake_build(project, 2))
    monkeypatch.setattr(run, "job_times", lambda project: {})
    floors = []
    monkeypatch.setattr(
        run, "floor", lambda project: floors.append(project.name) or {"wall_s": 2.0}
    )
    monkeypatch.setattr(run, "stages", lambda project: {})
    monkeypatch.setattr(run, "SNAKEMAKE", "true")
    out = tmp_path / "results"
    argv = ["--sizes", "50,60", "--seeds", "0", "--c1-max-countries", "0", "--out", str(out)]
    argv.append("--no-probe")
    assert run.main([*argv, "--floor-max-countries", "50"]) == 0
    assert floors == ["project-50-0"]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert "floor_skipped" not in results["sizes"][0]
    assert results["sizes"][1]["floor_skipped"] == "over --floor-max-countries 50"
    table = (out / "results.md").read_text(encoding="utf-8")
    assert "| 60 (seed 0) | 60 | 3 | 1.00 | – | – | – |" in table
    assert "* 60 (seed 0): over --floor-max-countries 50" in table
    floors.clear()
    assert run.main(argv) == 0  # the default measures every size's floor, as before
    assert floors == ["project-50-0", "project-60-0"]


def test_the_speed_probe_brackets_each_build_and_floor_and_the_scaling_divides_by_it(
    tmp_path, monkeypatch
):
    """Probes of 10 s around the 200-state build and floor, 12 s around the 1,000-state build:
    the 1,000-state build (600 s against 100 s) is 500 s per speed, so the exponent is 1.11 as
    measured and 1.0 per speed; the 200-state ratio to its floor (150 s) is 0.67 per speed."""
    probe_times = iter([10.0, 10.0, 10.0, 10.0, 12.0, 12.0])

    def fake_floor(project: Path) -> dict:
        wall = next(probe_times) if project.name == "probe" else 150.0
        return {"wall_s": wall, "cpu_s": wall}

    def fake_build(project: Path, cores: int, *args, **kwargs) -> dict:
        wall = 600.0 if project.name.startswith("project-1000-") else 100.0
        return {"wall_s": wall, "cpu_s": wall, "returncode": 0, "jobs": 3}

    monkeypatch.setattr(run, "make_project", fake_project)
    monkeypatch.setattr(run, "snakemake", fake_build)
    monkeypatch.setattr(run, "job_times", lambda project: {})
    monkeypatch.setattr(run, "floor", fake_floor)
    monkeypatch.setattr(run, "SNAKEMAKE", "true")
    out = tmp_path / "results"
    argv = ["--sizes", "200,1000", "--seeds", "0", "--measure", "clean,floor", "--out", str(out)]
    assert run.main([*argv, "--c1-max-countries", "0", "--floor-max-countries", "200"]) == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    small, large = results["sizes"]
    assert small["runs"]["clean_c2"][0]["probe_s"] == [10.0, 10.0]
    assert small["runs"]["floor"][0]["probe_s"] == [10.0, 10.0]
    assert large["runs"]["clean_c2"][0]["probe_s"] == [12.0, 12.0]
    assert next(probe_times, None) is None, "one probe before and one after each, no more"
    scaling = results["scaling"]
    assert scaling["probe_median_s"] == 10.0 and scaling["probes"] == 6
    first, second = scaling["sizes"]
    assert first["ratio_to_floor_per_speed"] == [0.667]
    assert (second["clean_c2_s"], second["clean_c2_per_speed_s"]) == (600.0, 500.0)
    assert (second["exponent"], second["exponent_per_speed"]) == (1.113, 1.0)
    table = (out / "results.md").read_text(encoding="utf-8")
    assert "| 1000 | 1 | 600.0 | 500.0 | – | 1.113 (from 200) | 1.0 |" in table
