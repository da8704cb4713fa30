"""Context of the consolidated review article.

The article consolidates the briefs (one section per member state, built from the same records
through :func:`coopdocs.compute.contexts.brief_context`) and the comparative tables and figures (from
:mod:`coopdocs.compute.tables`). Every name, date, number or count the article's prose shows comes from
here; the template only words it. Tables and figures are numbered in the order the article shows
them, so "Table 2" means the same table in DOCX, PDF and HTML.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from coopdocs import layout
from coopdocs.compute.contexts import (
    Resolver,
    brief_context,
    citing_works,
    digest,
    event_entry,
    is_member,
    organisation,
    project_entry,
    record_date,
    sort_key_fact,
    sort_key_year,
    union_of,
)
from coopdocs.compute.overview import describe_theme_matrix, describe_timeline_overview
from coopdocs.compute.selection import OTHER, count_matrix, frame_rows, other_states
from coopdocs.compute.tables import Frame
from coopdocs.load.authored import cited_keys, parse_authored
from coopdocs.load.datapackage import Package
from coopdocs.load.strings import Words, word
from coopdocs.tools.collation import by_name, collation_key

# The order in which the article shows its tables and figures (section by section); their
# captions are the strings file's ``article_tables`` and ``figures``. A table with nothing to
# show is left out, and the others are numbered in order.
ARTICLE_TABLES = [
    layout.MAIN_DIRECTIONS,
    layout.INSTITUTIONAL_PROFILE,
    layout.LEGAL_BASIS,
    layout.PROJECTS_BY_THEME,
    layout.PROJECTS_BY_FUNDER,
]
ARTICLE_FIGURES = [layout.TIMELINE_FIGURE, layout.THEMES_FIGURE]


def _words(key) -> str:
    """A row key of a counts matrix as words ('framework-programme' -> 'framework programme')."""
    return str(key).replace("-", " ")


def _top(counter: Counter) -> tuple[str, int] | tuple[None, int]:
    """The most frequent key (ties broken by collation) and its count."""
    if not counter:
        return None, 0
    key = sorted(counter.items(), key=lambda kv: (-kv[1], collation_key(str(kv[0]))))[0]
    return key


def _leaders(counter: Counter) -> dict[str, Any]:
    """The keys with the highest count (all of them when tied, by collation) and that count."""
    best = max(counter.values(), default=0)
    names = by_name((k for k, v in counter.items() if v == best and v), str) if best else []
    return {"name": names[0] if len(names) == 1 else None, "names": names, "count": best}


def article_context(
    package: Package,
    frames: dict[str, Frame],
    meta: dict[str, Any],
    build: dict[str, Any],
    settings: dict[str, Any],
    keep: list[str] | None = None,
    others: int = 0,
    words: Words | None = None,
) -> dict[str, Any]:
    """Everything the review article's template needs, ready to word.

    ``frames`` are the tables as the article shows them (coopdocs.compute.selection.focus_frames).
    With ``others`` > 0 only the member states in ``keep`` get a section of their own; counts and
    the comparisons of the most active states still cover every state. ``settings``: the checked
    ``organisation``, ``union`` and ``union_body``. The author's judgements come from the
    package's authored text ``article`` (coopdocs.load.authored), when it has one.
    """
    t = package.tables
    organisation_id = settings["organisation"]
    union_row = union_of(package, settings.get("union"))
    front, authored = (
        parse_authored(package.texts["article"]) if "article" in package.texts else ({}, {})
    )
    all_states = by_name((c for c in t["countries"] if c["kind"] != "union"), lambda c: c["name"])
    members = [c for c in all_states if is_member(c)]
    kept = set(keep) if keep is not None else {c["code"] for c in t["countries"]}
    states = [c for c in all_states if c["code"] in kept]
    unions = [union_row] if union_row else []
    order = [(c["code"], c["name"]) for c in states]
    if others:
        order.append((OTHER, other_states(others, words)))
    order += [(c["code"], c["name"]) for c in unions]

    briefs = {
        c["code"]: brief_context(
            package,
            c["code"],
            build,
            organisation_id,
            with_provenance=False,
            words=words,
            union_code=settings.get("union"),
        )
        for c in states + unions
    }
    res = Resolver.of(package)
    org = organisation(package, organisation_id)

    matrices = {layout.LEGAL_BASIS: "instrument_type", layout.PROJECTS_BY_THEME: "theme"}
    tables: dict[str, dict[str, Any]] = {}
    for tid in ARTICLE_TABLES:
        entry: dict[str, Any] = {
            "id": tid,
            "caption": word(words, f"article_tables.{tid}", "", org=org["short_name"]),
        }
        if tid in matrices:
            entry["matrix"] = count_matrix(frames[tid], matrices[tid], order, label=_words)
            entry["shown"] = bool(entry["matrix"]["rows"])
        else:
            entry["rows"] = frame_rows(frames[tid])
            entry["shown"] = bool(entry["rows"])
        tables[tid] = entry
    for n, entry in enumerate((e for e in tables.values() if e["shown"]), start=1):
        entry["number"] = n
    figures: dict[str, dict[str, Any]] = {}
    for fid in ARTICLE_FIGURES:
        table = layout.FIGURE_TABLES[fid]
        shown = bool(frames[table].rows) if table not in tables else tables[table]["shown"]
        if shown:
            figures[fid] = {
                "id": f"fig-{fid}",
                "number": len(figures) + 1,
                "file": layout.figure_file(fid, "svg"),
                "caption": word(words, f"figures.{fid}.caption", ""),
            }
    if layout.TIMELINE_FIGURE in figures:
        figures[layout.TIMELINE_FIGURE]["alt"] = describe_timeline_overview(
            frames[layout.TIMELINE_TABLE], order, words
        )
    if layout.THEMES_FIGURE in figures:
        figures[layout.THEMES_FIGURE]["alt"] = describe_theme_matrix(
            frames[layout.PROJECTS_BY_THEME], order, words
        )

    # The organisation's own framework: instruments and events tied to no member state.
    framework = sorted(
        (dict(i) for i in t["instruments"] if not i["countries"]),
        key=lambda i: (i.get("date") or str(i.get("start_year") or "9999"), i["id"]),
    )
    org_events = sorted(
        (dict(e) for e in t["events"] if not e["countries"]),
        key=lambda e: (e["date"] or "9999", e["id"]),
    )
    org_offices = [dict(o) for o in t["offices"] if "promotion" in o["type"]]
    org_facts = sorted(
        (dict(f) for f in t.get("facts", []) if not f["countries"]), key=sort_key_fact
    )
    # Projects and events in which some state's participation is only inferred: described once
    # (in the section on the states), referred to from each state's section, counted nowhere.
    regional_projects = [
        project_entry(r, res, res.outcomes_by_project.get(r["id"], []), words)
        for r in sorted(
            (p for p in t["projects"] if p.get("countries_inferred")), key=sort_key_year
        )
    ]
    regional_events = [
        event_entry(r, res)
        for r in sorted((e for e in t["events"] if e.get("countries_inferred")), key=sort_key_year)
    ]

    # Highlights for the comparative analysis, computed, never typed.
    instrument_counts = Counter(
        {c["name"]: len(res.of_country("instruments", c["code"])) for c in all_states}
    )
    project_counts = Counter(
        {c["name"]: len(res.of_country("projects", c["code"])) for c in all_states}
    )
    theme_counts = Counter(th for p in t["projects"] for th in p["themes"])
    theme_labels = {th["id"]: th["label"] for th in t["themes"]}
    top_theme, top_theme_n = _top(theme_counts)
    most_instruments = _leaders(instrument_counts)
    most_projects = _leaders(project_counts)
    donors = []
    for c in states:
        elsewhere = [f for f in briefs[c["code"]]["funds_elsewhere"] if not f["inferred"]]
        if elsewhere:
            recipients = by_name({r for f in elsewhere for r in f["recipients"]}, str)
            donors.append(
                {
                    "name": c["name"],
                    "count": len(elsewhere),
                    "recipients": recipients,
                    "sources": sorted({s for f in elsewhere for s in f["sources"]}),
                }
            )
    md = tables[layout.MAIN_DIRECTIONS]["rows"]
    md_yes = [r["year"] for r in md if r["mentions_organisation"] == "yes"]
    md_no = [r["year"] for r in md if r["mentions_organisation"] == "no"]
    member_since = sorted(
        (c.get("organisation_member_since") or c.get("cooperation_since") or "", c["name"])
        for c in all_states
        if c.get("organisation_member_since") or c.get("cooperation_since")
    )
    years = [
        int((r.get("date") or str(r.get("start_year") or ""))[:4])
        for tbl in ("instruments", "projects", "events")
        for r in t[tbl]
        if (r.get("date") or r.get("start_year"))
    ]

    union = briefs[unions[0]["code"]] if unions else None
    union_by_type: dict[str, list] = {}
    if union:
        for i in union["instruments"]:
            union_by_type.setdefault(i["type"], []).append(i)

    state_sections = []
    for c in states:
        b = briefs[c["code"]]
        state_sections.append(
            {
                "country": b["country"],
                "roles": b["roles"],
                "offices": b["offices"],
                "contributions": b["contributions"],
                "instruments": b["instruments"],
                "projects": b["projects"],
                "events": b["events"],
                "funded_by_others": b["funded_by_others"],
                "funds_elsewhere": [f for f in b["funds_elsewhere"] if not f["inferred"]],
                "themes": b["themes"][:3],
                "facts": b["facts"],
                "inferred_projects": b["inferred_projects"],
                "inferred_events": b["inferred_events"],
                "n_outcomes": sum(len(p["outcomes"]) for p in b["projects"]),
                "member": is_member(c),
            }
        )

    used_ids = set()
    for b in briefs.values():
        used_ids.update(b["records"])
    used_ids.update(i["id"] for i in framework)
    used_ids.update(e["id"] for e in org_events)
    used_ids.update(o["id"] for o in org_offices)
    used_ids.update(p["id"] for p in t["proposals"])
    used_ids.update(r["id"] for r in org_facts + regional_projects + regional_events)
    used_ids.update(o["id"] for p in regional_projects for o in p["outcomes"])
    known_keys = {s["id"] for s in t["sources"]} | {w["id"] for w in t["publications"]}
    authored_sources = {k for text in authored.values() for k in cited_keys(text)} & known_keys
    sources = sorted(
        {s for b in briefs.values() for s in b["sources"]}
        | {s for r in framework + org_events + org_offices + org_facts for s in r["sources"]}
        | {s for r in regional_projects + regional_events for s in r["sources"]}
        | {s for p in regional_projects for o in p["outcomes"] for s in o["sources"]}
        | {s for p in t["proposals"] for s in p["sources"]}
        | (authored_sources - {w["id"] for w in t["publications"]})
    )

    names = {"org": org["name"], "union": (union_row or {}).get("official_name", "")}
    title = (
        meta.get("title")
        or front.get("title")
        or word(words, "documents.article.title", "", **names)
    )
    subtitle = (
        meta.get("subtitle")
        or front.get("subtitle")
        or word(words, "documents.article.subtitle", "", **names)
    )
    keywords = (
        meta.get("keywords")
        or front.get("keywords")
        or [x for x in ((union_row or {}).get("name"), org["short_name"]) if x]
    )
    meta = dict(meta, title=title, subtitle=subtitle, keywords=list(keywords))
    union_body = settings.get("union_body")

    context = {
        "document": {
            "kind": layout.ARTICLE.folder,
            "id": layout.ARTICLE.name,
            "title": title,
            "subtitle": subtitle,
        },
        "meta": meta,
        "org": org,
        "union_body": organisation(package, union_body) if union_body else None,
        "authored": authored,
        "build": build,
        "focus": {"shown": len(states), "others": others, "total": len(all_states)},
        "stats": {
            "states": [c["name"] for c in members],
            "n_states": len(members),
            "former_members": [
                {"name": c["name"], "until": c["union_member_until"]}
                for c in all_states
                if not is_member(c)
            ],
            "n_instruments": len(t["instruments"]),
            "n_projects": len(t["projects"]),
            "n_events": len(t["events"]),
            "n_outcomes": len(t["outcomes"]),
            "n_proposals": len(t["proposals"]),
            "n_facts": len(t.get("facts", [])),
            "n_sources": len(t["sources"]),
            "n_actors": len(t["actors"]),
            "first_year": min(years) if years else None,
            "last_year": max(years) if years else None,
            "uncited_sources": sorted(
                s["ref_number"] for s in t["sources"] if s["cited_count"] == 0
            ),
        },
        "organisation": {
            "framework": framework,
            "events": org_events,
            "offices": org_offices,
            "facts": org_facts,
        },
        "regional": {"projects": regional_projects, "events": regional_events},
        "states": state_sections,
        "union": {
            "country": union["country"] if union else None,
            "by_type": union_by_type,
            "instruments": union["instruments"] if union else [],
            "projects": union["projects"] if union else [],
            "events": union["events"] if union else [],
            "facts": union["facts"] if union else [],
            "prerequisites": union["prerequisites"] if union else [],
        },
        "highlights": {
            "most_instruments": most_instruments,
            "most_projects": most_projects,
            "top_theme": {"label": theme_labels.get(top_theme, ""), "count": top_theme_n},
            "themes_used": len(theme_counts),
            "donors": donors,
            "md_yes": md_yes,
            "md_no": md_no,
            "earliest": member_since[0] if member_since else None,
            "latest": member_since[-1] if member_since else None,
        },
        "tables": tables,
        "figures": figures,
        "proposals": [dict(p) for p in sorted(t["proposals"], key=lambda p: p["number"])],
        "proposals_author": [
            dict(p)
            for p in sorted(t["proposals"], key=lambda p: p["number"])
            if p.get("origin") == "author"
        ],
        "proposals_derived": [
            dict(p)
            for p in sorted(t["proposals"], key=lambda p: p["number"])
            if p.get("origin") != "author"
        ],
        "citing_works": citing_works(package, sources),
        "records": sorted(used_ids),
        "sources": sources,
    }
    for p in context["proposals"] + context["proposals_author"] + context["proposals_derived"]:
        p.pop("_line", None)
    for group in (
        context["organisation"]["framework"],
        context["organisation"]["events"],
        context["organisation"]["offices"],
        context["organisation"]["facts"],
    ):
        for r in group:
            r.pop("_line", None)
            if "date" in r or "start_year" in r:
                r["when"] = record_date(r, words)
    context["data_digest"] = digest({k: v for k, v in context.items() if k != "build"})
    return context
