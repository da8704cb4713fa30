"""The Russian edition (issue 34): ``--config language=ru`` builds every document of the seed data
with the Russian templates and strings shipped in templates/ru/.

What a reader sees (the DOCX's text, tables, file properties and figure descriptions, the HTML's
alt texts) holds no word of the program's English: the word list is built from the English
strings and templates themselves (and the English terms a CSL locale prints), less every word
the data package holds (record text and the authored text stay as the package gives them,
English for the seed). Counts take Russian plural forms from CLDR and dates are Russian.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import yaml
from workflow_build import ROOT, copy_project, snakemake

from coopdocs import layout

# Words of 4 letters or more: shorter ones ("and", "the", "of") are also the data's own.
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]{3,}")
# Jinja markup: statements, expressions and comments (the words inside are code, not prose).
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
# What a CSL locale prints around a reference (en-US terms), which no template holds.
CSL_TERMS = {"published", "online", "accessed", "available", "retrieved", "edition", "edited"}
# Names that Russian writes as English does: a product.
SAME_IN_RUSSIAN = {"excel"}
# File names a document shows (a figure's file, a table's CSV), and the hexadecimal digests and
# commits of its provenance ("1a2b…" reads as the words "a b"): names, not words.
_FILE = re.compile(r"[\w.-]+\.(?:png|svg|csv|xlsx)\b|\b(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b")


def _strings_text(node) -> list[str]:
    """Every string value (not key) of a loaded strings file, nested."""
    if isinstance(node, dict):
        return [t for v in node.values() for t in _strings_text(v)]
    if isinstance(node, list):
        return [t for v in node for t in _strings_text(v)]
    return [str(node)] if isinstance(node, str) else []


def english_texts(root: Path = ROOT) -> list[str]:
    """The English the program writes, piece by piece: the values of templates/strings.yaml and
    the prose of the English templates between their Jinja tags."""
    templates = root / "templates"
    texts = _strings_text(yaml.safe_load((templates / layout.STRINGS).read_text("utf-8")))
    paths = sorted([*templates.glob("*.j2"), *(templates / "partials").glob("**/*.j2")])
    return texts + [piece for p in paths for piece in _JINJA.split(p.read_text("utf-8"))]


def english_words(root: Path = ROOT) -> set[str]:
    """The English words the program writes (:func:`english_texts`), lower-cased."""
    words = {w.lower() for t in english_texts(root) for w in _WORD.findall(t)}
    return (words | CSL_TERMS) - SAME_IN_RUSSIAN


def pairs(text: str) -> set[str]:
    """The pairs of neighbouring words of each line of ``text`` (any length), lower-cased:
    "data provenance"."""
    pairs_: set[str] = set()
    for line in text.splitlines():
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", line)]
        pairs_ |= {f"{a} {b}" for a, b in zip(words, words[1:])}
    return pairs_


def data_words(data: Path) -> set[str]:
    """Every word the data package holds (its tables, authored texts and descriptor), lower-cased."""
    words: set[str] = set()
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        if path.suffix in (".csv", ".md", ".json", ".yaml", ".txt"):
            words |= {w.lower() for w in _WORD.findall(path.read_text("utf-8"))}
    return words


def data_text(data: Path) -> str:
    """All the text of the data package (tables, authored texts, descriptor)."""
    files = sorted(
        p for p in data.rglob("*") if p.is_file() and p.suffix in (".csv", ".md", ".json")
    )
    return "\n".join(p.read_text("utf-8") for p in files)


def docx_text(path: Path) -> str:
    """The text a reader sees in a DOCX: its body (paragraphs and table cells), its figures'
    descriptions and its file properties."""
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode("utf-8")
        core = z.read("docProps/core.xml").decode("utf-8")
    # One line per paragraph: words of two paragraphs (a title, its author) are no phrase.
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", body, re.DOTALL)
    runs = ["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) + "\n" for p in paragraphs]
    descriptions = re.findall(r'descr="([^"]*)"', body)
    properties = re.findall(r">([^<>]+)</(?:dc:title|dc:subject|cp:keywords|dc:description)>", core)
    return "\n".join(["".join(runs), *descriptions, *properties])


def html_alt_texts(path: Path) -> list[str]:
    """The alt texts of an HTML document's images."""
    return re.findall(r'alt="([^"]*)"', path.read_text("utf-8"))


@pytest.fixture(scope="module")
def russian(tmp_path_factory) -> Path:
    """A project copy built once with ``--config language=ru``."""
    project = copy_project(tmp_path_factory.mktemp("russian") / "project")
    snakemake(project, "--config", "language=ru")
    return project


def _documents(project: Path) -> list[Path]:
    return sorted((project / "reports").glob("*/*.docx"))


