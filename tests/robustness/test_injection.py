"""Promise 3, data is text (RELIABILITY cases 6-10): whatever a field holds appears in the DOCX, the
HTML and the PDF exactly as typed (after the documented normalisation: NFC, whitespace runs as one
space) and adds no heading, link, image, raw block, footnote, citation or Jinja expression.

Two layers: a hypothesis property test that builds one brief in-process with the workflow's own
commands (prepare, render, convert, pdf) per example; and one full Snakemake build with every
nasty string of cases 6-10 placed in a different record and field at once.
"""

from __future__ import annotations

import functools
import shutil
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import rbtools
from helpers import read_table, write_table

# --- where data goes -------------------------------------------------------------------------

# Free-text fields of records that a brief prints: (table, field). A record is chosen per country
# at run time (the first, by id, that belongs to that country only).
FREE_TEXT = [
    ("countries", "summary"),
    ("countries", "note"),
    ("offices", "name"),
    ("offices", "city"),
    ("offices", "description"),
    ("events", "title"),
    ("events", "place"),
    ("events", "description"),
    ("instruments", "title"),
    ("instruments", "description"),
    ("instruments", "organisation_mention"),
    ("projects", "title"),
    ("projects", "description"),
    ("projects", "note"),
    ("outcomes", "description"),
    ("outcomes", "unit"),
]


def _country_of(table: str, row: dict, projects: dict[str, dict]) -> str | None:
    if table == "countries":
        return row["code"]
    if table == "outcomes":
        p = projects.get(row["project"])
        return _country_of("projects", p, projects) if p else None
    if table in ("offices", "roles", "contributions"):
        return row["country"]
    codes = [c for c in row.get("countries", "").split(";") if c]
    return codes[0] if len(codes) == 1 else None


def pick_records(data: Path, code: str) -> dict[str, dict]:
    """For each table of FREE_TEXT, the id of one record only country ``code``'s brief shows."""
    projects = {r["id"]: r for r in read_table(data / "projects.csv")}
    chosen: dict[str, str] = {}
    for table in dict.fromkeys(t for t, _ in FREE_TEXT):
        rows = sorted(read_table(data / f"{table}.csv"), key=lambda r: r.get("id") or r.get("code"))
        if (
            table == "outcomes"
        ):  # the unit is printed beside the value: take an outcome that has one
            rows = [r for r in rows if r["value"] != ""]
        ids = [
            r.get("id") or r.get("code") for r in rows if _country_of(table, r, projects) == code
        ]
        if ids:
            chosen[table] = ids[0]
    return chosen


def set_fields(data: Path, values: dict[tuple[str, str, str], str]) -> None:
    """Write ``values[(table, record id, field)]`` into the CSV files."""
    by_table: dict[str, dict] = {}
    for (table, rid, fieldname), value in values.items():
        by_table.setdefault(table, {}).setdefault(rid, {})[fieldname] = value
    for table, changes in by_table.items():
        path = data / f"{table}.csv"
        rows = read_table(path)
        for row in rows:
            rid = row.get("id") or row.get("code")
            if rid in changes:
                row.update(changes.pop(rid))
        assert not changes, f"records not found in {table}: {sorted(changes)}"
        write_table(path, rows)


def slugs_by_code(data: Path) -> dict[str, str]:
    return {r["code"]: r["slug"] for r in read_table(data / "countries.csv")}


def assert_same_structure(
    out: dict[str, Path], plain: dict[str, Path], own_media: list[bytes] | None = None
) -> None:
    """The outputs built from hostile data have exactly the structure of those from plain text."""
    if "docx" in out:
        got, want = rbtools.docx_signature(out["docx"]), rbtools.docx_signature(plain["docx"])
        for key in ("styles", "hyperlinks", "drawings", "tables", "footnotes", "fields", "media"):
            assert got[key] == want[key], f"DOCX {key} changed: {out['docx'].name}"
        assert got["tags"] <= want["tags"], (
            f"new OOXML elements: {sorted(got['tags'] - want['tags'])}"
        )
        if own_media is not None:
            import zipfile

            with zipfile.ZipFile(out["docx"]) as z:
                for name in rbtools.docx_media(out["docx"]):
                    assert z.read(name) in own_media, (
                        f"{name} in {out['docx'].name} is not one of the project's figures"
                    )
    if "html" in out:
        assert rbtools.html_tags(out["html"]) == rbtools.html_tags(plain["html"]), (
            f"HTML elements changed: {out['html'].name}"
        )
    if "pdf" in out:
        assert len(rbtools.pdf_outline(out["pdf"])) == len(rbtools.pdf_outline(plain["pdf"])), (
            "PDF headings changed"
        )


