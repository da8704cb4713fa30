"""Traceability: record marks in every format, the provenance appendix, manifest, crate, trace."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from workflow_build import snakemake

from coopdocs import layout
from helpers import read_table, write_table
from support import cli
from support.documents import docx_text, html_text, pdf_text, squash


def coopdocs(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = cli.run(project, *args)
    if check and proc.returncode != 0:
        raise AssertionError(proc.stderr)
    return proc


def manifest(project: Path) -> dict:
    return json.loads((project / "reports" / "manifest.json").read_text(encoding="utf-8"))


def test_manifest_hashes_match_and_every_document_cites(built):
    m = manifest(built)
    assert m["source_date_epoch"] == 1672358400
    assert {"python", "snakemake", "pandoc", "typst", "coopdocs"} <= set(m["tools"])
    assert m["tools"]["pandoc"].startswith("3.9")
    assert "commit" in m["git"] and "dirty" in m["git"]
    listed = {o["path"] for o in m["outputs"]}
    on_disk = {
        p.relative_to(built).as_posix()
        for p in (built / "reports").rglob("*.*")
        if p.suffix in (".docx", ".pdf", ".html", ".csv", ".xlsx", ".svg", ".png")
    }
    assert listed == on_disk
    for o in m["outputs"]:
        data = (built / o["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == o["sha256"] and len(data) == o["bytes"], o[
            "path"
        ]
        assert o["kind"] in {
            "brief",
            "article",
            "tables-document",
            "table",
            "figure",
            "claims-register",
        }
        assert o["kind"] == "figure" or o["sources"], o["path"]
        paths = [i["path"] for i in o["inputs"]]
        assert "data/projects.csv" in paths and "config/config.yaml" in paths
        for i in o["inputs"]:
            assert hashlib.sha256((built / i["path"]).read_bytes()).hexdigest() == i["sha256"]
        if o["format"] == "docx" and o["kind"] != "table":
            assert "templates/docx/reference.docx" in paths and any(
                p.endswith(".csl") for p in paths
            )
        if o["format"] == "pdf":
            assert "templates/typst/document.typ" in paths


def test_rocrate_loads_and_lists_every_output(built):
    from rocrate.rocrate import ROCrate

    crate = ROCrate(str(built / "reports"))
    ids = {e.id for e in crate.get_entities()}
    for o in manifest(built)["outputs"]:
        assert o["path"][len("reports/") :] in ids, o["path"]
    assert crate.mainEntity.id == "../Snakefile"
    profiles = {p if isinstance(p, str) else p.id for p in crate.root_dataset["conformsTo"]}
    assert (
        "https://w3id.org/ro/wfrun/workflow/0.5"
        in {getattr(p, "id", p) for p in crate.root_dataset["conformsTo"]}
        or "https://w3id.org/ro/wfrun/workflow/0.5" in profiles
    )
    run = crate.get("#run")
    assert run.type == "CreateAction" and len(run["result"]) == len(manifest(built)["outputs"])


def test_records_are_marked_in_html_docx_and_pdf(built):
    context = json.loads(
        (built / "build" / "context" / "briefs" / "kazakhstan.json").read_text(encoding="utf-8")
    )
    project = context["projects"][0]["id"]
    event = context["events"][0]["id"]
    html = (built / "reports" / "briefs" / "kazakhstan.html").read_text(encoding="utf-8")
    assert re.search(
        rf'<span id="{event}" class="record"\s+'
        rf'title="Record {event} · article references? [0-9, ]+"',
        html,
    )
    assert (
        re.search(rf'href="#prov-{event}"\s+class="record-id"', html)
        and f'id="prov-{event}"' in html
    )
    with zipfile.ZipFile(built / "reports" / "briefs" / "kazakhstan.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert (
        f'w:name="{event}"' in xml
        and f'w:name="{project}"' in xml
        and f'w:name="prov-{event}"' in xml
    )
    pdf = squash(pdf_text(built / "reports" / "briefs" / "kazakhstan.pdf"))
    assert event in pdf and "Data provenance" in pdf


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_every_document_ends_with_a_provenance_appendix(built, fmt):
    for doc in ("briefs/kazakhstan", "tables/comparative-tables", "article/review"):
        path = built / "reports" / f"{doc}.{fmt}"
        text = squash({"docx": docx_text, "pdf": pdf_text, "html": html_text}[fmt](path))
        appendix = text.rsplit("Data provenance", 1)
        assert len(appendix) == 2, (doc, fmt)
        tail = appendix[1]
        assert "2022-12-30" in tail and "not under version control" in tail
        context = json.loads(
            (built / "build" / "context" / f"{doc}.json").read_text(encoding="utf-8")
        )
        entry = context["provenance"]["records"][0]
        assert entry["id"] in tail
        # The source article's number: in the entry (review, tables) or, in a brief, in the
        # reference entry the entry's citation points to ("Cited as [59] in …"; issue 30's compact
        # provenance gives each fact once).
        number = entry["numbers"][0]
        if doc.startswith("briefs/"):
            assert f"Cited as [{number}]" in appendix[0].rsplit("References", 1)[-1], (doc, fmt)
        else:
            assert str(number) in tail, (doc, fmt)


def test_trace_a_record_and_a_source(built):
    out = json.loads(coopdocs(built, "trace", "prj-kz-gcip-cleantech-2019", "--json").stdout)
    paths = {o["path"]: o for o in out["outputs"]}
    assert "reports/briefs/kazakhstan.pdf" in paths and "reports/article/review.docx" in paths
    assert "reports/briefs/belarus.pdf" not in paths
    assert "Projects and programmes" in paths["reports/briefs/kazakhstan.pdf"]["sections"]
    assert [s["ref_number"] for s in out["sources"]] == [72, 73, 74]
    src = json.loads(coopdocs(built, "trace", "45", "--json").stdout)
    assert src["source"] == "ref045" and "reports/briefs/belarus.docx" in {
        o["path"] for o in src["outputs"]
    }
    human = coopdocs(built, "trace", "ref045").stdout
    assert "reference [45]" in human and "reports/briefs/belarus.pdf" in human
    bad = coopdocs(built, "trace", "no-such-record", check=False)
    assert bad.returncode == 2 and "neither a record ID nor a source" in bad.stderr


def test_trace_an_output_and_a_phrase_in_the_kazakhstan_pdf(built):
    out = json.loads(coopdocs(built, "trace", "reports/briefs/kazakhstan.pdf", "--json").stdout)
    assert "KZ" in out["records"] and out["sources"] and "data/projects.csv" in out["inputs"]
    # An editor copies a sentence from the PDF; trace names the record and the article's
    # reference numbers.
    pdf = squash(pdf_text(built / "reports" / "briefs" / "kazakhstan.pdf"))
    context = json.loads(
        (built / "build" / "context" / "briefs" / "kazakhstan.json").read_text(encoding="utf-8")
    )
    office = context["offices"][0]
    phrase = " ".join(office["description"].split()[:6])
    assert phrase in pdf
    found = json.loads(
        coopdocs(
            built, "trace", "reports/briefs/kazakhstan.pdf", "--phrase", phrase, "--json"
        ).stdout
    )
    first = found["matches"][0]
    assert office["id"] in first["records"]
    office_numbers = {int(s[3:]) for s in office["sources"]}
    assert office_numbers <= {s["ref_number"] for s in first["sources"]}


def test_editing_one_record_changes_only_its_trace_and_entries(tmp_path, built):
    project = tmp_path / "p"
    shutil.copytree(built, project, symlinks=True)
    before = {o["path"]: o for o in manifest(project)["outputs"]}
    trace_before = json.loads(
        coopdocs(project, "trace", "prj-kz-gcip-cleantech-2019", "--json").stdout
    )
    other_before = coopdocs(project, "trace", "prj-by-grodno-agro-industrial-park", "--json").stdout
    path = project / "data" / "projects.csv"
    rows = read_table(path)
    target = next(r for r in rows if r["id"] == "prj-kz-gcip-cleantech-2019")
    target["sources"] = target["sources"] + ";ref070"
    write_table(path, rows)
    snakemake(project)
    trace_after = json.loads(
        coopdocs(project, "trace", "prj-kz-gcip-cleantech-2019", "--json").stdout
    )
    assert (
        [s["ref_number"] for s in trace_after["sources"]]
        == [70, 72, 73, 74]
        != [s["ref_number"] for s in trace_before["sources"]]
    )
    assert coopdocs(project, "trace", "prj-kz-gcip-cleantech-2019").stdout.count("[70]") == 1
    assert (
        coopdocs(project, "trace", "prj-by-grodno-agro-industrial-park", "--json").stdout
        == other_before
    )
    after = {o["path"]: o for o in manifest(project)["outputs"]}
    changed = {p for p in after if after[p]["sha256"] != before[p]["sha256"]}
    input_changed = {p for p in after if after[p]["inputs"] != before[p]["inputs"]}
    # Every entry's inputs list data/projects.csv, so its hash changes everywhere; the outputs
    # themselves change only where the record is used.
    assert input_changed == set(after)
    assert {
        "reports/briefs/kazakhstan.pdf",
        "reports/article/review.pdf",
        "reports/tables/timeline.csv",
    } <= changed
    assert not {p for p in changed if "/briefs/" in p and "kazakhstan" not in p}


def test_snakemake_report_has_captions(built, tmp_path):
    target = tmp_path / "report.html"
    snakemake(built, "--report", str(target))
    html = target.read_text(encoding="utf-8", errors="replace")
    assert "PDF/A-2b (Typst)" in html and "coopdocs" in html


# Record marks (issue 17): "R12" in print, linking to the appendix entry that carries the same mark
# and the record's full id. Each pattern reads one format's output as pandoc and Typst write it.
MAX_MARK = 4
_HTML_MARK = re.compile(
    r'<a\s+href="#prov-([\w-]+)"\s+class="record-id"\s+title="([^"]*)">([^<]*)</a>'
)
_HTML_ENTRY = re.compile(r'<span\s+id="prov-([\w-]+)"><strong>([^<]*)</strong>\s+([\w-]+)</span>')
_DOCX_MARK = re.compile(r'<w:hyperlink w:anchor="([\w-]+)"[^>]*>(.*?)</w:hyperlink>', re.S)
# A bookmark and its content (sections' bookmarks enclose others: each is read from its own start).
_DOCX_ENTRY = re.compile(
    r'(?=<w:bookmarkStart w:id="(\d+)" w:name="([\w-]+)"\s*/>(.*?)<w:bookmarkEnd w:id="\1")', re.S
)
_DOCX_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_TYP_MARK = re.compile(r"#record-mark\(<prov-([\w-]+)>\)\[([^\]]*)\]")
_TYP_ENTRY = re.compile(r"#strong\[([^\]]*)\]\s+([\w-]+)<prov-([\w-]+)>")
# A mark as a reader's program extracts it from the PDF: whole, or not as itself. pdftotext may
# join a table cell's last word to the next column's first ("R4member"): digits end a mark.
_PDF_MARK = re.compile(r"(?<![\w-])R[0-9]{1,4}(?![0-9])")


def _documents(built: Path) -> list[layout.Document]:
    return layout.documents(layout.brief_slugs(built / "data"))


def _docx_bookmark(name: str) -> str:
    """The bookmark pandoc's DOCX writer makes of an anchor: Word allows 40 characters, so a
    longer name becomes "X" and the SHA-1 of the name less its first hex digit."""
    return name if len(name) <= 40 else "X" + hashlib.sha1(name.encode("utf-8")).hexdigest()[1:]


def _check_marks(marks, entries, where: str, target_of=lambda record: record):
    """Every mark (target, text) is short and is the mark of the entry it links to, which shows
    the record's full id; ``target_of``: the link target the format makes of a record id."""
    assert marks, f"{where}: no record marks"
    for target, text in marks:
        assert 0 < len(text) <= MAX_MARK, (where, target, text)
        assert target in entries, f"{where}: {text} links to no appendix entry ({target})"
        number, shown_id = entries[target]
        assert number == text and target_of(shown_id) == target, (where, target, text, shown_id)
    numbers = [n for n, _ in entries.values()]
    assert len(set(numbers)) == len(numbers), f"{where}: two entries share a mark"


