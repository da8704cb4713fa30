"""Escaping: data reaches pandoc as literal text, whatever it contains."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jinja2
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coopdocs.render.markdown import Trusted, anchor, cite, escape, make_environment
from coopdocs.tools.pandoc import PANDOC_READER, pandoc_path

# Text the validator accepts: no control characters (other than whitespace), no bidi controls,
# no surrogates.
ACCEPTED = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"),
        blacklist_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    )
    | st.sampled_from(list("*_[]()`$@^~\\|#>:-+=!<&'\"{}%.\n\t ")),
    max_size=60,
)
HOSTILE = [
    "* _ [x](y) ` $x$ @key [^1] \\ ~ ^ -- | # 1. > ::: ---",
    "```{=openxml}\n<w:p/>\n```",
    '`#read("/etc/passwd")`{=typst}',
    "<script>alert(1)</script>",
    "Smith <ed.>",
    "![x](/etc/hostname)",
    "{{ 7*7 }} {% include 'x' %}",
    "1. not a list\n# not a heading\n> not a quote",
    "[" * 30 + "]" * 30,
    ":::\n" * 20,
    "http://example.com <http://example.com> a@b.c",
    "\\\\ \\ trailing backslash \\",
    "&amp; &#60; &lt;",
]


def pandoc_inlines(markdown: str) -> list[dict]:
    """Parse Markdown with the project's reader; return the blocks as pandoc JSON."""
    out = subprocess.run(
        [pandoc_path(), "--from", PANDOC_READER, "--to", "json"],
        input=markdown,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return json.loads(out.stdout)["blocks"]


def plain_text(blocks: list[dict]) -> str:
    """The text of a single paragraph made only of Str and Space nodes; fails on any structure."""
    assert len(blocks) == 1 and blocks[0]["t"] == "Para", blocks
    parts = []
    for node in blocks[0]["c"]:
        assert node["t"] in {"Str", "Space", "SoftBreak"}, node
        parts.append(node["c"] if node["t"] == "Str" else " ")
    return "".join(parts)


def expected(value: str) -> str:
    """What the reader sees: whitespace runs as one space, but a lone no-break space (a figure's
    "1 234" in Russian) kept."""
    return re.sub(r"[^\S\u00a0\u202f]+|\s{2,}", " ", value).strip()


def in_sentence(value: str) -> str:
    """What the reader sees of "Start {value} end.": the value as :func:`expected` gives it, with
    its ends trimmed (a printed value never begins or ends with a space, no-break ones included),
    between single spaces."""
    return " ".join(part for part in ("Start", expected(value), "end.") if part)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_round_trips_literally(value):
    assert plain_text(pandoc_inlines(f"Start {escape(value)} end.")) == in_sentence(value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACCEPTED)
@example("\u00a0")
@example("\u00a0b")
def test_any_text_round_trips_literally(value):
    assert plain_text(pandoc_inlines(f"Start {escape(value)} end.")) == in_sentence(value)


@settings(max_examples=25, deadline=None)
@given(ACCEPTED.filter(lambda v: v.strip()))
def test_text_at_the_start_of_a_line_and_in_a_table_cell_stays_text(value):
    blocks = pandoc_inlines(f"{escape(value)}\n")
    if expected(value):
        assert plain_text(blocks) == expected(value)
    table = pandoc_inlines(f"| A | B |\n|:--|:--|\n| {escape(value)} | x |\n")
    assert [b["t"] for b in table] == ["Table"]


def test_trusted_values_pass_and_builders_refuse_bad_keys():
    assert escape(Trusted("[@ref001]")) == "[@ref001]"
    assert cite(["ref002", "ref001", "ref001"]) == "[@ref001; @ref002]"
    assert anchor("prj-by-x") == "{#prj-by-x}"
    with pytest.raises(ValueError):
        cite(["ref001]; [x](y)"])
    with pytest.raises(ValueError):
        anchor("a} # b")


def test_finalize_escapes_every_printed_value(tmp_path: Path):
    (tmp_path / "t.md.j2").write_text("Title: {{ title }} {{ keys | cite }}\n", encoding="utf-8")
    env = make_environment(tmp_path)
    text = env.get_template("t.md.j2").render(title="**bold** {{ 7*7 }}", keys=["ref001"])
    assert text == "Title: \\*\\*bold\\*\\* \\{\\{ 7\\*7 \\}\\} [@ref001]\n"


def test_undefined_variable_names_template_and_line(tmp_path: Path):
    (tmp_path / "t.md.j2").write_text("line one\n{{ misspelt }}\n", encoding="utf-8")
    env = make_environment(tmp_path)
    with pytest.raises(jinja2.UndefinedError) as info:
        env.get_template("t.md.j2").render()
    tb = info.traceback
    assert any(Path(str(entry.path)).name == "t.md.j2" and entry.lineno + 1 == 2 for entry in tb)
