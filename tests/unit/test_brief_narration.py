"""The briefs narrate (issue 17): terms on one body in one sentence, a repeated fact said once,
outcomes inside their project's paragraph with figure and unit agreeing, the union named as a
sentence names it, editorial notes without the article's bracketed numbers.

Each brief is rendered in-process from the real data with the project's templates, and the
assertions read the words a reader gets (the Markdown with its escapes and record marks removed).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coopdocs.compute.claims import add_brief_claims
from coopdocs.compute.contexts import brief_context, role_groups, said_once
from coopdocs.load.strings import load_strings
from coopdocs.render.markdown import make_environment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
ORG = "unido"
BUILD = {"epoch": 1672358400, "date": "2022-12-30", "data_title": "t", "data_version": "1"}
CODES = {"armenia": "AM", "belarus": "BY", "eaeu": "EAEU", "kazakhstan": "KZ"}
CODES |= {"kyrgyzstan": "KG", "russia": "RU"}
# A record mark as the template writes it; the reader sees a short number instead.
MARK = re.compile(r"\[[a-z0-9-]+\]\(#prov-[^)]*\)\{\.record-id\}")
SPAN = re.compile(r"\]\{#[^}]*\}")
CITATION = re.compile(r"\[@[^\]]*\]")


@pytest.fixture(scope="module")
def briefs(real_package) -> dict[str, str]:
    """Each brief's Markdown, rendered with the templates and strings of the project."""
    words = load_strings(TEMPLATES)
    env = make_environment(TEMPLATES)
    out = {}
    for slug, code in CODES.items():
        context = brief_context(real_package, code, BUILD, ORG, words=words, union_code="EAEU")
        add_brief_claims(context, real_package, code, ORG, "EAEU", "eec")
        out[slug] = env.get_template("brief.md.j2").render(**context)
    return out


def body(markdown: str) -> str:
    """The prose of a brief before its references and provenance appendix, as words: tables,
    escapes, record marks, citations and span attributes removed."""
    text = markdown.split("# References", 1)[0]
    # Table rows are not prose (a table may repeat a column's value row after row).
    text = "\n".join(line for line in text.splitlines() if not line.startswith("|"))
    text = MARK.sub("", text)
    text = CITATION.sub("", SPAN.sub("", text))
    text = re.sub(r"\s+", " ", re.sub(r"\\(.)", r"\1", text).replace("[", ""))
    return re.sub(r" ([,.;:])", r"\1", text)


def test_kazakhstan_states_the_installation_count_in_agreement(briefs):
    text = body(briefs["kazakhstan"])
    assert "under a 2019 agreement (one installation)." in text
    assert "installations)" not in text and "1 installations" not in text
    # Folded into the project's paragraph: no separate list of outcomes after it.
    assert "Outcomes:" not in text
    paragraph = next(p for p in briefs["kazakhstan"].split("\n\n") if "(one installation)" in p)
    assert "Kazakhstan project of the UNIDO Global Cleantech Innovation Programme" in paragraph
    # The transfer is said once, by the outcome, not also by the project's own sentence.
    assert body(paragraph).count("Ecolux-AS LLP") == 1


def test_a_figure_the_sentence_states_is_not_repeated(briefs):
    text = body(briefs["belarus"])
    assert "an economic effect of more than 1,000,000 USD over two years." in text
    assert "(1,000,000 USD)" not in text and "this amount" not in text
    assert "More than 500 specialists" in text and "(500 people)" not in text
    assert "with branches in Brest, Gomel, Grodno and Novopolotsk (four branches)." in text


def test_terms_on_one_body_are_one_sentence(briefs):
    text = body(briefs["belarus"])
    assert (
        "Belarus served on the Industrial Development Board in 1992–1995, 2000–2003, "
        "2016–2019 and 2019–2022."
    ) in text
    assert "was elected a member of the Industrial Development Board" not in text
    # Each term is still its own record: anchor and mark.
    for year in (1992, 2000, 2016, 2019):
        assert f"{{#rol-by-idb-member-{year} .record" in briefs["belarus"]
        assert f"(#prov-rol-by-idb-member-{year} " in briefs["belarus"]


def test_a_repeated_mention_is_said_once(briefs):
    # The yearly Main Directions are said once, in their own table (issue 30): no paragraph
    # retells them, so the formula they share is never prose.
    text = body(briefs["eaeu"])
    formula = "Repeats the 2015-2016 general formula on multilateral cooperation"
    assert text.count(formula) == 0
    rows = [
        line
        for line in briefs["eaeu"].split("# References")[0].splitlines()
        if line.startswith("|")
    ]
    assert any(re.sub(r"\\(.)", r"\1", r).count(formula) == 1 for r in rows)