def assert_text_everywhere(
    value: str, out: dict[str, Path], texts: dict[str, str] | None = None
) -> None:
    expected = rbtools.norm(value)
    texts = texts or {}
    if "docx" in out:
        docx = texts.get("docx") or rbtools.squash(rbtools.docx_text(out["docx"]))
        assert expected in docx, f"DOCX lacks {expected!r}"
    if "html" in out:
        html = texts.get("html") or rbtools.squash(rbtools.html_text(out["html"]))
        assert expected in html, f"HTML lacks {expected!r}"
    if "pdf" in out:
        pdf = texts.get("pdf") or rbtools.pdf_text(out["pdf"])
        assert rbtools.in_pdf_text(value, pdf), f"PDF lacks {expected!r}"


# --- property test: one brief, built in-process per example ---------------------------------

TOKENS = [
    "* ",
    "_",
    "[x](y)",
    "`",
    "$x$",
    "@key",
    "[^1]",
    "\\",
    "~",
    "^",
    "--",
    "|",
    "# ",
    "1. ",
    "> ",
    ":::",
    "---",
    "```{=openxml}",
    "<w:p/>",
    '`#read("/etc/passwd")`{=typst}',
    "<script>",
    "</script>",
    "Smith <ed.>",
    "![x](/etc/hostname)",
    "{{ 7*7 }}",
    "{% include 'x' %}",
    "{#",
    "#}",
    '#image("/etc/hostname")',
    "&amp;",
    "&#60;",
    "<!--",
    "-->",
    "[@ref001]",
    "{.cls}",
    "\n",
    "\n\n",
    "\t",
    "  ",
    "e\u0301",
    "\u2028",
    "\u00a0",
    "=",
    "+",
    "%",
    "'",
    '"',
]
# Characters the bundled Typst fonts draw (Latin, Greek, Cyrillic, common punctuation): the PDF is
# only readable back for text it can draw.
DRAWABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from(
    list("éèàüöçñßÆøåŁłŒœАБВГДЕЁЖЗИЙКабвгдеёжзийкαβγδΩπ–—„“”«»…€°§")
)
NOT_ACCEPTED = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@functools.cache
def drawable(c: str) -> bool:
    """Whether a bundled PDF font draws ``c``: validation rejects the others since issue 19."""
    from coopdocs.load.glyphs import missing

    return not missing({c})


ANY_ACCEPTED = (
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="".join(NOT_ACCEPTED))
    .filter(lambda c: not (0xFDD0 <= ord(c) <= 0xFDEF or (ord(c) & 0xFFFE) == 0xFFFE))
    .filter(drawable)
)


def hostile_text(chars) -> st.SearchStrategy[str]:
    piece = st.one_of(st.text(chars, min_size=1, max_size=6), st.sampled_from(TOKENS))
    return (
        st.lists(piece, min_size=1, max_size=8).map("".join).filter(lambda s: rbtools.norm(s) != "")
    )


@pytest.fixture(scope="module")
def brief_project(tmp_path_factory) -> dict:
    """A project copy, the fields of the Armenian brief to fill, and the outputs from plain text."""
    project = rbtools.copy_project(tmp_path_factory.mktemp("hyp") / "project")
    data = project / "data"
    pristine = tmp_path_factory.mktemp("hyp-data") / "data"
    shutil.copytree(data, pristine)
    records = pick_records(data, "AM")
    fields = [(t, records[t], f) for t, f in FREE_TEXT if t in records]
    set_fields(data, {key: f"plain text f{i}x" for i, key in enumerate(fields)})
    out = rbtools.build_brief(project, "armenia")
    plain_dir = tmp_path_factory.mktemp("hyp-plain")
    plain = {fmt: Path(shutil.copy(path, plain_dir / path.name)) for fmt, path in out.items()}
    return {"project": project, "pristine": pristine, "fields": fields, "plain": plain}


def _check_example(env: dict, text: str, formats: tuple[str, ...]) -> None:
    project, data = env["project"], env["project"] / "data"
    shutil.rmtree(data)
    shutil.copytree(env["pristine"], data)
    values = {key: f"{text}\n{text} f{i}x" for i, key in enumerate(env["fields"])}
    set_fields(data, values)
    out = rbtools.build_brief(project, "armenia", formats=formats)
    texts = {}
    if "docx" in out:
        assert rbtools.docx_ok(out["docx"])
        texts["docx"] = rbtools.squash(rbtools.docx_text(out["docx"]))
    if "html" in out:
        texts["html"] = rbtools.squash(rbtools.html_text(out["html"]))
    if "pdf" in out:
        texts["pdf"] = rbtools.pdf_text(out["pdf"])
    for value in values.values():
        assert_text_everywhere(value, out, texts)
    assert_same_structure(out, env["plain"])


