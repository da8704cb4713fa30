"""Measure how much of the review article is its own prose (issue 29), on a built ``reports/``.

Read from the review's HTML body, before the references:

- ``shared_8``: the share of the body's words that lie in a run of 8 words found verbatim in
  some brief (record titles in italics, citations and record marks left out of both);
- ``frames``: sentence frames (a sentence's first four words, the state's name and digits
  replaced) that open sentences in more than two state sections (section ids ``bilateral-*``);
- ``hedges``: the parentheses "(no reference given in the source)" and "(partly without ...)";
- ``back_matter``: the PDF's pages from the one where the references begin to the end, as a
  share of all pages (pypdf, when it is installed);
- ``comparisons``: body sentences that compare with a registered computed claim: spans of class
  ``comparison`` whose ``data-claim`` names only claims the review's register holds
  (``reports/claims/register.csv``, document ``article/review``) and whose text gives a number;
  ``union_comparisons`` those of them with ``data-level="union"`` (the union level against the
  states); ``unregistered`` the claim names a span gives that the register lacks.

Usage: ``python tools/review_measures.py [REPORTS] [--check]``. With ``--check`` the exit status
is 1 when a target of the issue is missed (shared_8 >= 5 %, any frame, any hedge, back matter
> 40 %, fewer than 30 comparisons or 5 union comparisons, any unregistered claim). Standard
library only, apart from pypdf for the page count; it imports nothing of the program it
measures.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

RUN = 8
FRAME = 4
HEDGES = ("(no reference given in the source)", "(partly without a reference in the source)")
WORD = re.compile(r"[\w’'-]+", re.UNICODE)
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"*])")
# The targets of issue 29 (``--check``).
MIN_COMPARISONS = 30
MIN_UNION_COMPARISONS = 5
DOCUMENT = "article/review"
NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twice|times)\b", re.I
)


class _Text(HTMLParser):
    """The visible text of an HTML page, by section: italics, citations and record marks left out."""

    SKIP_CLASSES = ("citation", "record-id", "provenance-mark")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.sections: list[str] = ["body"]
        self.parts: dict[str, list[str]] = defaultdict(list)
        self.stopped = False

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        skip = tag in ("em", "i", "script", "style", "head", "title", "sup") or any(
            c in (a.get("class") or "").split() for c in self.SKIP_CLASSES
        )
        if tag in ("section", "div") and a.get("id") in ("references", "refs"):
            self.stopped = True
        if tag in ("br", "img", "meta", "link", "hr", "input"):
            return
        self.stack.append((tag, skip))
        if tag == "section":
            self.sections.append(a.get("id") or self.sections[-1])
        if tag in ("p", "li", "h1", "h2", "h3", "td", "th", "figcaption", "caption"):
            self.parts[self.sections[-1]].append("\n")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            t, _ = self.stack.pop()
            if t == "section" and len(self.sections) > 1:
                self.sections.pop()
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stopped or any(skip for _, skip in self.stack):
            return
        self.parts[self.sections[-1]].append(re.sub(r"\s+", " ", data))


def page_text(path: Path) -> dict[str, str]:
    """The text of an HTML page by section id (before its references), paragraphs on lines."""
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return {k: re.sub(r"[ \t\r]+", " ", "".join(v)) for k, v in parser.parts.items()}


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, punctuation dropped."""
    return [w.lower().strip("’'-") for w in WORD.findall(text) if w.strip("’'-")]


def shared_runs(body: list[str], others: list[list[str]], n: int = RUN) -> int:
    """How many words of ``body`` lie in a run of ``n`` words found in one of ``others``."""
    grams = {tuple(ws[i : i + n]) for ws in others for i in range(len(ws) - n + 1)}
    covered = [False] * len(body)
    for i in range(len(body) - n + 1):
        if tuple(body[i : i + n]) in grams:
            for j in range(i, i + n):
                covered[j] = True
    return sum(covered)