def test_the_union_is_named_as_a_sentence_names_it(briefs):
    # The official name at the first mention, then the short name with the article the data
    # gives it (countries.article 'the'), never a bare abbreviation in a sentence.
    text = body(briefs["eaeu"])
    first = text.index("The Eurasian Economic Union's cooperation with UNIDO dates from")
    assert text.count("Eurasian Economic Union's") == 1
    assert "The EAEU's cooperation rests on 15 instruments" in text
    assert "For the EAEU, the source names no term on a governing body" in text
    assert first < text.index("the EAEU")
    assert not re.search(r"(?<!the )(?<!The )EAEU's", text)
    assert "places EAEU" not in text and "term of EAEU" not in text


@pytest.mark.parametrize("slug", sorted(CODES))
def test_no_editorial_note_quotes_a_bracketed_number(briefs, slug):
    """Editorial notes, in the body and in the provenance appendix, spell reference numbers out."""
    markdown = re.sub(r"\\(.)", r"\1", briefs[slug])
    notes = re.findall(r"Editorial note:\*? (.*?)(?=\]\{#|\n|$)", markdown)
    assert notes
    for note in notes:
        assert not re.search(r"\[[^\]@]*\d[^\]]*\]", CITATION.sub("", note)), note


def test_role_groups_keep_a_term_that_says_more_apart():
    class Names:
        actor_names = staticmethod(lambda ids: ["Board" for _ in ids])

    def term(year, text):
        return {"id": f"rol-{year}", "body": "b", "role": "member", "start_year": year}, text

    rows = []
    for year, text in (
        (1992, "Member for 1992-1995."),
        (2000, "Member for 2000-2003."),
        (2008, "Member for 2008-2011, and chaired it."),
    ):
        record, description = term(year, text)
        rows.append(dict(record, end_year=year + 3, description=description, sources=["ref1"]))
    groups = role_groups(rows, Names())
    assert [(g["grouped"], [t["id"] for t in g["terms"]]) for g in groups] == [
        (True, ["rol-1992", "rol-2000"]),
        (False, ["rol-2008"]),
    ]
    assert groups[0]["sources"] == ["ref1"]


def test_said_once_marks_later_repeats_only():
    rows = [
        {"id": "a", "when": "2017", "m": "The same words."},
        {"id": "b", "when": "", "title": "Untitled year", "m": "The  same words."},
        {"id": "c", "when": "2019", "m": ""},
    ]
    said_once(rows, "m", min_words=1)
    assert rows[0]["m_also"] == ["Untitled year"] and rows[0]["m_as_in"] is None
    assert rows[1]["m_as_in"] == "2017" and rows[2]["m_as_in"] is None
    # A short statement is an attribute each record may state; it is not grouped.
    said_once(rows, "m")
    assert rows[0]["m_also"] == [] and rows[1]["m_as_in"] is None


def test_a_short_mention_stays_with_each_record(briefs):
    text = body(briefs["eaeu"])
    # Said as a sentence of the instrument's note, without a field label (issue 30).
    assert text.count("UNIDO is a party.") >= 2 and "On UNIDO:" not in text
    assert "The entry for 2014-10-30 below says the same." not in text


@pytest.mark.parametrize("slug", sorted(CODES))
def test_the_audit_trail_stays_out_of_the_readers_text(briefs, slug):
    """Issue 30: the body carries no editorial or source note and the masthead no digest, commit
    or count; those are the provenance's. A provenance entry does not repeat the record's title
    (the body gives it beside the mark), and one whose notes another brief gives says which."""
    markdown = briefs[slug]
    text, provenance = markdown.split("# References", 1)[0], markdown.split("# Data provenance")[1]
    assert "Editorial note:" not in text and "Source note:" not in text, slug
    masthead = text.split("\n# ", 1)[0]
    for word in ("digest", "commit", "records", "sources)"):
        assert word not in masthead, (slug, word)
    entries = [line for line in provenance.splitlines() if line.startswith("- [")]
    assert entries and all(
        re.match(r"- \[[^\]]+\]\{#prov-[^}]+\} \([a-z_]+\) ", e) for e in entries
    )
    for e in entries:
        if "Notes in" in e:
            assert "Editorial note:" not in e and "Source note:" not in e, e
