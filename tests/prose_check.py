# Vendored copy of ../shared/checks/prose.py (the team's editorial checker, shared beside the
# project checkout but not part of a clean clone), taken on 2026-12-07 for issue 30 so that the
# workflow tier runs it in CI. Refresh: cp ../shared/checks/prose.py tests/prose_check.py and keep
# these four header lines. Used by tests/workflow/test_prose.py.
"""Editorial check of the built documents: what a copy editor would mark before circulation.

Run from the project root after a build:   python3 ../shared/checks/prose.py [--summary] [FILES...]
Default: every HTML document under reports/ (briefs, tables document, article; not reports/diff).
Standard library only; it reads the HTML outputs (the three formats are tested for parity
elsewhere). Prints one line per finding and a summary per document; exit 0 when nothing is found.
--summary prints only the summary lines: the number of findings per kind and document.

What counts as body text: everything inside <body> except the reference list, the data provenance
appendix, citations, record marks (class "record-id"), <figure>/<figcaption>, <table> cells (checked
separately for raw markup only), <code> and <pre>.
The masthead is the title block (<header class="title-block">) and the short lines before the first
heading of <main> that open with a bold label ("Data: ...", "Build date: ...", "Version ..."). Dates,
echoes, labels and repeated facts are not looked for there; meta-voice and cross-doc-repeat do read
it, since a build hash or a process note on the first page is read by everyone.

Findings (each is a defect a reader would see):
  raw-markup      Markdown/HTML/Typst syntax that reached the reader: "## ", "{#", "**", "](",
                  "[@", "```", "::: ", "<b>" ... (text that a data field holds literally is fine
                  only where the data holds it: this check runs on the project's own data)
  internal-name   a field name (snake_case with an underscore), a data file name (*.csv, *.json)
                  or a config key printed in the body
  record-id       a raw record identifier (prj-..., ins-..., evt-...) in the body text itself
                  (record marks and the provenance appendix are the place for them)
  doubled-word    the same word twice in a row ("in Belarus in Belarus" counts as a doubled phrase)
  agreement       "1 projects", "1 records", "(1 installations)": a count of one with a plural noun
  zero-count      a sentence that states a count of zero ("0 of them", "0 projects")
  type-echo       a type label before a name that repeats it ("the protocol Montreal Protocol",
                  "the agreement Agreement on ...")
  repeated        a sentence of 8+ words (12+ in a list item) that appears more than once in the
                  same document
  empty-section   a heading followed directly by another heading of the same or higher level
  tie-as-most     "the most frequent is X" when the document's own counts give another item X's
                  count, or "the most frequent themes are X (5), Y (3) and Z (2)" when an item left
                  out has as many as Z. The counts come from a table whose first column names X: one
                  in the same section first, else one whose count column is headed by a word of the
                  section heading ("3.3. Kazakhstan" -> column "Kazakhstan"); without such a table,
                  from "A (4), B (4)" counts stated in the same section. A reader takes "the most
                  frequent" as a ranking; an alphabetical tie-break is not one.
  echo            the same value twice in one sentence, once in parentheses or across a comma:
                  "until 2060 (until 2060)", "of 27 April 2018 ... (2018-04-27)", "for 2017 (2017)",
                  "(Armenia) in Armenia", "Republic of Belarus in Belarus", "Nur-Sultan (proposed),
                  Nur-Sultan", "2016, UNIDO conference of 2016", "Vienna, Vienna". Values are years,
                  periods, dates and names; an abbreviation in parentheses counts only when it was
                  used before it is introduced ("at GMIS 2019 ... Summit (GMIS 2019)"), and two
                  items with the same year in their own parentheses are no echo. The reader is told
                  the same thing twice in one breath, which reads as a template seam.
  iso-date        a machine date in prose: 1966-11-17, or a month such as 2019-07 (never a period
                  such as 2009-10); tables and the masthead may keep them. A reader of a brief
                  expects "17 November 1966".
  meta-voice      the document talking about its own production instead of its subject: "data set",
                  "the data records/has/lists/states ...", "recorded/named/none in the data",
                  "instruments/documents in the data", "generated/computed from the data", "the
                  editors of this ...", "the title is ours", "records digest", "git commit", "the
                  review can be rebuilt", "typed by hand". One finding per sentence, so the summary
                  gives the count per document. A reader of a brief cannot see "the data" and
                  should not have to. ("The data show ..." about evidence is not flagged.)
  same-fact       two or more sentences of one section (or of a section and its direct
                  subsection) that state the same fact in other words: they share a name and a
                  year, and each ties that year to joining, membership or cooperation ("Kazakhstan
                  joined UNIDO in 1997." / "Kazakhstan has been a member of UNIDO since 1997.").
                  All of them are reported; sentences about two different subjects ("Austria
                  joined ... in 1995." / "Sweden joined ... in 1995.") are not.
  empty-statement a section whose only content is one sentence saying that nothing exists ("The
                  data records no event for X.", "No office is recorded."): a heading kept for an
                  absence, which the reader reads to learn nothing.
  cross-doc-repeat a paragraph or list item repeated verbatim in 3 or more of the documents
                  checked together: a run of 25+ words that 3+ documents share and that covers at
                  least 60% of the paragraph (so a copy with another last sentence still counts,
                  and a long title quoted in several documents does not). Reported once, naming
                  the documents; needs 3+ documents in the run. A reader of the set reads it again
                  and again.
  hedge-density   more than 3 parenthetical hedges about sources per 1,000 body words, such as
                  "(no reference given in the source)" or "(partly without a reference in the
                  source)"; one finding per document with the count and the rate. Past that rate
                  the hedges, not the content, set the rhythm of the text.
  duplicate-reference  two entries of the reference list with the same "Cited as [...]" key or the
                  same text, or a citation that repeats a number ("[106; 106]", "[5, 5]"): the
                  reader cannot tell which entry a number means, or why one source is listed twice.
  label-as-prose  a field label printed as running text: the same short label ("On UNIDO:",
                  "Editorial note:", "Period:", "Funders:", in any language) opening 3 or more
                  sentences or paragraphs of a document outside tables, captions and the
                  masthead. The text reads as a record dump; one finding per label and document,
                  with the count.
"""
from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

