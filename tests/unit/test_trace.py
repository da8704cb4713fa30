"""``coopdocs trace`` (coopdocs.describe.trace) on a synthetic build: a manifest, three records,
two sources and the Markdown of one brief, written here in the form the templates give it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coopdocs.describe.trace import Build, TraceError, format_human, plain, trace_item, trace_output

# The Markdown of one brief as the templates write it: record anchors (also section-prefixed),
# record links, citations, a table row.
BRIEF_MD = (Path(__file__).parents[1] / "fixtures" / "trace" / "belarus.md").read_text(
    encoding="utf-8"
)


def _output(path: str, kind: str, records: list[str], sources: list[str]) -> dict:
    fmt = Path(path).suffix[1:]
    return {
        "path": path,
        "kind": kind,
        "format": fmt,
        "subject": Path(path).stem,
        "records": records,
        "sources": sources,
        "inputs": [
            {"path": "data/projects.csv", "sha256": "0" * 64},
            {"path": "templates/brief.md.j2", "sha256": "1" * 64},
        ],
    }


@pytest.fixture()
def build(tmp_path: Path) -> Build:
    manifest = {
        "outputs": [
            _output(
                "reports/briefs/belarus.html",
                "brief",
                ["BY", "evt-gc17", "prj-by-auto"],
                ["ref032", "ref036", "ref050"],
            ),
            _output(
                "reports/briefs/belarus.pdf",
                "brief",
                ["BY", "evt-gc17", "prj-by-auto"],
                ["ref032", "ref036", "ref050"],
            ),
            _output("reports/tables/projects-by-funder.csv", "table", ["prj-by-auto"], ["ref050"]),
            _output("reports/briefs/russia.html", "brief", ["RU"], ["ref060"]),
        ]
    }
    records = {
        "BY": {"code": "BY", "name": "Belarus", "sources": ["ref032"], "_table": "countries"},
        "prj-by-auto": {
            "id": "prj-by-auto",
            "title": "Automotive components",
            "sources": ["ref050", "ref032"],
            "_table": "projects",
        },
        "evt-gc17": {
            "id": "evt-gc17",
            "title": "17th General Conference",
            "sources": ["ref036"],
            "_table": "events",
        },
    }
    sources = {
        "ref032": {"id": "ref032", "ref_number": 32, "description": "Belarus and UNIDO"},
        "ref036": {"id": "ref036", "ref_number": 36, "description": "General Conference"},
        "ref050": {"id": "ref050", "ref_number": 50, "description": "Automotive project"},
    }
    return Build(tmp_path, manifest, records, sources, {"briefs/belarus": BRIEF_MD.splitlines()})


def test_a_record_is_traced_to_each_output_and_section_that_uses_it(build):
    result = trace_item(build, "prj-by-auto")
    assert (
        result["record"] == "prj-by-auto"
        and result["table"] == "projects"
        and result["label"] == "Automotive components"
    )
    assert result["sources"] == [
        {"id": "ref032", "ref_number": 32},
        {"id": "ref050", "ref_number": 50},
    ]
    uses = {u["path"]: u for u in result["outputs"]}
    assert sorted(uses) == [
        "reports/briefs/belarus.html",
        "reports/briefs/belarus.pdf",
        "reports/tables/projects-by-funder.csv",
    ]
    # in the table row (a record link) and in a section-prefixed anchor {#funded-prj-by-auto ...}
    assert uses["reports/briefs/belarus.pdf"]["sections"] == [
        "Projects and programmes",
        "Funded by other states",
    ]
    assert uses["reports/tables/projects-by-funder.csv"]["sections"] == []  # not a document
    assert (
        uses["reports/briefs/belarus.html"]["kind"] == "brief"
        and uses["reports/briefs/belarus.html"]["format"] == "html"
    )


def test_the_country_record_is_found_before_the_first_heading(build):
    uses = trace_item(build, "BY")["outputs"]
    assert [u["sections"] for u in uses] == [
        ["(before the first heading)"],
        ["(before the first heading)"],
    ]


def test_a_source_is_found_by_id_or_by_the_articles_reference_number(build):
    for query in ("ref050", "50", "[50]", "ref 50", "ref050"):
        result = trace_item(build, query)
        assert result["source"] == "ref050" and result["ref_number"] == 50, query
    result = trace_item(build, "32")
    assert result["cited_by_records"] == ["BY", "prj-by-auto"]
    sections = {u["path"]: u["sections"] for u in result["outputs"]}
    assert sections["reports/briefs/belarus.html"] == [
        "(before the first heading)",
        "Funded by other states",
    ]
    assert "reports/briefs/russia.html" not in sections


def test_unknown_questions_are_refused_with_a_hint(build):
    with pytest.raises(TraceError, match="no source with reference number 99"):
        trace_item(build, "[99]")
    with pytest.raises(TraceError) as err:
        trace_item(build, "prj-nowhere")
    assert "neither a record ID nor a source" in str(err.value) and "prj-by-auto" in str(err.value)


def test_an_output_is_traced_to_its_records_sources_and_inputs(build):
    result = trace_output(build, "reports/briefs/belarus.html")
    assert result["records"] == ["BY", "evt-gc17", "prj-by-auto"]
    assert [s["ref_number"] for s in result["sources"]] == [32, 36, 50]
    assert result["inputs"] == ["data/projects.csv", "templates/brief.md.j2"]
    assert (
        trace_output(build, str(build.root / "reports/briefs/belarus.html")) == result
    )  # an absolute path
    with pytest.raises(TraceError, match="not an output of this build"):
        trace_output(build, "reports/briefs/armenia.html")


def test_a_phrase_is_traced_to_the_records_and_sources_of_its_passage(build):
    result = trace_output(build, "reports/briefs/belarus.pdf", phrase="funded  by\nRussia")
    (match,) = result["matches"]
    assert match["section"] == "Funded by other states"
    assert match["records"] == ["prj-by-auto"]  # the anchor's section prefix is dropped
    assert [s["id"] for s in match["sources"]] == ["ref032", "ref050"]
    assert "Automotive components" in match["text"] and match["text"].endswith("funded by Russia.")
    assert "@ref" not in match["text"] and "{#" not in match["text"] and "\\" not in match["text"]
    with pytest.raises(TraceError, match="does not occur"):
        trace_output(build, "reports/briefs/belarus.pdf", phrase="Kazakhstan")
    with pytest.raises(TraceError, match="not a document"):
        trace_output(build, "reports/tables/projects-by-funder.csv", phrase="Automotive")


def test_plain_keeps_only_the_visible_words():
    text = "- [17th General Conference\\, Vienna\\. [@ref036]]{#evt-gc17 .record} "
    # a mark with its tooltip (record_link), and as builds before marks had one wrote it
    for mark in (
        '[evt-gc17](#prov-evt-gc17 "Record evt-gc17"){.record-id}',
        "[evt-gc17](#prov-evt-gc17){.record-id}",
    ):
        assert plain(text + mark) == "17th General Conference, Vienna."
    assert plain("# Projects and programmes {#projects-belarus}") == "Projects and programmes"


def test_the_human_report_names_outputs_sections_and_reference_numbers(build):
    text = format_human(trace_item(build, "prj-by-auto"))
    assert text.splitlines()[0] == "record prj-by-auto (projects): Automotive components"
    assert "[32] (ref032), [50] (ref050)" in text and "used by 3 outputs:" in text
    pdf = "reports/briefs/belarus.pdf (brief) — sections: "
    assert pdf + "Projects and programmes; Funded by other states" in text
    text = format_human(trace_output(build, "reports/briefs/belarus.html"))
    assert (
        "3 records: BY, evt-gc17, prj-by-auto" in text
        and "sources (article reference numbers): 32, 36, 50" in text
    )


def test_loading_reads_what_a_build_left_and_refuses_without_one(tmp_path):
    with pytest.raises(TraceError, match="no finished build here"):
        Build.load(tmp_path)
    (tmp_path / "reports").mkdir()
    # The Markdown of each document the manifest lists is read (coopdocs.layout names its path).
    (tmp_path / "reports" / "manifest.json").write_text(
        json.dumps({"outputs": [{"path": "reports/briefs/belarus.html"}]}), encoding="utf-8"
    )
    (tmp_path / "build" / "data").mkdir(parents=True)
    bundle = {
        "descriptor": {
            "resources": [
                {"name": "countries", "schema": {"primaryKey": "code"}},
                {"name": "sources", "schema": {"primaryKey": "id"}},
            ]
        },
        "tables": {
            "countries": [{"code": "BY", "name": "Belarus"}],
            "sources": [{"id": "ref032", "ref_number": 32}],
        },
    }
    (tmp_path / "build" / "data" / "bundle.json").write_text(json.dumps(bundle), encoding="utf-8")
    (tmp_path / "build" / "md" / "briefs").mkdir(parents=True)
    (tmp_path / "build" / "md" / "briefs" / "belarus.md").write_text(
        "# Overview\ntext\n", encoding="utf-8"
    )
    build = Build.load(tmp_path)
    assert build.records["BY"] == {"code": "BY", "name": "Belarus", "_table": "countries"}
    assert (
        build.records["ref032"]["_table"] == "sources"
        and build.sources["ref032"]["ref_number"] == 32
    )
    assert build.markdown == {"briefs/belarus": ["# Overview", "text"]}
    assert build.document_key("reports/briefs/belarus.docx") == "briefs/belarus"
    assert build.document_key("reports/tables/legal-basis.csv") is None


def test_a_computed_number_is_traced_to_exactly_the_records_its_claim_counts(build):
    """Issue 28: "two offices" names the records of the claim the register holds for the brief,
    not every record marked in the paragraph."""
    line = (
        "UNIDO has two offices and centres of its own in Belarus [@ref032] "
        '[off-a](#prov-off-a "Record off-a"){.record-id} [off-b](#prov-off-b "Record off-b")'
        '{.record-id}; one more is planned [off-c](#prov-off-c "Record off-c"){.record-id}.'
    )
    build.markdown["briefs/belarus"].append(line)
    for rid in ("off-a", "off-b", "off-c"):
        build.records[rid] = {"id": rid, "name": rid, "sources": [], "_table": "offices"}
    register = build.root / "reports" / "claims" / "register.csv"
    register.parent.mkdir(parents=True)
    register.write_text(
        "document,claim,params,number,value,ties,records,apart\n"
        "briefs/belarus,offices_open,country=BY,2,,,off-a;off-b,planned:off-c\n"
        "briefs/russia,offices_open,country=RU,2,,,off-x;off-y,\n",
        encoding="utf-8",
    )
    (build.root / "templates").mkdir()
    (build.root / "templates" / "strings.yaml").write_text(
        "language:\n  number_words: [zero, one, two, three]\n", encoding="utf-8"
    )
    (match,) = trace_output(build, "reports/briefs/belarus.pdf", phrase="two offices")["matches"]
    assert match["records"] == ["off-a", "off-b"]
    assert [c["claim"] for c in match["claims"]] == ["offices_open"]
    assert "computed: offices_open (country=BY) = 2" in format_human(
        trace_output(build, "reports/briefs/belarus.pdf", phrase="two offices")
    )
    # What the claim counts apart is traced too; a phrase with no computed number keeps every
    # record marked on its line.
    (match,) = trace_output(build, "reports/briefs/belarus.pdf", phrase="one more is planned")[
        "matches"
    ]
    assert match["records"] == ["off-c"]
    assert match["claims"][0]["claim"] == "offices_open (planned)"
    (match,) = trace_output(build, "reports/briefs/belarus.pdf", phrase="is planned")["matches"]
    assert match["records"] == ["off-a", "off-b", "off-c"] and match["claims"] == []


def test_a_reference_number_several_citing_works_use_is_asked_for_by_work(build):
    """Issue 34: two citing works each number from 1; "WORK:1" picks one, a bare "1" names both."""
    build.sources["ref001"] = {"id": "ref001", "ref_number": 1, "citing_work": "shugurov2022"}
    build.sources["nt001"] = {"id": "nt001", "ref_number": 1, "citing_work": "nowak-tran2024"}
    assert trace_item(build, "nowak-tran2024:1")["source"] == "nt001"
    assert trace_item(build, "shugurov2022:[1]")["source"] == "ref001"
    with pytest.raises(TraceError) as err:
        trace_item(build, "1")
    assert "nowak-tran2024, shugurov2022" in str(err.value) and "WORK:1" in str(err.value)
    with pytest.raises(TraceError, match="no source with reference number 7 in shugurov2022"):
        trace_item(build, "shugurov2022:7")


def test_a_computed_number_is_read_in_the_documents_language(build):
    """The phrase's number words come from the document's language (its context's
    build.language and that language's strings, num2words beyond them), not from English."""
    from coopdocs.describe.trace import phrase_numbers

    russian = {"locale": "ru", "language": {"number_words": ["ноль", "один", "два"]}}
    assert phrase_numbers("два офиса и двенадцать проектов", [2, 12, 3], russian) == {2, 12}
    assert phrase_numbers("1\u00a0200 человек", [1200, 200], russian) == {1200}
    assert phrase_numbers("two offices", [2], russian) == set()
    context = build.root / "build" / "context" / "briefs" / "belarus.json"
    context.parent.mkdir(parents=True)
    context.write_text('{"build": {"language": "ru"}}', encoding="utf-8")
    (build.root / "templates" / "ru").mkdir(parents=True)
    (build.root / "templates" / "ru" / "strings.yaml").write_text(
        "language:\n  number_words: [ноль, один, два]\n", encoding="utf-8"
    )
    from coopdocs.describe.trace import document_words

    words = document_words(build, "briefs/belarus")
    assert words["locale"] == "ru" and words["language"]["number_words"][2] == "два"