def frames(sections: dict[str, str]) -> dict[str, list[str]]:
    """Sentence frames (first four words, state name and digits replaced) in 3+ state sections."""
    seen: dict[str, set[str]] = defaultdict(set)
    for sid, text in sections.items():
        if not sid.startswith("bilateral-") or sid == "bilateral-regional":
            continue
        heading = text.strip().split("\n")[0]
        state = re.sub(r"^[\d.]+\s*", "", heading).strip()
        for para in text.split("\n")[1:]:
            for sentence in SENTENCE.split(para.strip()):
                if state:
                    sentence = sentence.replace(state, "STATE")
                frame = " ".join(words(re.sub(r"\d[\d,.]*", "#", sentence))[:FRAME])
                if len(frame.split()) == FRAME:
                    seen[frame].add(sid)
    return {f: sorted(s) for f, s in sorted(seen.items()) if len(s) > 2}


class _Comparisons(HTMLParser):
    """The spans of class ``comparison`` before the references: their claims, level and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []
        self.open: list[dict | None] = []
        self.stopped = False

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        if tag in ("section", "div") and a.get("id") in ("references", "refs"):
            self.stopped = True
        if tag != "span":
            return
        mine = "comparison" in (a.get("class") or "").split() and not self.stopped
        entry = {"claims": (a.get("data-claim") or "").split(), "level": a.get("data-level")}
        self.open.append(dict(entry, text=[]) if mine else None)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.open:
            entry = self.open.pop()
            if entry is not None:
                self.found.append(dict(entry, text=" ".join("".join(entry["text"]).split())))

    def handle_data(self, data: str) -> None:
        for entry in self.open:
            if entry is not None:
                entry["text"].append(data)


def registered(register: Path, document: str = DOCUMENT) -> set[str]:
    """The claim names the build's register holds for ``document``."""
    if not register.exists():
        return set()
    with register.open(encoding="utf-8", newline="") as f:
        return {row["claim"] for row in csv.DictReader(f) if row["document"] == document}


def comparisons(html: Path, register: Path) -> dict:
    """The comparison sentences of the review's body (module docstring, ``comparisons``)."""
    parser = _Comparisons()
    parser.feed(html.read_text(encoding="utf-8"))
    names = registered(register)
    counted = [
        c
        for c in parser.found
        if c["claims"] and set(c["claims"]) <= names and NUMBER.search(c["text"])
    ]
    return {
        "comparisons": len(counted),
        "union_comparisons": sum(1 for c in counted if c["level"] == "union"),
        "unregistered": sorted({n for c in parser.found for n in c["claims"]} - names),
    }


def back_matter(pdf: Path) -> tuple[int, int] | None:
    """(pages from the one where the references begin to the end, all pages) of the PDF."""
    try:
        import pypdf
    except ImportError:
        return None
    pages = pypdf.PdfReader(str(pdf)).pages
    for n, page in enumerate(pages):
        lines = [x.strip() for x in (page.extract_text() or "").splitlines()]
        if n and "References" in lines:
            return len(pages) - n, len(pages)
    return None


def measure(reports: Path) -> dict:
    """Every measure of the module's docstring on the review in ``reports``."""
    review = page_text(reports / "article" / "review.html")
    body_text = "\n".join(review.values())
    body = words(body_text)
    briefs = [words("\n".join(page_text(p).values())) for p in (reports / "briefs").glob("*.html")]
    shared = shared_runs(body, briefs)
    result = {
        "body_words": len(body),
        "shared_8_words": shared,
        "shared_8": round(100 * shared / len(body), 1) if body else 0.0,
        "frames": frames(review),
        "hedges": sum(body_text.count(h) for h in HEDGES),
        **comparisons(reports / "article" / "review.html", reports / "claims" / "register.csv"),
    }
    pages = back_matter(reports / "article" / "review.pdf")
    if pages:
        result["back_pages"], result["pages"] = pages
        result["back_matter"] = round(100 * pages[0] / pages[1], 1)
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the measures as JSON; with ``--check``, exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("reports", nargs="?", default="reports", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.reports)
    print(json.dumps(result, indent=1, ensure_ascii=False))
    missed = (
        result["shared_8"] >= 5
        or result["frames"]
        or result["hedges"]
        or result.get("back_matter", 0) > 40
        or result["comparisons"] < MIN_COMPARISONS
        or result["union_comparisons"] < MIN_UNION_COMPARISONS
        or result["unregistered"]
    )
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