@pytest.mark.workflow
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=hostile_text(DRAWABLE))
def test_case06_property_any_text_in_every_field_comes_out_literally_in_docx_html_pdf(
    brief_project, text
):
    _check_example(brief_project, text, ("docx", "html", "pdf"))


@pytest.mark.workflow
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=hostile_text(ANY_ACCEPTED))
def test_case06_property_any_unicode_comes_out_literally_in_docx_and_html(brief_project, text):
    _check_example(brief_project, text, ("docx", "html"))


# --- one full build with every nasty string of cases 6-10 -------------------------------------


def nasty_strings(canary: Path) -> dict[str, str]:
    return {
        "case06-markdown": "* _ [x](y) ` $x$ @key [^1] \\ ~ ^ -- | # 1. > ::: ---",
        "case06-line-start": (
            "# Heading\n1. item\n> quote\n---\n| a | b |\n|---|---|\n- bullet\n    code\n[^1]: note"
        ),
        "case06-footnote-cite": (
            "a[^1] [@ref001] @ref002 [-@ref003] <https://evil.example> evil@example.com"
        ),
        "case07-openxml": "```{=openxml}\n<w:p><w:r><w:t>INJECTED</w:t></w:r></w:p>\n```",
        "case07-typst-raw": '`#read("/etc/passwd")`{=typst}',
        "case07-typst-code": (
            '#read("/etc/passwd") #image("/etc/hostname") '
            "= Heading <lbl> @lbl #set page(width: 1cm)"
        ),
        "case07-html": (
            "<script>alert('x')</script> <a href=\"javascript:alert(1)\">j</a> "
            "<!-- c --> &amp; &#60;"
        ),
        "case07-editor": "Smith <ed.>",
        "case07-latex": "\\input{/etc/passwd} $$x^2$$ \\newcommand{\\x}{y}",
        "case07-attrs": "[span]{.cls #id onclick=alert(1)} ::: {.warning}",
        "case08-image": "![x](/etc/hostname)",
        "case08-image-canary": f'![x]({canary}) ![y](file://{canary}) <img src="{canary}">',
        "case09-jinja": "{{ 7*7 }} {% include 'brief.md.j2' %} {{ config }} {# comment #}",
        "case10-brackets": "[" * 30 + "deep" + "]" * 30,
        "case10-divs": ":::\n" * 20 + "fenced",
    }


CODES = ["AM", "BY", "KZ", "KG", "RU", "EAEU"]


@pytest.fixture(scope="module")
def nasty_build(tmp_path_factory, baseline) -> dict:
    """Every nasty string in its own record and field; one Snakemake build of the whole project."""
    base = tmp_path_factory.mktemp("nasty")
    canary = base / "canary.png"
    canary.write_bytes(_png_with_text(b"CANARY-7f3a9c-SECRET"))
    project = rbtools.copy_project(base / "project")
    data = project / "data"
    slugs = slugs_by_code(data)
    strings = nasty_strings(canary)
    # Spread the strings over the briefs and the free-text fields.
    slots = [
        (code, table, fieldname)
        for fieldname_pair in FREE_TEXT
        for code in CODES
        for table, fieldname in [fieldname_pair]
    ]
    records = {code: pick_records(data, code) for code in CODES}
    placed: dict[str, tuple[str, str, str, str]] = {}
    used_slots = set()
    i = 0
    for name in strings:
        while True:
            code, table, fieldname = slots[(i * 7) % len(slots)]
            i += 1
            if table in records[code] and (code, table, fieldname) not in used_slots:
                break
        used_slots.add((code, table, fieldname))
        placed[name] = (slugs[code], table, records[code][table], fieldname)
    set_fields(data, {(t, rid, f): strings[name] for name, (_, t, rid, f) in placed.items()})
    started = time.monotonic()
    proc = rbtools.run_snakemake(project, timeout=300)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    # The same project with plain text in the same fields, for the structure comparison.
    plain_project = rbtools.copy_project(base / "plain")
    set_fields(
        plain_project / "data",
        {(t, rid, f): f"plain text {name}" for name, (_, t, rid, f) in placed.items()},
    )
    plain = {slug: rbtools.build_brief(plain_project, slug) for slug in sorted(set(slugs.values()))}
    return {
        "project": project,
        "strings": strings,
        "placed": placed,
        "plain": plain,
        "elapsed": elapsed,
        "canary": canary,
    }