SKIP_CLASSES = {"record-id", "citation", "csl-bib-body", "references"}
SKIP_IDS = {"references", "refs", "data-provenance"}
SKIP_TAGS = {"script", "style", "code", "pre", "figure", "figcaption", "head", "title"}
BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "div",
              "section", "blockquote", "caption", "tr", "header", "footer", "br"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source"}

RAW = re.compile(r"(^|\s)#{1,6} \S|\{#[\w-]+|\*\*\S|\S\*\*|\]\(|\[@|```|(^|\s):::|</?(b|i|em|strong|span|div)\b[^>]*>|#(set|show|let|import|include)\b")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
FILES = re.compile(r"(?<![\w-])[\w-]+\.(?:csv|json|yaml|yml|j2|smk)\b")
RECORD = re.compile(r"\b(?:prj|ins|evt|off|con|out|rol|act|prop|src)-[a-z0-9]+(?:-[a-z0-9]+){1,}\b")
DOUBLED = re.compile(r"\b(\w+(?: \w+){0,2}) \1\b")
PLURAL_ONE = re.compile(r"(?<![\d.,])(?<!Figure )(?<!Table )(?<!Section )(?<!Chapter )(?<!No\. )(?<!Annex )\b1 (?!percent|per\b|in\b|of\b|to\b|and\b|or\b|million|billion|trillion|thousand|hundred)([a-z]+s)\b")
ZERO = re.compile(r"(?<![\d.,])\b0 (?:of|[a-z]+s)\b")
TYPE_ECHO = re.compile(r"\bthe (agreement|protocol|convention|declaration|programme|program|strategy|memorandum|decree|resolution|framework|concept|plan|charter|roadmap|report)\s+(?:[\w'-]+\s+){0,3}?\1\b", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
PLURAL_OK = {"is", "was", "has", "this", "its", "us", "plus", "bus", "gas", "status", "series", "news",
             "analysis", "basis", "thesis", "process", "access", "success", "class", "glass", "less"}

Finding = tuple[str, str, str]   # (kind, what was found, the text it was found in)


# --- text helpers ----------------------------------------------------------------------------------

# A sentence ends at ". " except after an initial ("S. Sidorsky") or an abbreviation ("No. 8");
# a piece that starts with a small letter is glued back on, so capitals of any script work.
SPLIT = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)(?<!\bNo\.)(?<!\bSt\.)(?<!\bp\.)(?<!\bpp\.)(?<!\bcf\.)"
                   r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)\s+")
# A note in parentheses after a full stop closes that sentence: "... methods. (no reference given in
# the source) Participation inferred: ..." starts a new one at "Participation".
AFTER_NOTE = re.compile(r"([.!?] \([^()]*\)) (?=\S)")
DASHES = str.maketrans({c: "-" for c in "‐‑‒–—−"})


def sentences(text: str) -> list[str]:
    out: list[str] = []
    for piece in SPLIT.split(AFTER_NOTE.sub("\\1\n", text)):
        for part in piece.split("\n"):
            part = part.strip()
            if not part:
                continue
            if out and not (part[0].isupper() or part[0].isdigit() or part[0] in "(\"“‘'"):
                out[-1] += " " + part
            else:
                out.append(part)
    return out


def norm(text: str) -> str:
    """Compare form: one kind of dash and quote, single spaces, case folded."""
    text = text.translate(DASHES).replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip().casefold()


def words(text: str) -> int:
    return len(re.findall(r"[^\W_][\w'’-]*", text))


# --- the document: blocks, sections, tables, reference entries -------------------------------------

@dataclass
class Block:
    kind: str            # "h1".."h6", "p", "li" or "cell"
    text: str
    zone: str            # "title" (title block), "front" (before the first heading of <main>), "body"
    section: int         # index in Text.sections of the nearest heading above; -1 before the first
    bold_lead: bool      # the block opens with bold text ("Data: ..." with "Data:" in bold)
    caption: bool        # a table caption

    @property
    def masthead(self) -> bool:
        if self.zone == "title":
            return True
        return self.zone == "front" and self.bold_lead and words(self.text) <= 40

    @property
    def prose(self) -> bool:
        """Running text: paragraphs and list items outside tables, captions and the masthead."""
        return self.kind in {"p", "li"} and not self.caption and not self.masthead


@dataclass
class Section:
    level: int
    title: str
    block: int           # index of the heading in Text.blocks
    parent: int          # index of the enclosing section, -1 at the top


@dataclass
class Table:
    section: int         # the section the table stands in
    header: list[str]
    rows: list[list[str]]
    caption: str = ""


