"""`coopdocs diff`: change report and redlines between two versions of a small git history.

One temporary git repository is made from the project (v1), then one commit changes a
project's years, adds a project, deletes an event and fixes a word in the brief template's
Union-only paragraph. `coopdocs diff v1 HEAD` must report exactly those changes, redline exactly
those words as Word revisions, and leave the untouched briefs alone; `coopdocs diff v1 v1` exits 0.
"""

from __future__ import annotations

import difflib
import html as html_module
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from functools import partial
from pathlib import Path

import pytest
import yaml

import helpers
from coopdocs.tools import revision
from helpers import read_table, write_table
from ooxml_revisions import (
    libreoffice_available,
    open_in_libreoffice,
    revision_errors,
    settled_text,
)

ROOT = Path(__file__).resolve().parents[2]
COOPDOCS = str(Path(sys.executable).parent / "coopdocs")
EPOCH = "1672358400"

CHANGED_PROJECT = "prj-am-textile-phase-2"
ADDED_PROJECT = "prj-kz-diff-test-added"
REMOVED_EVENT = "evt-kz-mfa-vienna-2019"
TEMPLATE_OLD = "The Union adopts its Main Directions of International Activity each year."
TEMPLATE_NEW = "The Union adopts its Main Directions of International Activity every year."
# v3: the review article's title (authored text), and a record that only the article shows.
TITLE_OLD, TITLE_NEW = "A Data-Driven Review", "A Data-Driven Survey"
ARTICLE_EVENT = "evt-unido-gc15-2013"
EVENT_OLD, EVENT_NEW = (
    "UNIDO General Conference, 2013",
    "UNIDO General Conference, session of 2013",
)


# Every commit of these tests at one time (2023-01-01), so that a revision's date is known.
WHEN = 1672531200
git = partial(helpers.git, when=WHEN)


