"""The authored text is data (issue 32): Markdown with front matter and named values, never Jinja."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coopdocs.compute.article import authored_values
from coopdocs.compute.claims import claim_names
from coopdocs.load.authored import (
    NAMES,
    AuthoredTextError,
    fill,
    known_names,
    parse_authored,
    text_problems,
)
from coopdocs.load.datapackage import DataError, load_package
from coopdocs.render.markdown import escape

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "text" / "article.md"


def problems_of(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(AuthoredTextError) as caught:
        parse_authored(text)
    return caught.value.problems


def test_the_seed_text_is_plain_markdown_with_known_names():
    front, slots = parse_authored(SEED.read_text(encoding="utf-8"), known_names(claim_names()))
    assert front["authors"] and "coopdocs" not in str(front["authors"]).lower()
    assert set(slots) >= {"abstract", "introduction", "conclusion"}
    assert not any("{{" in s or "{%" in s for s in slots.values())
    assert "{org_short_name}" in slots["conclusion"]


@pytest.mark.parametrize(
    "line",
    [
        "{{ cycler.__init__.__globals__.os.system('id') }}",
        "{% for x in range(3) %}x{% endfor %}",
        "A span [x]{.smallcaps} with attributes.",
        "A lone } brace.",
    ],
)
def test_jinja_and_stray_braces_are_refused_naming_line_and_text(line):
    found = problems_of(f"---\ntitle: T\n---\n# abstract\nFine.\n{line}\n")
    assert len(found) == 1
    number, shown, message = found[0]
    assert number == 6 and shown and shown in line and "braces" in message


def test_every_problem_is_reported_in_one_pass():
    found = problems_of("intro\n# abstract\n{nope}\n# abstract\n# foreword\n{{x}}\n")
    assert [n for n, _, _ in found] == [1, 3, 4, 5, 6]
    assert "{nope}" == found[1][1] and "names no value" in found[1][2]
    assert "twice" in found[2][2] and "unknown slot" in found[3][2]


def test_front_matter_problems_name_their_line():
    found = problems_of("---\ntitle: T\nauthor: X\n---\n# abstract\nok\n")
    assert found == [(3, "author", found[0][2])] and "unknown front matter key" in found[0][2]
    assert problems_of("---\ntitle: [\n---\n")[0][2] == "not YAML"
    assert "not closed" in problems_of("---\ntitle: T\n# abstract\n")[0][2]


def test_a_value_is_filled_escaped_and_a_literal_brace_stays():
    _, slots = parse_authored("# abstract\nBy the {org_name} \\{sic\\}.\n")
    out = fill(slots["abstract"], {"org_name": "*Org* [x](y)"}, escape)
    assert out == "By the \\*Org\\* \\[x\\]\\(y\\) \\{sic\\}."
    with pytest.raises(ValueError):
        fill("{{x}}", {}, escape)


def test_every_name_has_a_value():
    org = {"name": "Organisation", "short_name": "ORG"}
    values = authored_values(org, {"name": "U"}, None, [{"name": "A"}], [], [])
    assert set(values) == set(NAMES)


def test_citations_must_name_a_source_or_work():
    text = "# abstract\nAs [@ref001; @nowhere] and a@mail.org say.\n"
    assert text_problems(text, {"ref001"}) == [
        (2, "@nowhere", "cites no source or work of the package")
    ]


def test_the_loader_and_validate_refuse_a_template_and_run_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    mark = tmp_path / "ran"
    article = data / "text" / "article.md"
    payload = "{{ cycler.__init__.__globals__.os.system('touch " + str(mark) + "') }}"
    article.write_text(article.read_text(encoding="utf-8") + "\n" + payload + "\n")
    line = article.read_text(encoding="utf-8").split("\n").index(payload) + 1
    with pytest.raises(DataError) as caught:
        load_package(data, root=tmp_path, claims=claim_names())
    [problem] = caught.value.problems
    assert problem.file.endswith("text/article.md") and problem.line == line
    run = subprocess.run(
        [sys.executable, "-m", "coopdocs", "validate", "--data", str(data)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 1 and not mark.exists()
    first = run.stderr.strip().split("\n")[0]
    assert f"text/article.md:{line}:" in first and "{{ cycler" in first


def test_the_readme_lists_every_name():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"`{{{name}}}`" in readme for name in NAMES)


def test_a_claim_is_named_by_its_name_and_one_that_needs_a_parameter_is_refused():
    assert "union_documents_naming_organisation" in claim_names()
    text = "# union\nIt names {union_documents_naming_organisation} of them.\n"
    parse_authored(text, known_names(claim_names()))
    # The loader knows no claim unless its caller names them (load does not import compute).
    assert "names no value" in text_problems(text, set())[0][2]
    assert text_problems(text, set(), claim_names()) == []
    assert "names no value" in problems_of("# union\n{offices_open} offices.\n")[0][2]


def test_the_seed_s_claims_are_filled_from_the_registry_and_traced():
    from coopdocs.compute.article import article_context
    from coopdocs.compute.selection import focus_frames, focus_states
    from coopdocs.compute.tables import compute_tables
    from coopdocs.load.strings import load_strings

    words = load_strings(ROOT / "templates")
    package = load_package(ROOT / "data", root=ROOT, claims=claim_names())
    keep, others = focus_states(package.tables, 12)
    frames = focus_frames(compute_tables(package.tables, words), keep, others, words)
    settings = {"organisation": "unido", "union": "EAEU", "union_body": "eec"}
    build = {"epoch": 0, "date": "2022-12-30", "data_title": "t", "data_version": "1"}
    context = article_context(package, frames, {}, build, settings, keep, others, words)
    values = context["authored_values"]
    registered = {c["name"]: c for c in context["claims"] if c["name"] in values}
    for name in ("union_documents_naming_organisation", "meetings_of_union_body_and_organisation"):
        assert values[name] == registered[name]["number"] and registered[name]["records"]
    # a name that is also a claim keeps its words: "funded by Russia", never "funded by 1"
    assert values["donor_states"] == "Russia" and values["n_donor_states"] == 1
    assert context["meta"]["authors"] == [
        {"name": "The editors of the EAEU\u2013UNIDO cooperation review", "affiliation": ""}
    ]