class Text(HTMLParser):
    """Collect body blocks as Block(kind, text, ...), skipping references, provenance and marks;
    keep what the checks need besides: sections, tables cell by cell, reference entries, citations."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, str]] = []   # (tag, skipped, role)
        self.blocks: list[Block] = []
        self.sections: list[Section] = []
        self.tables: list[Table] = []
        self.references: list[str] = []   # each entry of the reference list, its number first
        self.citations: list[str] = []    # each in-text citation of the body ("[2–11]")
        self.buf: list[str] = []
        self.kind = "p"
        self.in_body = False
        self.seen_heading = False         # the first heading of <main> ends the front matter
        self.bold_lead: bool | None = None
        self.table: Table | None = None
        self.row: list[str] | None = None
        self.header_row = False
        self.cell: list[str] | None = None
        self.ref: list[str] | None = None
        self.cite: list[str] | None = None

    def skipping(self) -> bool:
        return any(skip for _, skip, _ in self.stack)

    def roles(self) -> set[str]:
        return {role for _, _, role in self.stack}

    def zone(self) -> str:
        roles = self.roles()
        if "title" in roles:
            return "title"
        return "front" if "main" in roles and not self.seen_heading else "body"

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.buf)).strip()
        if text:
            zone, caption = self.zone(), "caption" in self.roles()
            if self.kind in HEADINGS and zone != "title":
                level = int(self.kind[1])
                parent = next((i for i in range(len(self.sections) - 1, -1, -1)
                               if self.sections[i].level < level), -1)
                self.sections.append(Section(level, text, len(self.blocks), parent))
            self.blocks.append(Block(self.kind, text, zone, len(self.sections) - 1,
                                     bool(self.bold_lead), caption))
            if caption and self.table:
                self.table.caption = text
        self.buf = []
        self.bold_lead = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.in_body = True
        classes = set((a.get("class") or "").split())
        ident = a.get("id")
        skip = tag in SKIP_TAGS or bool(classes & SKIP_CLASSES) or (ident in SKIP_IDS)
        if tag in BLOCK_TAGS:
            self.flush()
            self.kind = tag if tag in HEADINGS else ("cell" if tag in {"td", "th"} else ("li" if tag == "li" else "p"))
        roles = self.roles()
        role = ""
        if tag == "header" and ("title-block" in classes or ident == "title-block-header"):
            role = "title"
        elif tag == "main":
            role = "main"
        elif tag in {"strong", "b"}:
            role = "bold"
        elif tag == "caption":
            role = "caption"
        elif "csl-entry" in classes:
            role, self.ref = "ref", []
        elif "citation" in classes and not roles & {"appendix", "ref"}:
            role, self.cite = "cite", []
        elif ident in SKIP_IDS or classes & {"references", "csl-bib-body"}:
            role = "appendix"
        if tag in HEADINGS and "main" in roles and "title" not in roles:
            self.seen_heading = True
        if tag == "table" and not self.skipping():
            self.table = Table(len(self.sections) - 1, [], [])
            self.tables.append(self.table)
        elif tag == "tr" and self.table is not None:
            self.row, self.header_row = [], True
        elif tag in {"td", "th"} and self.row is not None:
            self.cell = []
            self.header_row &= tag == "th"
        if tag not in VOID:
            self.stack.append((tag, skip, role))

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.flush()
            self.kind = "p"
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for closed, _, role in reversed(self.stack[i:]):
                    self.close(closed, role)
                del self.stack[i:]
                break

    def close(self, tag: str, role: str) -> None:
        def joined(parts: list[str]) -> str:
            return re.sub(r"\s+", " ", "".join(parts)).strip()

        if role == "ref" and self.ref is not None:
            self.references.append(joined(self.ref))
            self.ref = None
        elif role == "cite" and self.cite is not None:
            self.citations.append(joined(self.cite))
            self.cite = None
        if tag in {"td", "th"} and self.cell is not None and self.row is not None:
            self.row.append(joined(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            if self.header_row and not self.table.header and not self.table.rows:
                self.table.header = self.row
            elif self.row:
                self.table.rows.append(self.row)
            self.row = None
        elif tag == "table":
            self.table = self.row = self.cell = None

    def handle_data(self, data):
        if self.ref is not None:
            self.ref.append(data)
        if self.cite is not None:
            self.cite.append(data)
        if self.in_body and not self.skipping():
            self.buf.append(data)
            if self.cell is not None:
                self.cell.append(data)
            if self.bold_lead is None and data.strip():
                self.bold_lead = "bold" in self.roles()

    def subtree(self, section: int) -> list[int]:
        """Indexes of the blocks under a heading, up to the next heading of the same or a higher level."""
        if section < 0:
            return []
        head = self.sections[section]
        out = []
        for i in range(head.block + 1, len(self.blocks)):
            b = self.blocks[i]
            if b.kind in HEADINGS and b.zone != "title" and int(b.kind[1]) <= head.level:
                break
            out.append(i)
        return out

    def heading_path(self, section: int) -> list[str]:
        out = []
        while section >= 0:
            out.append(self.sections[section].title)
            section = self.sections[section].parent
        return out


def parse(path: Path) -> Text:
    parser = Text()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.flush()
    return parser


# --- the checks that look at one block at a time ---------------------------------------------------

def block_checks(doc: Text) -> list[Finding]:
    found: list[Finding] = []

    def add(kind: str, text: str, match: str) -> None:
        found.append((kind, match, text))

    sentences_seen: Counter[str] = Counter()
    prev_heading = None
    for b in doc.blocks:
        kind, text = b.kind, b.text
        if kind in HEADINGS:
            level = int(kind[1])
            if prev_heading is not None and level <= prev_heading:
                add("empty-section", text, "heading after an empty section")
            prev_heading = level
        else:
            prev_heading = None
        for m in RAW.finditer(text):
            add("raw-markup", text, m.group(0).strip())
        if kind == "cell":
            continue
        for m in SNAKE.finditer(text):
            add("internal-name", text, m.group(0))
        for m in FILES.finditer(text):
            if not text[: m.start()].endswith("Data: "):  # "Data: x.csv" names a companion file
                add("internal-name", text, m.group(0))
        for m in RECORD.finditer(text):
            add("record-id", text, m.group(0))
        for m in DOUBLED.finditer(text):
            if not m.group(1).isdigit() and m.group(1).lower() not in {"had", "that", "very"}:
                add("doubled-word", text, m.group(0))
        for m in PLURAL_ONE.finditer(text):
            if m.group(1) not in PLURAL_OK and not m.group(1).endswith("ss"):
                add("agreement", text, m.group(0))
        for m in ZERO.finditer(text):
            add("zero-count", text, m.group(0))
        for m in TYPE_ECHO.finditer(text):
            add("type-echo", text, m.group(0))
        if kind in {"p", "li"}:
            for s in SENTENCE.split(text):
                if len(s.split()) >= (8 if kind == "p" else 12):
                    sentences_seen[s.strip()] += 1
    for s, n in sentences_seen.items():
        if n > 1:
            add("repeated", s, f"{n} times")
    return found


# --- tie-as-most -----------------------------------------------------------------------------------

MOST = re.compile(r"\bthe most (?:frequent|common|numerous)\b(?: [a-z]+)?(?: (?:is|are|was|were))? "
                  r"(?P<items>(?:[^.;]|\.(?=\d))+)", re.IGNORECASE)
ZERO_MARKS = {"", "·", "-", "–", "—", "0"}
INLINE_COUNT = re.compile(r"([A-Z][\w'’&/ -]{0,60}?) \((\d+)\)")

Counts = dict[str, tuple[str, int]]   # compare form of a label -> (label, count)


def label_key(text: str) -> str:
    """Labels compare without hyphens: the text's "Agro-industry" is the table's "Agro industry"."""
    return norm(text).replace("-", " ")


def column_counts(table: Table, hints: list[str]) -> Counts | None:
    """Counts per first-column label: from the only numeric column, or from the numeric column whose
    header appears in one of the hints (heading path and sentence)."""
    if not table.rows or not table.header:
        return None
    width = max(len(r) for r in table.rows)
    numeric = []
    for col in range(1, width):
        values = [r[col] if col < len(r) else "" for r in table.rows]
        if all(v.isdigit() or v in ZERO_MARKS for v in values) and any(v.isdigit() for v in values):
            numeric.append(col)
    if len(numeric) > 1:
        hint = " ".join(norm(h) for h in hints)
        numeric = [c for c in numeric if c < len(table.header) and table.header[c]
                   and re.search(rf"(?<!\w){re.escape(norm(table.header[c]))}(?!\w)", hint)]
    if len(numeric) != 1:
        return None
    col = numeric[0]
    return {label_key(r[0]): (r[0], int(r[col]) if col < len(r) and r[col].isdigit() else 0)
            for r in table.rows if r and r[0]}


def named_items(items: str, counts: Counts) -> list[str]:
    """The labels a claim names, in order; none unless the claim starts with one of them."""
    text = label_key(items)
    taken: list[tuple[int, int, str]] = []
    for key in sorted(counts, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text):
            if all(m.end() <= a or m.start() >= b for a, b, _ in taken):
                taken.append((m.start(), m.end(), key))
    taken.sort()
    return [key for _, _, key in taken] if taken and taken[0][0] == 0 else []


def tie_verdict(named: list[str], counts: Counts, where: str) -> str | None:
    if len(named) == 1:
        label, n = counts[named[0]]
        top = max(v for _, v in counts.values())
        if n < top:
            better = ", ".join(lab for lab, v in counts.values() if v == top)
            return f"{label} ({n}) is not the most frequent: {better} has {top} in {where}"
        others = [lab for key, (lab, v) in counts.items() if v == n and key != named[0]]
        return f"{label} ({n}) ties with {', '.join(others)} ({n}) in {where}" if others else None
    floor = min(counts[key][1] for key in named)
    left_out = [f"{lab} ({v})" for key, (lab, v) in counts.items() if key not in named and v >= floor]
    if left_out:
        return (f"the list stops inside a tie: {', '.join(left_out)} left out, as many as the last "
                f"named, in {where}")
    return None


def judge_most(doc: Text, block: Block, items: str, sentence: str) -> str | None:
    hints = doc.heading_path(block.section) + [sentence]
    for table in sorted(doc.tables, key=lambda t: t.section != block.section):   # same section first
        counts = column_counts(table, hints)
        named = named_items(items, counts) if counts else []
        if named:
            where = re.match(r"\w+ \d+", table.caption)
            return tie_verdict(named, counts, where.group(0) if where else "the table")
    counts: Counts = {}
    for i in doc.subtree(block.section):
        if doc.blocks[i].kind in {"p", "li"}:
            for label, n in INLINE_COUNT.findall(doc.blocks[i].text):
                label = re.sub(r"^(?:and|or|are|is) ", "", label.strip())
                counts.setdefault(label_key(label), (label, int(n)))
    named = named_items(items, counts) if len(counts) > 1 else []
    return tie_verdict(named, counts, "the counts of this section") if named else None


def tie_as_most(doc: Text) -> list[Finding]:
    found = []
    for b in doc.blocks:
        if b.prose:
            for s in sentences(b.text):
                for m in MOST.finditer(s):
                    verdict = judge_most(doc, b, m.group("items"), s)
                    if verdict:
                        found.append(("tie-as-most", verdict, s))
    return found


# --- echo ------------------------------------------------------------------------------------------

YEAR = r"(?:1[89]\d\d|20\d\d)"
# a year on its own: not part of a period ("2013-2017"), a date ("2014-10-30") or a longer number
LONE_YEAR = re.compile(rf"(?<![\w.,–—-]){YEAR}(?![\w]|[–—-]\d|[.,]\d)")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
PAREN = re.compile(r"\(([^()]*)\)")
DATE_VALUE = re.compile(rf"^(?:(?:until|from|since|by|in|to) )?{YEAR}(?:-{YEAR})?$")
ISO_VALUE = re.compile(rf"^({YEAR})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?$")
TEXT_DATE = re.compile(rf"^(\d{{1,2}}) ({'|'.join(MONTHS)}) ({YEAR})$")
NAME_VALUE = re.compile(r"^[A-Z][\w'’.&-]*(?: (?:of |and |the )?[A-Z][\w'’.&-]*){0,3}$")
# two capitals and no run of three small letters: GMIS 2019, POPs, BoF, EurAsEC (not Nur-Sultan)
ABBREVIATION = re.compile(r"^(?=\S*[A-Z]\S*[A-Z])(?!\S*[a-z]{3})[A-Za-z0-9&-]+\b")
NAME_TOKEN = re.compile(r"(?<![\w'’-])([A-Z][\w'’]*(?:-[A-Z][\w'’]*)*)(?![\w'’-])")
LIST_LABEL = re.compile(r"^[A-Z]\d+$")       # list labels such as I5, P12, R3
LINK_WORDS = r"(?:in|on|at|and|or|for|from|to|with|as|by|since|until)"
CAPITALISED_WORDS = {   # capitalised at the start of a sentence, not names
    "The", "A", "An", "It", "Its", "This", "That", "These", "Those", "In", "On", "At", "By", "For",
    "From", "Since", "Until", "With", "And", "But", "Or", "As", "After", "Before", "Under", "Each",
    "Every", "Both", "All", "Some", "Other", "Among", "Of", "To", "What", "How", "Why", "Where",
    "When", "Whether", "Besides", "There", "Here", "They", "He", "She", "We", "Our", "Their", "His",
    "Her", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "First",
    "Second", "Third", "Table", "Figure", "Section", "Editorial", "Note", *MONTHS}


def date_forms(value: str) -> list[str]:
    """Other spellings of the same date: ISO <-> "27 April 2018" / "April 27, 2018"."""
    m = ISO_VALUE.match(value)
    if m:
        year, month, day = m.group(1), MONTHS[int(m.group(2)) - 1], m.group(3)
        if not day:
            return [f"{month} {year}"]
        return [f"{int(day)} {month} {year}", f"{month} {int(day)}, {year}"]
    m = TEXT_DATE.match(value)
    if m:
        return [f"{m.group(3)}-{MONTHS.index(m.group(2)) + 1:02d}-{int(m.group(1)):02d}"]
    return []


def occurs(value: str, text: str, exact: bool = False) -> bool:
    """Whether value stands in text as a whole, not inside a period, a longer word or a number."""
    # abbreviations keep their case (the article's 'Pops' is not POPs); the rest compare folded
    value, text = (value, text.translate(DASHES)) if exact else (norm(value), norm(text))
    return re.search(rf"(?<![\w-]){re.escape(value)}(?![\w]|-\d)", text) is not None


def outside_parentheses(text: str) -> str:
    while True:
        bare = PAREN.sub(" \x00 ", text)
        if bare == text:
            return text
        text = bare


ECHO_WINDOW = 8   # words between a value and its parenthesis


def parenthesis_echoes(s: str) -> list[str]:
    """Parentheses whose value the sentence gives right beside them: a date or period just before
    ("for 2017 (2017)"), a name just before or after ("(Armenia) in Armenia"), an abbreviation
    anywhere before. Other parentheses are left out of the comparison: "A (2015), B (2015)" gives
    two items their years, and "the Survey (2020) found that in 2020 ..." is no echo either."""
    out: list[str] = []
    for m in PAREN.finditer(s):
        value = m.group(1).strip().translate(DASHES)
        if not value or m.group(1).strip() in out:
            continue
        before = outside_parentheses(s[: m.start()])
        near_before = " ".join(before.split()[-ECHO_WINDOW - 3:])    # a date spans up to 3 words
        near_after = " ".join(outside_parentheses(s[m.end():]).split()[:ECHO_WINDOW])
        if ABBREVIATION.match(value):
            hit = occurs(value, before, exact=True)      # used before it is introduced
        elif DATE_VALUE.match(value.casefold()) or ISO_VALUE.match(value) or TEXT_DATE.match(value):
            hit = any(occurs(v, near_before) for v in [value, *date_forms(value)])
        elif NAME_VALUE.match(value):
            hit = occurs(value, near_before + " \x00 " + near_after)
        else:
            hit = False
        if hit:
            out.append(m.group(1).strip())
    return out


def near_repeats(s: str) -> list[str]:
    """Years or names repeated across a comma within a few words ("2016, UNIDO conference of 2016",
    "Nur-Sultan (proposed), Nur-Sultan") or after a short link ("Republic of Belarus in Belarus")."""
    tokens = [(m.start(), m.end(), m.group(0), "year") for m in LONE_YEAR.finditer(s)]
    for m in NAME_TOKEN.finditer(s):
        word = m.group(1)
        if word in CAPITALISED_WORDS or LIST_LABEL.match(word) or len(word) < 3:
            continue
        # a name on its own, not part of a longer one ("UNIDO, UNIDO CIIC Russia" names two partners)
        if re.search(r"[A-Z][\w'’-]* $", s[: m.start()]) or re.match(r" [A-Z]", s[m.end():]):
            continue
        tokens.append((m.start(), m.end(), word, "name"))
    out: list[str] = []
    for i, (_, end, value, kind) in enumerate(tokens):
        for start2, end2, value2, _ in tokens[i + 1:]:
            if value2 != value or value in out:
                continue
            between = s[end:start2]
            bare = PAREN.sub("", between)
            if re.search(r"[.:;!?]", bare):
                continue
            n = words(between)
            if "," in bare:
                # both mentions must end a phrase: "Vienna, Vienna, Austria", "2016, UNIDO conference
                # of 2016 (...)", not "terms on UNIDO governing bodies, UNIDO offices" or "in 2018 and
                # 2019, and the 2019 figure"
                ends_first = re.match(r"\s*(?:\([^()]*\))?\s*[,)]", s[end:])
                ends_second = re.match(rf"\s*(?:$|[,.:;()]|{LINK_WORDS}\b)", s[end2:])
                if not (ends_first and ends_second):
                    continue
            across_comma = "," in bare and n <= 5
            linked = kind == "name" and n <= 2 and re.fullmatch(r"[\s)]*(?:in|of|at|for|to)?\s*", bare)
            if across_comma or linked:
                out.append(value)
    return out


def echo(doc: Text) -> list[Finding]:
    found = []
    for b in doc.blocks:
        if b.prose:
            for s in sentences(b.text):
                values = parenthesis_echoes(s)
                found += [("echo", f"({v}) repeats the sentence", s) for v in values]
                found += [("echo", f"{v} twice in one phrase", s)
                          for v in near_repeats(s) if v not in values]
    return found


# --- iso-date --------------------------------------------------------------------------------------

ISO_DATE = re.compile(rf"(?<![\w./-])({YEAR})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?"
                      r"(?![\w]|[–-]\d)")


def iso_date(doc: Text) -> list[Finding]:
    found = []
    for b in doc.blocks:
        if b.kind == "cell" or b.caption or b.masthead:
            continue
        for m in ISO_DATE.finditer(b.text):
            # "2009-10" may be the period 2009-2010: a month counts only where it cannot be a later year
            if m.group(3) or int(m.group(2)) <= int(m.group(1)[2:]):
                found.append(("iso-date", m.group(0), b.text))
    return found


# --- meta-voice ------------------------------------------------------------------------------------

META = re.compile(r"""\b(?:
      data[ -]?sets?\b
    | the\ data\ (?:records?|holds?|has|have|contains?|lists?|links?|gives?|states?|names?|changes?)\b
    | (?:recorded|named|listed|entered|kept|included|counted|appears?|none|nothing|instruments?
       |documents?|records?|entries|history|years?)\ in\ the\ data\b
    | (?:generated|computed|built|derived|extracted)\ from\ (?:the|this|that)\ data\b
    | editors\ of\ this\b
    | (?:is|are)\ ours\b
    | records\ digest\b
    | git\ commit\b
    | (?:review|brief|report|document|text|tables?)s?\ (?:can|could|will|is|are)\ (?:be\ )?rebuilt\b
    | typed\ by\ hand\b
)""", re.IGNORECASE | re.VERBOSE)


def meta_voice(doc: Text) -> list[Finding]:
    found = []
    for b in doc.blocks:
        if b.kind != "cell" and b.zone != "title" and not b.caption:
            for s in sentences(b.text):
                phrases = list(dict.fromkeys(m.group(0) for m in META.finditer(s)))
                if phrases:
                    found.append(("meta-voice", "; ".join(phrases), s))
    return found


# --- same-fact -------------------------------------------------------------------------------------

# joining, membership or cooperation tied to a year by "in", "since", "from", "is" or "of":
# "joined UNIDO in 1997", "a member of UNIDO since 1997", "its cooperation ... dates from 1992",
# "helped set UNIDO up in 1966", "the start of cooperation (1992)"; not "cooperation ... until 2025"
JOINED = re.compile(
    r"\b(?:join(?:s|ed|ing)?|member(?:s|ship)?|cooperat(?:e|es|ed|ing|ion)|work(?:s|ed|ing)? with|"
    r"(?:take|takes|taken|took|taking) part|set (?:[\w']+ )?up)\b"
    rf"(?:(?P<gap>[^,;:()]*?)\b(?:in|since|from|is|was|of) (?:\d{{1,2}} [A-Z][a-z]+ )?|\s*\()"
    rf"(?P<year>{YEAR})(?!\d)")
JOINED_GAP = 15   # words at most between the verb and the year


def names_in(s: str) -> set[str]:
    names = {re.sub(r"['’]s?$", "", m.group(1)) for m in NAME_TOKEN.finditer(s)} - CAPITALISED_WORDS
    return {n for n in names if not LIST_LABEL.match(n) and len(n) > 2}


def subject(s: str) -> str | None:
    """A name among the first three words ("Kazakhstan joined ...", "The USSR, whose ..."), else None
    ("Its cooperation ...", "Editorial note: The article says ...")."""
    for w in re.findall(r"[\w'’-]+", s)[:3]:
        if w[:1].isupper() and w not in CAPITALISED_WORDS:
            return re.sub(r"['’]s?$", "", w)
    return None


def same_fact(doc: Text) -> list[Finding]:
    facts = []   # (section, sentence, years, names)
    for b in doc.blocks:
        if b.zone == "body" and b.prose and b.section >= 0:
            for s in sentences(b.text):
                lowered = s[:1].lower() + s[1:]
                years = {m.group("year") for m in JOINED.finditer(lowered)
                         if words(m.group("gap") or "") <= JOINED_GAP}
                names = names_in(s)
                if years and names:
                    facts.append((b.section, s, years, names))

    def related(a: int, b: int) -> bool:
        return a == b or doc.sections[a].parent == b or doc.sections[b].parent == a

    def two_subjects(a: str, b: str) -> bool:
        """"Austria joined the EU in 1995." and "Sweden joined the EU in 1995." are two facts."""
        sa, sb = subject(a), subject(b)
        return bool(sa and sb and sa != sb and not occurs(sa, b) and not occurs(sb, a))

    group = list(range(len(facts)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    shared: dict[int, set[str]] = defaultdict(set)
    for i, (si, ti, yi, ni) in enumerate(facts):
        for j in range(i + 1, len(facts)):
            sj, tj, yj, nj = facts[j]
            if ti != tj and related(si, sj) and yi & yj and ni & nj and not two_subjects(ti, tj):
                group[root(j)] = root(i)
                for k in (i, j):
                    shared[k] |= (yi & yj) | (ni & nj)
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(facts)):
        clusters[root(i)].append(i)
    found = []
    for members in clusters.values():
        if len(members) > 1:
            keys = sorted(set.intersection(*(shared[i] for i in members)) or shared[members[0]])
            text = " | ".join(facts[i][1] for i in members)
            what = f"{len(members)} sentences state the same fact ({', '.join(keys)})"
            found.append(("same-fact", what, text))
    return found


# --- empty-statement -------------------------------------------------------------------------------

ABSENCE = re.compile(
    r"^(?:The (?:data|source|article|study|record)s? "
    r"(?:records?|contains?|gives?|lists?|names?|holds?|has|mentions?|states?) no\b"
    r"|No\b[^.]* (?:is|are|was|were|has been|have been) "
    r"(?:recorded|known|given|listed|stated|reported|found)\b"
    r"|There (?:is|are|was|were) no\b"
    r"|(?:None|Nothing) (?:is|are|was|were|has been) (?:recorded|known|listed|reported|found)\b)")


def empty_statement(doc: Text) -> list[Finding]:
    found = []
    for si, head in enumerate(doc.sections):
        content = [doc.blocks[i] for i in doc.subtree(si)]
        if len(content) != 1 or content[0].kind not in {"p", "li"}:
            continue
        text = content[0].text
        if len(sentences(text)) == 1 and ABSENCE.match(text):
            found.append(("empty-statement", f"section '{head.title}' only says that nothing is there", text))
    return found


# --- hedge-density ---------------------------------------------------------------------------------

HEDGE = re.compile(r"\((?![\"“'‘])(?=[^()]*\b(?:references?|sources?|citations?)\b)"
                   r"(?=[^()]*\b(?:no|not|without|partly|unclear|unknown|missing)\b)[^()]*\)", re.IGNORECASE)
HEDGES_PER_1000 = 3


def hedge_density(doc: Text) -> list[Finding]:
    body = [b for b in doc.blocks if b.zone == "body" and b.kind != "cell" and not b.caption]
    total = sum(words(b.text) for b in body)
    hedges = Counter(m.group(0) for b in body for m in HEDGE.finditer(b.text))
    count = sum(hedges.values())
    if not total or count * 1000 <= HEDGES_PER_1000 * total:
        return []
    rate = count * 1000 / total
    what = f"{count} hedges in {total} body words ({rate:.1f} per 1,000; at most {HEDGES_PER_1000})"
    return [("hedge-density", what, ", ".join(f"{n} x {h}" for h, n in hedges.most_common(3)))]


# --- duplicate-reference ---------------------------------------------------------------------------

CITED_AS = re.compile(r"Cited as (\[[^\]]*\])")


def repeated_numbers(citation: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"[;,]", citation.strip("[]() "))]
    numbers = [p for p in parts if re.fullmatch(r"\d+(?:[–-]\d+)?", p)]
    return [n for n, c in Counter(numbers).items() if c > 1]


def duplicate_reference(doc: Text) -> list[Finding]:
    found = []
    by_key: dict[str, list[str]] = defaultdict(list)
    by_text: dict[str, list[str]] = defaultdict(list)
    entry_of: dict[str, str] = {}
    for entry in doc.references:
        m = re.match(r"(\d+)\.\s*(.*)", entry)
        number, body = (m.group(1), m.group(2)) if m else ("?", entry)
        key = CITED_AS.search(body)
        if key:
            by_key[key.group(1)].append(number)
            entry_of.setdefault(key.group(1), entry)
            for n in repeated_numbers(key.group(1)):
                what = f"entry {number} is cited as {key.group(1)}: {n} twice"
                found.append(("duplicate-reference", what, entry))
        else:
            by_text[norm(body)].append(number)
            entry_of.setdefault(norm(body), entry)
    for key, numbers in [*by_key.items(), *by_text.items()]:
        if len(numbers) > 1:
            same = f"are all cited as {key}" if key in by_key else "have the same text"
            what = f"entries {', '.join(numbers)} {same}"
            found.append(("duplicate-reference", what, entry_of[key]))
    for c in doc.citations:
        for n in repeated_numbers(c):
            found.append(("duplicate-reference", f"citation {c} gives {n} twice", c))
    return found


# --- label-as-prose --------------------------------------------------------------------------------

LABEL = re.compile(r"^([^\W\d_]+(?: [^\W\d_]+){0,2}) ?:\s+\S")   # French sets a space before the colon
LABEL_MIN = 3


def label_as_prose(doc: Text) -> list[Finding]:
    uses: dict[str, list[str]] = defaultdict(list)
    for b in doc.blocks:
        if b.zone == "body" and b.prose:
            for s in sentences(b.text):
                m = LABEL.match(s)
                # a label: a capital, then small words or abbreviations ("On UNIDO:", "Editorial note:")
                if m and m.group(1)[0].isupper() and all(w.islower() or w.isupper()
                                                         for w in m.group(1).split()[1:]):
                    uses[m.group(1)].append(s)
    return [("label-as-prose", f"'{label}:' opens {len(found)} sentences", found[0])
            for label, found in uses.items() if len(found) >= LABEL_MIN]


# --- one document, and the set of documents --------------------------------------------------------

DETECTORS = (block_checks, tie_as_most, echo, iso_date, meta_voice, same_fact, empty_statement,
             hedge_density, duplicate_reference, label_as_prose)


def findings(doc: Text) -> list[Finding]:
    return [f for detector in DETECTORS for f in detector(doc)]


def line(where: str, finding: Finding) -> str:
    kind, what, text = finding
    return f"{where}: {kind}: {what!r} in: {text[:150]}"


def check(path: Path) -> list[str]:
    """The findings of one document as printed lines (cross-doc-repeat needs the whole set)."""
    return [line(str(path), f) for f in findings(parse(path))]


SHINGLE = 25          # words in a verbatim run
CROSS_MIN_DOCS = 3
CROSS_COVER = 0.6     # share of its paragraph or list item the run must cover


def cross_doc_repeat(docs: dict[Path, Text]) -> list[Finding]:
    """Paragraphs and list items repeated verbatim in 3+ documents, one finding per family of copies."""
    if len(docs) < CROSS_MIN_DOCS:
        return []
    blocks: list[tuple[Path, str, list[tuple[str, ...]]]] = []
    owners: dict[tuple[str, ...], set[Path]] = defaultdict(set)
    for path, doc in docs.items():
        for b in doc.blocks:
            if b.kind in {"p", "li"} and b.zone != "title" and not b.caption:
                w = norm(b.text).split()
                shingles = [tuple(w[i:i + SHINGLE]) for i in range(len(w) - SHINGLE + 1)]
                if shingles:
                    blocks.append((path, b.text, shingles))
                    for sh in shingles:
                        owners[sh].add(path)

    def shared_run(shingles: list[tuple[str, ...]]) -> int:
        """Words in the longest run of the block that 3+ documents share."""
        run = best = 0
        for sh in shingles:
            run = run + 1 if len(owners[sh]) >= CROSS_MIN_DOCS else 0
            best = max(best, run)
        return best + SHINGLE - 1 if best else 0

    copies = {i: shared_run(sh) for i, (_, _, sh) in enumerate(blocks)}
    copies = {i: n for i, n in copies.items()
              if n and n >= CROSS_COVER * (len(blocks[i][2]) + SHINGLE - 1)}
    group = {i: i for i in copies}

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    first: dict[tuple[str, ...], int] = {}
    for i in copies:
        for sh in blocks[i][2]:
            if len(owners[sh]) >= CROSS_MIN_DOCS:
                if sh in first:
                    group[root(i)] = root(first[sh])
                else:
                    first[sh] = i
    families: dict[int, list[int]] = defaultdict(list)
    for i in copies:
        families[root(i)].append(i)
    order = list(docs)
    names = {p: (p.name if [q.name for q in order].count(p.name) == 1 else str(p)) for p in order}
    found = []
    for members in families.values():
        paths = sorted({blocks[i][0] for i in members}, key=order.index)
        if len(paths) >= CROSS_MIN_DOCS:
            lead = max(members, key=lambda i: copies[i])
            listed = ", ".join(names[p] for p in paths)
            what = f"up to {copies[lead]} words verbatim in {len(paths)} documents: {listed}"
            found.append(("cross-doc-repeat", what, blocks[lead][1]))
    return found


# --- command line ----------------------------------------------------------------------------------

def tally(found: list[Finding]) -> str:
    kinds = Counter(kind for kind, _, _ in found)
    return f" ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})" if found else ""


def main(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        return 0
    unknown = [a for a in argv if a.startswith("-") and a != "--summary"]
    if unknown:
        print(f"unknown option {unknown[0]} (options: --summary, --help)")
        return 2
    summary = "--summary" in argv
    files = [Path(a) for a in argv if a != "--summary"] or sorted(
        p for p in Path("reports").rglob("*.html") if "diff" not in p.parts and "archive" not in p.parts
    )
    if not files:
        print("FAIL no HTML documents under reports/ (build first)")
        return 1
    total = 0
    docs: dict[Path, Text] = {}
    for f in files:
        docs[f] = parse(f)
        found = findings(docs[f])
        total += len(found)
        if not summary:
            for finding in found:
                print(line(str(f), finding))
        print(f"{'ok  ' if not found else 'FAIL'} {f}: {len(found)} finding(s)" + tally(found))
    across = cross_doc_repeat(docs)
    if across:
        total += len(across)
        if not summary:
            for finding in across:
                print(line("across documents", finding))
        print(f"FAIL across the {len(files)} documents: {len(across)} finding(s)" + tally(across))
    print(f"editorial findings: {total} in {len(files)} document(s)")
    return 0 if total == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