def _png_with_text(text: bytes) -> bytes:
    """A 1x1 PNG with ``text`` in a tEXt chunk: an output that embedded it would hold the text."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", bytes([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]))
        + chunk(b"tEXt", b"Comment\x00" + text)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


class _Elements(HTMLParser):
    """Script bodies and attribute names/values of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.attr_names: set[str] = set()
        self.attr_values: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")
        for name, value in attrs:
            self.attr_names.add(name)
            self.attr_values.append(value or "")

    def handle_endtag(self, tag):
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def _brief(nasty: dict, slug: str) -> dict[str, Path]:
    return {
        fmt: nasty["project"] / "reports" / "briefs" / f"{slug}.{fmt}"
        for fmt in ("docx", "html", "pdf")
    }


def _check_named(nasty: dict, prefix: str) -> None:
    names = [n for n in nasty["strings"] if n.startswith(prefix)]
    assert names
    for name in names:
        slug = nasty["placed"][name][0]
        assert_text_everywhere(nasty["strings"][name], _brief(nasty, slug))


@pytest.mark.workflow
def test_case06_markdown_syntax_at_field_start_and_after_line_break_is_literal(nasty_build):
    _check_named(nasty_build, "case06")


@pytest.mark.workflow
def test_case07_raw_openxml_typst_html_are_literal_text(nasty_build):
    _check_named(nasty_build, "case07")
    for path in (nasty_build["project"] / "reports").rglob("*.docx"):
        xml = rbtools.docx_xml(path)
        assert "INJECTED</w:t>" not in xml.replace("&lt;/w:t&gt;", ""), path
    for path in (nasty_build["project"] / "reports").rglob("*.html"):
        elements = _Elements()
        elements.feed(path.read_text(encoding="utf-8"))
        assert not any("alert(" in code for code in elements.scripts), (
            f"{path.name}: a script from the data"
        )
        assert not [
            v
            for v in elements.attr_values
            if v.strip().lower().startswith(("javascript:", "file:", "/etc"))
        ], path.name
        assert "onclick" not in elements.attr_names, path.name
    for path in (nasty_build["project"] / "reports").rglob("*.pdf"):
        assert "root:x:0" not in rbtools.pdf_text(path), path


@pytest.mark.workflow
def test_case07_no_structure_added_to_any_brief(nasty_build):
    reports = nasty_build["project"] / "reports"
    own = [p.read_bytes() for p in (reports / "figures").glob("*.png")]
    for slug, plain in nasty_build["plain"].items():
        assert_same_structure(_brief(nasty_build, slug), plain, own_media=own)


@pytest.mark.workflow
def test_case08_image_syntax_is_literal_and_no_file_is_embedded(nasty_build):
    _check_named(nasty_build, "case08")
    reports = nasty_build["project"] / "reports"
    own = {p.read_bytes() for p in (reports / "figures").glob("*.png")}
    hostname = (
        Path("/etc/hostname").read_bytes().strip() if Path("/etc/hostname").is_file() else b""
    )
    for path in sorted(reports.rglob("*.*")):
        blobs = [path.read_bytes()]
        if path.suffix in (".docx", ".xlsx"):
            import zipfile

            with zipfile.ZipFile(path) as z:
                blobs += [z.read(n) for n in z.namelist()]
                media = [n for n in z.namelist() if n.startswith("word/media/")]
                assert all(z.read(n) in own for n in media), (
                    f"{path.name}: media not from the project"
                )
        for blob in blobs:
            assert b"CANARY-7f3a9c-SECRET" not in blob, path
    if hostname and len(hostname) >= 8:
        for path in sorted(reports.rglob("*.pdf")):
            assert hostname.decode() not in rbtools.pdf_text(path)


@pytest.mark.workflow
def test_case09_jinja_in_a_field_is_printed_as_typed(nasty_build):
    # Printed as typed means not evaluated: '{{ 7*7 }}' is there, so it did not become 49, and the
    # include did not pull the template in.
    _check_named(nasty_build, "case09")


@pytest.mark.workflow
def test_case10_pathological_nesting_finishes_in_time(nasty_build):
    _check_named(nasty_build, "case10")
    assert nasty_build["elapsed"] < 240


@pytest.mark.workflow
def test_case10_very_deep_nesting_in_process_finishes_or_names_the_record(brief_project):
    data = brief_project["project"] / "data"
    shutil.rmtree(data)
    shutil.copytree(brief_project["pristine"], data)
    value = "[" * 2000 + "x" + "](y)" * 500 + ":::\n" * 500 + "<" * 1000 + "`" * 500
    key = brief_project["fields"][0]
    set_fields(data, {key: value})
    started = time.monotonic()
    out = rbtools.build_brief(brief_project["project"], "armenia", formats=("docx", "html"))
    assert time.monotonic() - started < 60
    assert_text_everywhere(value, out)