def test_every_document_is_built_in_russian(russian):
    docs = _documents(russian)
    assert {p.parent.name for p in docs} >= {"briefs", "tables", "article"}
    for path in docs:
        text = docx_text(path)
        assert len(re.findall(r"[А-Яа-яЁё]+", text)) > 50, path.name
        # The masthead says that the records and the authored text are the package's own.
        assert "Тексты записей и авторский текст приводятся на языке пакета данных" in text
    core = zipfile.ZipFile(russian / "reports/article/review.docx").read("docProps/core.xml")
    assert b"<dc:language>ru</dc:language>" in core


def test_no_word_of_the_programs_english(russian):
    english = english_words() - data_words(russian / "data")
    # The list is real: the English templates' prose less the seed's own English words.
    assert len(english) > 100 and {"provenance", "uncommitted", "alphabetical"} <= english
    found: dict[str, set[str]] = {}
    for path in _documents(russian):
        shown = [docx_text(path)] + html_alt_texts(path.with_suffix(".html"))
        words = {w.lower() for t in shown for w in _WORD.findall(_FILE.sub(" ", t))}
        if words & english:
            found[path.relative_to(russian).as_posix()] = words & english
    assert not found, f"English words of the program in the Russian edition: {found}"


def test_no_phrase_of_the_programs_english(russian):
    # Short words hide among the data's English ("of the", "in the"): pairs of the program's
    # words that the data never writes ("data provenance", "how to", "no reference") do not.
    program = {p for t in english_texts() for p in pairs(t)} - pairs(data_text(russian / "data"))
    assert len(program) > 500 and "data provenance" in program
    found = {}
    for path in _documents(russian):
        shown = "\n".join([docx_text(path), *html_alt_texts(path.with_suffix(".html"))])
        hits = pairs(_FILE.sub(" ", shown)) & program
        if hits:
            found[path.relative_to(russian).as_posix()] = hits
    assert not found, f"English phrases of the program in the Russian edition: {found}"


def test_counts_take_the_russian_plural_forms(russian):
    text = "\n".join(docx_text(p) for p in _documents(russian))
    text = text.replace("\xa0", " ")
    for phrase in ("1 проект", "2 проекта", "5 проектов"):
        assert re.search(rf"(?<!\d){phrase}(?!\w)", text), phrase
    assert not re.search(r"(?<!\d)1 проектов|(?<![\d])[5-9] проекта(?!\w)", text)


def test_dates_are_russian(russian):
    text = "\n".join(docx_text(p) for p in _documents(russian)).replace("\u202f", " ")
    months = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    assert re.search(rf"\b\d{{1,2}} ({months}) \d{{4}} г\.", text)
    # The dates the program composes (the build's, the records') are in words, never ISO.
    assert not re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text)


def test_the_preview_of_the_russian_edition_is_its_build(russian, tmp_path, monkeypatch):
    from coopdocs.preview.session import PreviewSession
    from helpers import EPOCH

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    session = PreviewSession(russian, out=tmp_path / "preview", overrides={"language": "ru"})
    result = session.refresh(["briefs/armenia", "tables/comparative-tables"])
    assert result.error is None
    for doc in result.rebuilt:
        html = session.html(doc).read_text("utf-8")
        assert 'lang="ru"' in html and "Происхождение данных" in html
        assert html == (russian / "reports" / doc.folder / f"{doc.name}.html").read_text("utf-8")


def _brief_title(path: Path) -> str:
    """A DOCX's title as its file properties give it (dc:title)."""
    core = zipfile.ZipFile(path).read("docProps/core.xml").decode("utf-8")
    return re.search(r"<dc:title>([^<]*)</dc:title>", core).group(1)


def test_the_russian_briefs_provenance_is_compact(russian):
    """Issue 30 in Russian: one provenance template serves both languages, so each entry is the
    record's mark, identifier, table and citation, with no title (the body gives it beside the
    mark), and a record whose notes another brief gives names that brief instead of the notes."""
    words = yaml.safe_load((ROOT / "templates/ru/strings.yaml").read_text("utf-8"))
    provenance, notes_in = words["provenance"], words["provenance_notes_in"]
    mark = re.escape(words["record_mark"]).replace(r"\{n\}", r"\d+")
    # Mark, identifier, (table), then the citation at once: a number in brackets or the sign.
    entry = re.compile(
        rf"{mark} \S+ \([^()]+\) (\[\d|{re.escape(words['apparatus']['no_reference'])})"
    )
    briefs = sorted((russian / "reports/briefs").glob("*.docx"))
    titles = {_brief_title(p) for p in briefs}
    elsewhere = []
    for path in briefs:
        text = docx_text(path).split(provenance["heading"])[-1]
        entries = [line for line in text.splitlines() if re.match(rf"{mark} ", line)]
        assert entries, path.name
        for e in entries:
            assert entry.match(e), (path.name, e)
            if notes_in in e:
                assert provenance["source_note"] not in e and provenance["editorial_note"] not in e
                assert e.split(notes_in, 1)[1].strip(" .") in titles - {_brief_title(path)}, e
                elsewhere.append(e)
    # The seed's shared records (an event of several states) have their notes in one brief.
    assert elsewhere
