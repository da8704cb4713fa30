"""Declared inputs (RELIABILITY case 15): changing only a template, reference.docx, the CSL style or
the schema reruns exactly the documents that depend on it. Dry runs (`snakemake -n`) on a copy of a
finished build list the jobs; the checkpoints are up to date there, so the dry run sees every
document job. One job builds all formats of a document (docs/performance.md: one job instead of
five per document), so the unit of "affected" is the document: a change to reference.docx reruns
every document (each has a DOCX), a change to the timeline figure's template only the briefs. A
schema edit reruns the checkpoint itself, so that case is a real run whose document outputs must
keep their modification times.
"""

from __future__ import annotations

import json
import re

import pytest

import rbtools

DOC = re.compile(r"^reports/(briefs|tables|article)/[\w-]+\.(docx|html|pdf)$")


def scheduled_documents(project) -> set[str]:
    proc = rbtools.run_snakemake(project, "-n")
    assert proc.returncode == 0, proc.stderr[-3000:]
    outputs = {job.split(": ", 1)[1] for job in rbtools.jobs_of(proc.stdout + proc.stderr)}
    return {o for out in outputs for o in out.split(", ") if DOC.match(o)}


def all_documents(project, fmt: str | None = None, folder: str | None = None) -> set[str]:
    found = {p.relative_to(project).as_posix() for p in (project / "reports").rglob("*.*")}
    return {
        d
        for d in found
        if DOC.match(d)
        and (fmt is None or d.endswith("." + fmt))
        and (folder is None or d.startswith(f"reports/{folder}/"))
    }


def _append(path, text: str) -> None:
    path.write_bytes(path.read_bytes() + text.encode("utf-8"))


def _edit_reference_docx(path) -> None:
    import zipfile

    src = path.read_bytes()
    import io

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(src)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/styles.xml":
                data = data.replace(b"</w:styles>", b"<!-- edited --></w:styles>")
            zout.writestr(item, data)
    path.write_bytes(out.getvalue())


EDITS = {
    "reference-docx": (lambda p: _edit_reference_docx(p / "templates/docx/reference.docx"), {}),
    "csl": (
        lambda p: _append(
            p / "templates/csl/american-medical-association-brackets.csl", "\n<!-- edited -->\n"
        ),
        {},
    ),
    "typst-template": (lambda p: _append(p / "templates/typst/document.typ", "\n// edited\n"), {}),
    "html-template": (
        lambda p: _append(p / "templates/html/document.html", "\n<!-- edited -->\n"),
        {},
    ),
    "timeline-figure-template": (
        lambda p: _append(p / "templates/typst/timeline.typ", "\n// edited\n"),
        dict(folder="briefs"),
    ),
    "shared-partial": (
        lambda p: _append(p / "templates/partials/metadata.md.j2", "\n{# edited #}\n"),
        {},
    ),
}


@pytest.mark.workflow
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_case15_editing_one_template_file_schedules_exactly_the_dependent_documents(
    baseline, tmp_path, edit
):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    change, which = EDITS[edit]
    change(project)
    assert scheduled_documents(project) == all_documents(project, **which)


@pytest.mark.workflow
def test_case15_editing_the_brief_template_schedules_every_brief(baseline, tmp_path):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    _append(project / "templates/brief.md.j2", "\n{# edited #}\n")
    assert scheduled_documents(project) >= all_documents(project, folder="briefs")


@pytest.mark.workflow
def test_case15_editing_the_brief_template_schedules_only_briefs(baseline, tmp_path):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    _append(project / "templates/brief.md.j2", "\n{# edited #}\n")
    assert scheduled_documents(project) == all_documents(project, folder="briefs")


@pytest.mark.workflow
def test_case15_editing_the_schema_reruns_validation_but_no_unaffected_document(baseline, tmp_path):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    descriptor = project / "data" / "datapackage.json"
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    field = package["resources"][0]["schema"]["fields"][0]
    field["description"] = field.get("description", "") + " (edited)"
    descriptor.write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    documents = sorted(all_documents(project))
    before = {d: (project / d).stat().st_mtime_ns for d in documents}
    proc = rbtools.run_snakemake(project)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "prepare_data: " in " ".join(rbtools.jobs_of(proc.stdout + proc.stderr)), (
        "the schema is not an input of validation"
    )
    rebuilt = [d for d in documents if (project / d).stat().st_mtime_ns != before[d]]
    assert rebuilt == [], f"a description-only schema edit rebuilt {rebuilt}"


@pytest.mark.workflow
def test_case15_a_schema_edit_that_breaks_the_data_stops_before_rendering(baseline, tmp_path):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    descriptor = project / "data" / "datapackage.json"
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    offices = next(r for r in package["resources"] if r["name"] == "offices")
    city = next(f for f in offices["schema"]["fields"] if f["name"] == "city")
    city.setdefault("constraints", {})["pattern"] = "^[A-Z]{3}$"
    descriptor.write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    before = {d: (project / d).stat().st_mtime_ns for d in all_documents(project)}
    proc = rbtools.run_snakemake(project)
    assert proc.returncode != 0
    assert (
        "data/offices.csv:" in proc.stdout + proc.stderr
        and "field 'city'" in proc.stdout + proc.stderr
    )
    assert {d: (project / d).stat().st_mtime_ns for d in before} == before