def test_every_record_mark_is_short_and_links_to_its_numbered_appendix_entry(built):
    for doc in _documents(built):
        html = (built / doc.output("html")).read_text(encoding="utf-8")
        marks = _HTML_MARK.findall(html)
        assert len(marks) == html.count('class="record-id"'), doc.key
        # the HTML keeps the full id in the link target and the tooltip
        assert all(target in title for target, title, _ in marks), doc.key
        entries = {t: (n, i) for t, n, i in _HTML_ENTRY.findall(html)}
        _check_marks([(t, text) for t, _, text in marks], entries, doc.output("html"))

        with zipfile.ZipFile(built / doc.output("docx")) as z:
            xml = z.read("word/document.xml").decode("utf-8")
        marks = [
            (t, "".join(_DOCX_TEXT.findall(body)))
            for t, body in _DOCX_MARK.findall(xml)
            if "RecordID" in body
        ]
        assert len(marks) == xml.count('w:val="RecordID"'), doc.key
        entries = {}
        for _, target, body in _DOCX_ENTRY.findall(xml):
            number, _, shown = "".join(_DOCX_TEXT.findall(body)).partition(" ")
            entries.setdefault(target, (number, shown))
        entries = {t: e for t, e in entries.items() if _docx_bookmark("prov-" + e[1]) == t}
        _check_marks(
            marks, entries, doc.output("docx"), lambda record: _docx_bookmark("prov-" + record)
        )

        typ = (built / doc.typ).read_text(encoding="utf-8")
        entries = {t: (n, i) for n, i, t in _TYP_ENTRY.findall(typ)}
        _check_marks(_TYP_MARK.findall(typ), entries, doc.typ)


def test_no_record_mark_is_split_across_lines_in_the_pdf(built):
    """pdftotext finds every mark of the Typst source whole (a brief with tables, the tables document)."""
    for doc in (
        layout.document("briefs", "kazakhstan"),
        layout.document("tables", "comparative-tables"),
    ):
        typ = (built / doc.typ).read_text(encoding="utf-8")
        marks = Counter(
            [text for _, text in _TYP_MARK.findall(typ)]
            + [n for n, _, _ in _TYP_ENTRY.findall(typ)]
        )
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(built / doc.output("pdf")), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        # The reading key in the masthead shows one mark as its example (partials/reading_key):
        # plain text of a mark's shape, outside any mark, entry or Typst comment, counted as it stands.
        plain = re.sub(r"(?m)^\s*//.*$", " ", _TYP_ENTRY.sub(" ", _TYP_MARK.sub(" ", typ)))
        example = Counter(_PDF_MARK.findall(plain))
        assert sum(example.values()) <= 1, (doc.key, example)
        # the same marks, each whole (the seed data's text holds no word of a mark's shape)
        assert marks and Counter(_PDF_MARK.findall(text)) == marks + example, doc.key