def diff(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    return subprocess.run(
        [COOPDOCS, "diff", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )


def _project_v1(repo: Path) -> Path:
    """The project copied to ``repo``, a new git repository whose first commit is tagged v1."""
    return revision.scratch_repository(ROOT, repo, author="t", when=WHEN)


def _add_project(project: Path, model: str, **values: str) -> None:
    """A project added to ``project``'s data: a copy of the project ``model`` with ``values``, a
    test description and no note."""

    def add(rows):
        row = next(r for r in rows if r["id"] == model)
        rows.append(
            dict(row, description="A test project added by the diff test.", note="", **values)
        )

    helpers.edit_table(project, "projects", add)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    repo = _project_v1(tmp_path_factory.mktemp("diff") / "project")
    template = repo / "templates" / "brief.md.j2"
    assert TEMPLATE_OLD in template.read_text(encoding="utf-8")

    def change_years(rows):
        row = next(p for p in rows if p["id"] == CHANGED_PROJECT)
        assert (row["start_year"], row["end_year"]) == ("2017", "2019")
        row["start_year"] = "2018"

    helpers.edit_table(repo, "projects", change_years)
    _add_project(
        repo,
        "prj-kz-damu-industrial-enterprise-centre",
        id=ADDED_PROJECT,
        title="Pilot of zebra-crossing sensors in Kazakhstan",
        start_year="2021",
        end_year="2022",
    )
    helpers.edit_table(repo, "events", lambda rows: _drop(rows, REMOVED_EVENT))
    template.write_text(
        template.read_text(encoding="utf-8").replace(TEMPLATE_OLD, TEMPLATE_NEW), encoding="utf-8"
    )
    git(repo, "commit", "-q", "-am", "v2")
    git(repo, "tag", "v2")
    return repo


@pytest.fixture(scope="module")
def result(repo: Path) -> tuple[subprocess.CompletedProcess, Path]:
    proc = diff(repo, "v1", "v2")
    return proc, repo / "reports" / "diff" / "v1..v2"


@pytest.fixture(scope="module")
def article_only(repo: Path, result) -> tuple[subprocess.CompletedProcess, Path]:
    """v3: a record only the article uses, and the article's title, changed; compared with v2."""
    events = read_table(repo / "data" / "events.csv")
    row = next(e for e in events if e["id"] == ARTICLE_EVENT)
    assert row["title"] == EVENT_OLD
    row["title"] = EVENT_NEW
    write_table(repo / "data" / "events.csv", events, list(events[0].keys()))
    article = repo / "data" / "text" / "article.md"
    text = article.read_text(encoding="utf-8")
    assert TITLE_OLD in text
    article.write_text(text.replace(TITLE_OLD, TITLE_NEW), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "v3")
    git(repo, "tag", "v3")
    proc = diff(repo, "v2", "v3")
    return proc, repo / "reports" / "diff" / "v2..v3"


def _plain(md: Path) -> str:
    """The change report's Markdown without its escaping backslashes (data values are escaped)."""
    return re.sub(r"\\(.)", r"\1", md.read_text(encoding="utf-8"))


def _revisions(docx: Path) -> tuple[list[str], list[str]]:
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    ins = [
        "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", m))
        for m in re.findall(r"<w:ins [^>]*>(.*?)</w:ins>", xml, re.S)
    ]
    dels = [
        "".join(re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", m))
        for m in re.findall(r"<w:del [^>]*>(.*?)</w:del>", xml, re.S)
    ]
    return [s for s in ins if s.strip()], [s for s in dels if s.strip()]


def test_exit_status_and_summary(result):
    proc, out = result
    assert proc.returncode == 1, proc.stderr
    line = proc.stdout.strip()
    assert line.startswith("1 record changed, 1 added, 1 removed;"), line
    assert line.endswith("→ reports/diff/v1..v2/")
    for name in ("changes.md", "changes.html", "changes.docx"):
        assert (out / name).is_file()


def test_change_report_lists_exactly_the_record_changes(result):
    _, out = result
    md = _plain(out / "changes.md")
    records = md.split("# Records", 1)[1].split("\n# Sources", 1)[0]
    listed = re.findall(r"^- \*\*([^*]+)\*\*", records, re.M)
    assert sorted(listed) == sorted([CHANGED_PROJECT, ADDED_PROJECT, REMOVED_EVENT])
    assert "## projects" in records and "## events" in records
    changed = records.split("### Changed", 1)[1].split("###", 1)[0]
    assert "start_year: 2017 → 2018" in changed, changed
    assert "end_year" not in changed
    assert ADDED_PROJECT in records.split("### Added", 1)[1]
    assert REMOVED_EVENT in records.split("### Removed", 1)[1]
    # Affected documents and sections are named.
    assert "affects briefs/armenia" in changed
    assert "Phase II" in changed  # the project's own section heading
    _assert_report_agrees(out)


def _assert_report_agrees(out: Path) -> None:
    """One account of each change: every record and source the Records part lists names the same
    documents as the Documents part's table lists it under; a source a document now cites or no
    longer cites (the Sources part), when changed in the data, names that document; and the
    summary counts what the parts list."""
    md = _plain(out / "changes.md")
    records = md.split("# Records", 1)[1].split("\n# Sources", 1)[0] if "# Records" in md else ""
    affects: dict[str, set[str]] = {}
    kinds: dict[str, int] = {"changed": 0, "added": 0, "removed": 0}
    kind = ""
    for line in records.splitlines():
        if line.startswith("### "):
            kind = line[4:].strip().lower()
        elif m := re.match(r"- \*\*([^*]+)\*\*", line):
            rid = m.group(1)
            affects[rid] = set()
            kinds[kind] += 1
        elif m := re.match(r"    - affects ([^,]+),", line):
            affects[rid].add(m.group(1))
    rows = re.findall(r"^\| ([^:|]+): [^|]*\| (\w+) \| ([^|]*) \|", _changed_documents(out), re.M)
    listed = {
        rid: {doc for doc, _, ids in rows if rid in ids.strip().split(", ")} for rid in affects
    }
    assert affects == listed, (affects, listed)
    sources = md.split("\n# Sources", 1)[1].split("\n# Documents", 1)[0]
    for doc, cited in re.findall(r"^- ([a-z]+/[a-z-]+): (.*)$", sources, re.M):
        for source in re.findall(r"ref\d+", cited):
            assert source not in affects or doc in affects[source], (doc, source, affects)
    summary = f"{kinds['changed']} record{'s' if kinds['changed'] != 1 else ''} changed, "
    summary += f"{kinds['added']} added, {kinds['removed']} removed; {len(rows)} document"
    assert summary in md, (summary, md[:600])


def test_documents_changed_and_unchanged(result):
    _, out = result
    md = _plain(out / "changes.md")
    docs = md.split("\n# Documents", 1)[1]
    table = docs.split(": Documents whose content changed.", 1)[0]
    for brief in ("armenia", "kazakhstan", "eaeu"):
        assert f"briefs/{brief}" in table
        assert (out / f"briefs-{brief}.docx").is_file() and (out / f"briefs-{brief}.html").is_file()
    unchanged_line = next(line for line in docs.splitlines() if line.startswith("Unchanged:"))
    for brief in ("belarus", "kyrgyzstan"):
        assert f"briefs/{brief}" in unchanged_line
        assert not (out / f"briefs-{brief}.docx").exists()
    # The template edit changes the Union brief without any record change.
    eaeu_row = next(line for line in table.splitlines() if "briefs/eaeu" in line)
    assert "none (wording, template or code)" in eaeu_row
    assert "briefs/eaeu" in next(
        line for line in docs.splitlines() if line.startswith("Changed without any record change")
    )


def _changed_documents(out: Path) -> str:
    docs = _plain(out / "changes.md").split("\n# Documents", 1)[1]
    return docs.split(": Documents whose content changed.", 1)[0]


def test_the_tables_document_and_the_article_are_compared(result):
    """The changed and added projects are in the comparative tables and the article: both redlined."""
    _, out = result
    table = _changed_documents(out)
    for doc in ("tables/comparative-tables", "article/review"):
        assert doc in table, table
        assert (out / f"{doc.replace('/', '-')}.docx").is_file() and (
            out / f"{doc.replace('/', '-')}.html"
        ).is_file()
    changed = _plain(out / "changes.md").split("### Changed", 1)[1].split("###", 1)[0]
    assert "tables/comparative-tables" in changed and "article/review" in changed
    ins, _ = _revisions(out / "tables-comparative-tables.docx")
    assert any("zebra-crossing" in s for s in ins), ins
    ins, _ = _revisions(out / "article-review.docx")
    assert ins, "the article's redline marks no insertion"


def test_what_only_the_article_shows_is_compared(article_only):
    proc, out = article_only
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.startswith("1 record changed, 0 added, 0 removed; 1 document changed"), (
        proc.stdout
    )
    table = _changed_documents(out)
    assert "article/review" in table and "briefs/" not in table and "tables/" not in table, table
    assert "affects article/review" in _plain(out / "changes.md")
    ins, dels = _revisions(out / "article-review.docx")
    # the event's title gains "session of" before its year (nothing of it is deleted)
    assert any("session of" in w for w in ins), (ins, dels)
    # the article's own title: one word replaced, in its title block
    assert "Survey" in ins and "Review" in dels, (ins, dels)
    assert not list(out.glob("briefs-*")) and not list(out.glob("tables-*"))


# A document's text digest as its provenance appendix prints it (render.publish.text_digest).
_DIGEST = re.compile(r"[0-9a-f]{12}")


def test_redline_has_exactly_the_changed_words(result):
    import docx

    _, out = result
    ins, dels = _revisions(out / "briefs-armenia.docx")
    assert "2018" in ins and "2017" in dels, (ins, dels)
    # Nothing else changed in Armenia's brief but the year (table and text) and its text digest.
    assert all(s.strip() == "2018" or _DIGEST.fullmatch(s.strip()) for s in ins), ins
    assert all(s.strip() == "2017" or _DIGEST.fullmatch(s.strip()) for s in dels), dels
    xml = zipfile.ZipFile(out / "briefs-armenia.docx").read("word/document.xml").decode("utf-8")
    assert re.search(r'<w:ins [^>]*w:author="coopdocs"[^>]*w:date="2022-12-30T00:00:00Z"', xml)
    ids = re.findall(r'<w:(?:ins|del) w:id="(\d+)"', xml)
    assert len(ids) == len(set(ids))
    docx.Document(str(out / "briefs-armenia.docx"))
    # The template fix: exactly one word replaced in the Union brief, and so its text digest.
    ins, dels = _revisions(out / "briefs-eaeu.docx")
    digests = [s for s in ins + dels if _DIGEST.fullmatch(s.strip())]
    assert len(digests) == 2 and digests[0] != digests[1], (ins, dels)
    assert [s for s in ins if s not in digests] == ["every"], (ins, dels)
    assert [s for s in dels if s not in digests] == ["each"], (ins, dels)
    # HTML marks the same.
    html = (out / "briefs-eaeu.html").read_text(encoding="utf-8")
    assert re.search(r"<del [^>]*>each</del>\s*<ins [^>]*>every</ins>", html)
    # The added project is inserted in Kazakhstan's brief, the removed event deleted.
    ins, dels = _revisions(out / "briefs-kazakhstan.docx")
    assert any("zebra-crossing" in s for s in ins)
    assert any("Vienna" in s for s in dels)


def test_redline_opens_in_libreoffice(result, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed")
    _, out = result
    env = dict(os.environ, HOME=str(tmp_path))
    proc = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out / "briefs-armenia.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    pdf = tmp_path / "briefs-armenia.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 1000, proc.stdout + proc.stderr


def test_same_version_exits_zero(repo):
    proc = diff(repo, "v1", "v1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("0 records changed, 0 added, 0 removed; 0 documents changed")


def test_errors_exit_two(repo, tmp_path):
    proc = diff(repo, "v1", "no-such-revision")
    assert proc.returncode == 2 and "unknown revision" in proc.stderr
    plain = tmp_path / "not-a-repo"
    plain.mkdir()
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(tmp_path))
    proc = subprocess.run([COOPDOCS, "diff"], cwd=plain, env=env, capture_output=True, text=True)
    assert proc.returncode == 2 and "not in a git repository" in proc.stderr


def test_tables_compared_cell_by_cell(result):
    """The changed years, the added project and the removed event, in the tables' cells and rows."""
    proc, out = result
    assert "; 0 tables changed" not in proc.stdout and "tables changed" in proc.stdout, proc.stdout
    md = _plain(out / "changes.md")
    tables = md.split("\n# Tables", 1)[1].split("\n# How to read", 1)[0]
    timeline = tables.split("## timeline", 1)[1].split("\n## ", 1)[0]
    assert "Rows are identified by country_code, record_id." in timeline
    assert f"- row AM, {CHANGED_PROJECT}, start_year: 2017 → 2018" in timeline, timeline
    assert f"- row added: KZ, {ADDED_PROJECT}" in timeline
    assert f"- row removed: KZ, {REMOVED_EVENT}" in timeline
    by_theme = tables.split("## projects-by-theme", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"- row [a-z-]+, KZ, count: (\d+) → (\d+)", by_theme), by_theme


def _redlines(*outs: Path) -> list[Path]:
    return [d for out in outs for d in sorted(out.glob("*.docx")) if d.name != "changes.docx"]


def test_every_redline_is_valid_wordprocessingml(result, article_only):
    redlines = _redlines(result[1], article_only[1])
    # Each changed document's redline (v1..v2: the briefs, the tables, the article; v2..v3: the
    # article).
    assert {"briefs-armenia", "tables-comparative-tables", "article-review"} <= {
        d.stem for d in redlines
    }
    assert sum(d.stem == "article-review" for d in redlines) == 2
    for docx in redlines:
        assert revision_errors(docx) == [], docx.name


def _built(repo: Path, tag: str, dest: Path) -> Path:
    """The version ``tag`` of the test repository exported and built (as coopdocs diff builds it)."""
    commit = git(repo, "rev-parse", tag).strip()
    project = revision.export(repo, commit, dest / tag)
    proc = revision.build(project, epoch=int(EPOCH), cores=2, fixed_locale=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return project


@pytest.mark.skipif(not libreoffice_available(), reason="LibreOffice with python3-uno is needed")
def test_libreoffice_accept_all_is_the_new_version_reject_all_the_old(
    repo, result, tmp_path_factory
):
    """Each redline of v1..v2 (a changed, an added and a removed record, a template edit) in
    LibreOffice: Accept All gives v2's DOCX text, Reject All v1's."""
    tmp = tmp_path_factory.mktemp("libreoffice")
    old, new = _built(repo, "v1", tmp), _built(repo, "v2", tmp)
    redlines = _redlines(result[1])
    versions = []
    for docx in redlines:
        folder, name = docx.stem.split("-", 1)
        for tag, project in (("v1", old), ("v2", new)):
            copy = tmp / f"{tag}-{docx.stem}.docx"
            shutil.copy2(project / "reports" / folder / f"{name}.docx", copy)
            versions.append(copy)
    seen = open_in_libreoffice(redlines + versions, tmp / "profile")
    # The change report's insertions and deletions per document.
    counted = {
        m.group(1).replace("/", "-"): int(m.group(2)) + int(m.group(3))
        for m in re.finditer(
            r"^\| (\S+): .*\| (\d+) \| (\d+) \| [^|]+\|$",
            _changed_documents(result[1]),
            re.M,
        )
    }
    counts = {d.stem: (seen[d.stem]["changes"], counted.get(d.stem)) for d in redlines}
    # LibreOffice lists two changes of the same kind that touch (words inserted, then an inserted
    # record mark's hyperlink) as one; the report counts them apart. Never more, never none.
    assert all(0 < lo <= report for lo, report in counts.values()), counts
    assert counts["briefs-armenia"][0] == counts["briefs-armenia"][1], counts
    # The one-word template fix and the text digest it changes: two replacements.
    assert counts["briefs-eaeu"] == (4, 4), counts
    for docx in redlines:
        _assert_accept_new_reject_old(seen, docx.stem, "v1", "v2", result[1])


_TOKEN = re.compile(r"\[[\d,–; -]+\]|\w+|[^\w\s]")
# A citation as the text shows it ("[12]", "[3–5, 9]"): one token.
_CITATION = re.compile(r"\[[\d,–; -]+\]")


# The number heading a reference list entry ("12. Shugurov (2022)..."): one token.
_ENTRY_NUMBER = re.compile(r"(\d+\.)\s")


def _tokens(lines: list[str]) -> list[str]:
    """Words, punctuation, whole citations and reference entries' numbers of a text, in order
    (what the comparison goes by)."""
    out: list[str] = []
    for line in lines:
        entry = _ENTRY_NUMBER.match(line)
        if entry:
            out.append(entry.group(1))
            line = line[entry.end() :]
        out += _TOKEN.findall(line)
    return out


def _mark_pattern() -> re.Pattern:
    """A record mark as the strings file's ``record_mark`` writes it ("R{n}": R12)."""
    form = yaml.safe_load((ROOT / "templates" / "strings.yaml").read_text(encoding="utf-8"))[
        "record_mark"
    ]
    return re.compile(re.escape(form).replace(re.escape("{n}"), r"\d+"))


def _slot(token: str, mark: re.Pattern) -> str:
    """What aligns a token with its counterpart: a citation or record mark by its kind alone
    (its numbers are compared after alignment), any other token as itself."""
    if _CITATION.fullmatch(token) or _ENTRY_NUMBER.match(token + " "):
        return "[citation]"
    return "[mark]" if mark.fullmatch(token) else token


def _renumbering_only(want: str, got: str, moved: dict[str, dict[int, int]]) -> bool:
    """Whether ``got`` is the citation or mark ``want`` with exactly the renumbering ``moved``
    (the change report's, by kind) applied to its numbers."""
    numbers = moved[_kind(want)]
    return sorted(numbers.get(n, n) for n in _numbers(want)) == sorted(_numbers(got))


def _renumbered(out: Path, name: str, kind: str | None = None) -> set[tuple[str, str]]:
    """The report's renumbering of one document: every (old, new) number it lists, one by one;
    ``kind``: of the "record marks" or the "citations" only."""
    line = next(
        (
            line
            for line in _plain(out / "changes.md").splitlines()
            if line.startswith(f"- {name}: record marks") or line.startswith(f"- {name}: citations")
        ),
        "",
    )
    parts = dict(
        re.match(r"(record marks|citations) (.*)", part).groups()
        for part in line.split(": ", 1)[-1].split("; ")
        if line
    )
    pairs = set()
    for what, runs in parts.items():
        if kind not in (None, what):
            continue
        for a, b, c, d in re.findall(
            r"(\d+)\]?(?:–\D*(\d+)\]?)? → \D*?(\d+)\]?(?:–\D*(\d+))?", runs
        ):
            first, last, new = int(a), int(b or a), int(c)
            pairs |= {(str(n), str(new + n - first)) for n in range(first, last + 1)}
            assert int(d or c) == new + last - first, line
    return pairs


def _assert_accept_new_reject_old(seen: dict, stem: str, old: str, new: str, out: Path) -> None:
    """Accept All gives the new version's text token for token; Reject All the old version's token
    for token, except exactly the citations and marks the report lists as renumbered (shown with
    their new numbers): after aligning the two texts (a citation or mark stands for its kind),
    every token is equal but such a renumbered one, and nothing is inserted or left out."""
    red = seen[stem]
    # The redline's note (what it compares) is its one line more than the document.
    note = next(i for i, t in enumerate(red["accepted"]) if t.startswith("Redline of "))
    accepted = red["accepted"][:note] + red["accepted"][note + 1 :]
    rejected = red["rejected"][:note] + red["rejected"][note + 1 :]
    assert _tokens(accepted) == _tokens(seen[f"{new}-{stem}"]["text"]), stem
    got, want = _tokens(rejected), _tokens(seen[f"{old}-{stem}"]["text"])
    mark = _mark_pattern()
    sm = difflib.SequenceMatcher(
        None, [_slot(t, mark) for t in want], [_slot(t, mark) for t in got], autojunk=False
    )
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        assert op == "equal", (stem, want[i1 - 5 : i2 + 5], got[j1 - 5 : j2 + 5])
    name = stem.replace("-", "/", 1)
    moved = {
        k: {int(a): int(b) for a, b in _renumbered(out, name, k)}
        for k in ("citations", "record marks")
    }
    differences = [(w, g) for w, g in zip(want, got, strict=True) if w != g]
    if not any(moved.values()):
        # Nothing renumbered (the data's numbering register keeps every number): Reject All is
        # the old version exactly, citation numbers and record marks included.
        assert not differences, (stem, differences[:20])
    unlisted = [(w, g) for w, g in differences if not _renumbering_only(w, g, moved)]
    assert not unlisted, (stem, unlisted[:20])


# The editor's six everyday edits of issue 33, each made alone on v1 and all together.
SIX_EVENT, SIX_PROJECT, SIX_SOURCE = (
    "evt-by-mic-conference-2015",
    "prj-am-diff-test-added",
    "ref140",
)
SIX_INSTRUMENT, SIX_OUTCOME = (
    "ins-by-framework-programme-2020",
    "out-by-automotive-pilot-enterprises",
)


def _edit_date(project: Path) -> None:
    helpers.edit_table(project, "events", lambda rows: _set(rows, SIX_EVENT, date="2015-04-24"))


def _edit_new_project(project: Path) -> None:
    def add_source(rows):
        rows.append(
            dict(
                rows[-1],
                id=SIX_SOURCE,
                ref_number="140",
                cited_count="1",
                description="A report on a test project added by the diff test.",
                note="",
                unused_reason="",
                cited_as="",
                url="",
                year="",
            )
        )

    helpers.edit_table(project, "sources", add_source)
    _add_project(
        project,
        "prj-am-quality-infrastructure",
        id=SIX_PROJECT,
        title="Pilot of tram-stop sensors in Armenia",
        sources=SIX_SOURCE,
        source_note="",
    )


def _edit_delete_instrument(project: Path) -> None:
    helpers.edit_table(project, "instruments", lambda rows: _drop(rows, SIX_INSTRUMENT))


def _edit_figure(project: Path) -> None:
    helpers.edit_table(project, "outcomes", lambda rows: _set(rows, SIX_OUTCOME, value="35"))


def _edit_official_name(project: Path) -> None:
    rows = read_table(project / "data" / "countries.csv")
    row = next(r for r in rows if r["code"] == "KZ")
    row["official_name"] = "The Republic of Kazakhstan"
    write_table(project / "data" / "countries.csv", rows)


def _edit_reorder(project: Path) -> None:
    helpers.edit_table(project, "events", lambda rows: rows.reverse())


def _set(rows: list[dict], rid: str, **values: str) -> None:
    next(r for r in rows if r["id"] == rid).update(values)


def _drop(rows: list[dict], rid: str) -> None:
    rows[:] = [r for r in rows if r["id"] != rid]


SIX_EDITS = {
    "date": _edit_date,
    "new-project": _edit_new_project,
    "instrument-deleted": _edit_delete_instrument,
    "figure": _edit_figure,
    "official-name": _edit_official_name,
    "reorder": _edit_reorder,
}


def _branches(repo: Path, base: str, prefix: str, edits: dict) -> None:
    """On a branch from ``base`` per entry of ``edits`` (name: edit functions), the edits made
    and committed, tagged ``<prefix>-<name>``."""
    for name, functions in edits.items():
        git(repo, "checkout", "-q", "-b", f"{prefix}-{name}", base)
        for edit in functions:
            edit(repo)
        git(repo, "commit", "-q", "-am", name)
        git(repo, "tag", f"{prefix}-{name}")
    git(repo, "checkout", "-q", "main")


@pytest.fixture(scope="module")
def six_repo(tmp_path_factory) -> Path:
    """A repository with v1 and, on branches from it, each of the six edits alone and all six.
    The project's data has its numbering register (data/numbering.json)."""
    repo = _project_v1(tmp_path_factory.mktemp("six") / "project")
    assert (repo / "data" / "numbering.json").is_file()
    _branches(
        repo, "v1", "e", {**{k: [f] for k, f in SIX_EDITS.items()}, "all": SIX_EDITS.values()}
    )
    return repo


@pytest.fixture(scope="module")
def unnumbered_repo(tmp_path_factory) -> Path:
    """v1 without the numbering register (tag u1: each document numbers from 1 in reading
    order), and all six edits on it (u-all)."""
    repo = _project_v1(tmp_path_factory.mktemp("unnumbered") / "project")
    git(repo, "rm", "-q", "data/numbering.json")
    git(repo, "commit", "-q", "-m", "no numbering register")
    git(repo, "tag", "u1")
    _branches(repo, "u1", "u", {"all": SIX_EDITS.values()})
    return repo


def _settle(redlines: list[Path], versions: list[Path], profile: Path) -> dict[str, dict]:
    """Each file's text as opened, after Accept All and after Reject All: by LibreOffice where it
    is installed, else as the WordprocessingML's tracked changes define it (settled_text)."""
    if libreoffice_available():
        return open_in_libreoffice(redlines + versions, profile)
    seen = {d.stem: {"text": settled_text(d, True)} for d in versions}
    for d in redlines:
        seen[d.stem] = {"accepted": settled_text(d, True), "rejected": settled_text(d, False)}
    return seen


@pytest.mark.parametrize(
    "edit",
    ["all", *SIX_EDITS],
)
def test_six_edits_accept_all_is_new_reject_all_is_old(six_repo, edit, tmp_path):
    """Issue 33's edits, each alone and all together, on data with a numbering register: nothing
    is renumbered (the report lists no renumbering, no tracked change is a number), and Accept
    All / Reject All give the new / old text exactly, token for token."""
    moved = _six_edits(six_repo, "v1", f"e-{edit}", tmp_path, reorder=edit == "reorder")
    assert not any(pairs for kinds in moved.values() for pairs in kinds.values()), moved


def test_without_a_register_the_renumbering_is_listed(unnumbered_repo, tmp_path):
    """The six edits on data without a numbering register: the added source and records move the
    numbers after them, the report lists that renumbering, no tracked change is a renumbering
    only, and Reject All is the old text but exactly the listed numbers."""
    moved = _six_edits(unnumbered_repo, "u1", "u-all", tmp_path)
    assert moved["article/review"]["citations"] and moved["article/review"]["record marks"], moved


def _six_edits(repo: Path, a: str, b: str, tmp_path: Path, reorder: bool = False) -> dict:
    """``coopdocs diff a b`` and its redlines settled (Accept All, Reject All) against both
    versions' DOCX (:func:`_assert_accept_new_reject_old`); returns each redline's renumbering
    as the change report lists it ({document: {kind: pairs}})."""
    proc = diff(repo, a, b)
    out = repo / "reports" / "diff" / f"{a}..{b}"
    if reorder:
        assert proc.returncode == 0 and not _redlines(out), proc.stdout + proc.stderr
        return {}
    assert proc.returncode == 1, proc.stdout + proc.stderr
    _assert_report_agrees(out)
    redlines = _redlines(out)
    assert redlines, proc.stdout
    old, new = _built(repo, a, tmp_path), _built(repo, b, tmp_path)
    versions, listed = [], {}
    for docx in redlines:
        name = docx.stem.replace("-", "/", 1)
        moved = {k: _renumbered(out, name, k) for k in ("citations", "record marks")}
        listed[name] = moved
        assert not _renumbering_tracked(docx, moved), docx.name
        folder, name = docx.stem.split("-", 1)
        for tag, project in (("old", old), ("new", new)):
            copy = tmp_path / f"{tag}-{docx.stem}.docx"
            shutil.copy2(project / "reports" / folder / f"{name}.docx", copy)
            versions.append(copy)
    seen = _settle(redlines, versions, tmp_path / "profile")
    for docx in redlines:
        _assert_accept_new_reject_old(seen, docx.stem, "old", "new", out)
    return listed


def _numbers(text: str) -> list[int]:
    """The numbers a citation or mark shows, ranges expanded ("[3–5, 9]": 3, 4, 5, 9)."""
    out: list[int] = []
    for first, last in re.findall(r"(\d+)(?:[–-](\d+))?", text):
        out += range(int(first), int(last or first) + 1)
    return out


def _renumbering_tracked(docx: Path, renumbered: dict[str, set[tuple[str, str]]]) -> list[str]:
    """Tracked changes that only renumber: a citation ("[12]") or record mark (the strings file's
    ``record_mark``, "R12") deleted and inserted in its place with the numbers the document's
    renumbering (the report's, ``renumbered``) gives the old ones."""
    mark = _mark_pattern().pattern
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    number = (
        r"<w:r(?: [^>]*)?>(?:(?!</w:r>).)*?<w:(?:t|delText)[^>]*>(\[[\d,–; -]+\]|"
        + mark
        + r")</w:(?:t|delText)>"
    )
    pair = re.compile(r"<w:del [^>]*>" + number + r"</w:r></w:del><w:ins [^>]*>" + number, re.S)
    moved = {k: {int(a): int(b) for a, b in pairs} for k, pairs in renumbered.items()}
    return [
        f"{a} → {b}"
        for a, b in pair.findall(xml)
        if [moved[_kind(a)].get(n, n) for n in _numbers(a)] == _numbers(b)
    ]


def _kind(number: str) -> str:
    """Which renumbering a number shown belongs to: a citation's ("[12]") or reference entry's
    ("12."), or a record mark's ("R12")."""
    return "citations" if number.startswith("[") or number[0].isdigit() else "record marks"


# ------------------------------------------------- the change report's HTML in Chromium (issue 33)

CHROMIUM = "/usr/bin/chromium"
# A page that shows the report in a frame ``width`` px wide (headless Chromium's window is at
# least 500 px wide, a phone's 375) and, once the report is laid out, writes into itself what
# passes the report's column: "page" (how far the report's page scrolls sideways) and "over",
# every element whose box or content runs past the right edge of the body's content box
# ("tag: px past").
_HOST = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="report" style="border:0" width="@WIDTH@" height="900" srcdoc="@REPORT@"></iframe>
<script>
document.getElementById("report").addEventListener("load", (event) => {
  const win = event.target.contentWindow, doc = win.document, body = doc.body;
  const right = body.getBoundingClientRect().right - parseFloat(win.getComputedStyle(body).paddingRight);
  const over = [...body.querySelectorAll("*")]
    .map((el) => [el.tagName.toLowerCase(),
                  Math.round(Math.max(el.getBoundingClientRect().right,
                                      el.getBoundingClientRect().left + el.scrollWidth) - right)])
    .filter(([, past]) => past > 1).map(([tag, past]) => tag + ": " + past);
  const out = document.createElement("pre");
  out.id = "overflow-result";
  out.textContent = JSON.stringify({ page: doc.documentElement.scrollWidth - win.innerWidth, over });
  document.body.appendChild(out);
});
</script></body></html>"""


def _long_report(tmp: Path) -> Path:
    """A change report whose Sources, Records and Documents parts hold long lists: a document that
    now cites 150 sources and no longer cites 60, a record affecting six documents in many
    sections, and a table row keyed by long identifiers. Returns its HTML."""
    from coopdocs.review.documents import DocumentResult
    from coopdocs.review.records import RecordChange
    from coopdocs.review.redlines import styles
    from coopdocs.review.report import change_report, report_context, report_words, write_report
    from coopdocs.review.tables import TableChange
    from coopdocs.review.versions import Version
    from coopdocs.tools.config import load_config

    keys = [("briefs", f"state-with-a-long-name-{i}") for i in range(6)]
    change = RecordChange(
        "projects", "prj-" + "-".join(["long-identifier"] * 6), "changed", "A project " * 12
    )
    change.fields = [("title", "Old title " * 10, "New title " * 10)]
    change.documents = keys
    docs = [
        DocumentResult(
            key,
            "A document title that goes on " * 4,
            "changed",
            records=[change.id],
            sources_added=[f"ref{n:03d}" for n in range(150)],
            sources_removed=[f"ref{n:03d}" for n in range(150, 210)],
            insertions=12,
            deletions=3,
            renumbered={
                "form": "R{n}",
                "marks": [(n, n, n + 1, n + 1) for n in range(1, 200, 2)],
                "citations": [(n, n + 3, n + 1, n + 4) for n in range(1, 120, 5)],
            },
        )
        for key in keys
    ]
    sections = {
        (change.id, key): [f"Section {n}: " + "words " * 8 for n in range(9)] for key in keys
    }
    table = TableChange("timeline", "changed", ["country_code", "record_id"])
    table.cells = [("XX, " + change.id, "title", "Old title " * 10, "New title " * 10)]
    words = report_words(ROOT / "templates", None)
    a, b = Version("v1", "0" * 40), Version("v2-" + "x" * 60, "1" * 40)
    context = report_context(a, b, [change], docs, [table], sections, int(EPOCH), words)
    write_report(
        tmp, change_report(ROOT / "templates", context), int(EPOCH), styles(ROOT, load_config(ROOT))
    )
    return tmp / "changes.html"


@pytest.mark.parametrize("width", [1280, 375])
def test_change_report_html_keeps_long_lists_in_their_column(width, tmp_path):
    """In Chromium at a desktop's and a phone's width, no element of the change report's HTML
    passes the right edge of its column and the page does not scroll sideways (issue 33: a long
    sources list ran 1,221 px in a 742 px column)."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is not installed")
    html = _long_report(tmp_path)
    text = html.read_text(encoding="utf-8")
    # The report holds the long lists (the test is not measuring an empty page).
    assert text.count("ref1") >= 6 * 100 and "R199 → R200" in text
    host = tmp_path / "host.html"
    page = _HOST.replace("@WIDTH@", str(width)).replace("@REPORT@", html_module.escape(text))
    host.write_text(page, encoding="utf-8")
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1400,1000",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            host.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'<pre id="overflow-result">(.*?)</pre>', proc.stdout, re.S)
    assert found, proc.stderr[-2000:]
    result = json.loads(html_module.unescape(found.group(1)))
    assert result["page"] <= 0 and not result["over"], result


# ------------------------------------------------------------- the report in Russian (issue 34)

# Names the Russian report shows as English does: the program and its command ("coopdocs diff"),
# the word processors, formats.
_NAMES = {"coopdocs", "diff", "word", "libreoffice", "html", "xlsx"}
# An identifier or a file or document name (a record's ID, a field, "briefs/belarus",
# "SOURCE_DATE_EPOCH", "changes.docx"): a name, not a word.
_IDENTIFIER = re.compile(r"[\w.'’-]*[_/.-][\w.'’/-]*")


@pytest.fixture(scope="module")
def russian(repo: Path) -> tuple[subprocess.CompletedProcess, Path]:
    """``coopdocs diff --config language=ru`` of v1 and v2 (tagged again, so that the English
    report's folder stays as it is)."""
    git(repo, "tag", "v2ru", "v2")
    proc = diff(repo, "v1", "v2ru", "--config", "language=ru")
    return proc, repo / "reports" / "diff" / "v1..v2ru"


def _latin_words(text: str) -> set[str]:
    """The Latin-script words of 4 letters or more of ``text``, names and identifiers left out."""
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’]{3,}", _IDENTIFIER.sub(" ", text))}


def test_the_change_report_in_russian_holds_no_word_of_the_programs_english(repo, russian):
    """The report (Markdown, DOCX, HTML), the summary line and each redline (its first
    paragraph, which says what it compares, and the Russian edition it shows) are in Russian: no
    English word of the program's strings and templates (those of test_russian, the change
    report's included) appears in them, except as the data's own."""
    from test_russian import data_words, docx_text, english_words

    proc, out = russian
    assert proc.returncode == 1, proc.stderr
    line = proc.stdout.strip()
    assert line.startswith("записи: изменено 1, добавлено 1, удалено 1;"), line
    report = (ROOT / "templates" / "review" / "change-report.md.j2").read_text(encoding="utf-8")
    english = english_words() | _latin_words(re.sub(r"\{[{%#].*?[}%#]\}", " ", report, flags=re.S))
    # The list is real: it holds the English report's words.
    assert {"changed", "affects", "unchanged", "redline", "sources"} <= english
    allowed = data_words(repo / "data") | _NAMES
    html = (out / "changes.html").read_text(encoding="utf-8")
    html = re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", html))
    texts = {
        "summary": line,
        "changes.md": _plain(out / "changes.md"),
        "changes.docx": docx_text(out / "changes.docx"),
        "changes.html": html_module.unescape(html),
    }
    for redline in _redlines(out):
        texts[redline.name] = docx_text(redline)
    found = {name: sorted((_latin_words(t) & english) - allowed) for name, t in texts.items()}
    assert not any(found.values()), found
    # Russian words in their places: the headings, the documents' status and the redline note.
    md = texts["changes.md"]
    for words in ("# Записи", "# Источники", "# Документы", "# Таблицы", "| изменён |"):
        assert words in md, words
    assert all("исправления от v1" in texts[r.name] for r in _redlines(out))
    assert 'lang="ru"' in (out / "changes.html").read_text(encoding="utf-8")
