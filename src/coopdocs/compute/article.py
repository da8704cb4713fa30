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
from coopdocs.compute.contexts import Resolver, brief_context, event_entry, project_entry, citing_works, digest, organisation, record_date, sort_key_fact, sort_key_year
from coopdocs.load.datapackage import Package
from coopdocs.compute.selection import OTHER, count_matrix, frame_rows
from coopdocs.compute.overview import describe_theme_matrix, describe_timeline_overview
from coopdocs.compute.tables import Frame

# The order in which the article shows its tables and figures (section by section).
ARTICLE_TABLES = [
    (layout.MAIN_DIRECTIONS, "The Union's Main Directions of International Activity and UNIDO, by year"),
    (layout.INSTITUTIONAL_PROFILE, "Institutional profile of the member states' cooperation with UNIDO"),
    (layout.LEGAL_BASIS, "Instruments of cooperation by type and member state"),
    (layout.PROJECTS_BY_THEME, "Projects by thematic area and member state"),
    (layout.PROJECTS_BY_FUNDER, "Projects by funder and recipient state"),
]
ARTICLE_FIGURES = [
    (layout.TIMELINE_FIGURE, "Instruments, projects and events per member state and the Union, by year"),
    (layout.THEMES_FIGURE, "Projects by thematic area and member state"),
]


def _words(key) -> str:
    """A row key of a counts matrix as words ('framework-programme' -> 'framework programme')."""
    return str(key).replace("-", " ")


def _top(counter: Counter) -> tuple[str, int] | tuple[None, int]:
    """The most frequent key (ties broken alphabetically) and its count."""
    if not counter:
        return None, 0
    key = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return key


def article_context(package: Package, frames: dict[str, Frame], meta: dict[str, Any], build: dict[str, Any],
                    organisation_id: str = "unido", keep: list[str] | None = None, others: int = 0) -> dict[str, Any]:
    """Everything the review article's template needs, ready to word.

    ``frames`` are the tables as the article shows them (coopdocs.compute.selection.focus_frames).
    With ``others`` > 0 only the member states in ``keep`` get a section of their own; counts and
    the comparisons of the most active states still cover every state.
    """
    t = package.tables
    all_states = sorted((c for c in t["countries"] if c["kind"] != "union"), key=lambda c: c["name"])
    kept = set(keep) if keep is not None else {c["code"] for c in t["countries"]}
    states = [c for c in all_states if c["code"] in kept]
    unions = [c for c in t["countries"] if c["kind"] == "union"]
    order = [(c["code"], c["name"]) for c in states]
    if others:
        order.append((OTHER, f"Other states ({others})"))
    order += [(c["code"], c["name"]) for c in unions]

    briefs = {c["code"]: brief_context(package, c["code"], build, organisation_id, with_provenance=False)
              for c in states + unions}
    res = Resolver.of(package)

    tables = {tid: {"id": tid, "number": n, "caption": caption} for n, (tid, caption) in enumerate(ARTICLE_TABLES, start=1)}
    figures = {fid: {"id": f"fig-{fid}", "number": n, "file": layout.figure_file(fid, "svg"), "caption": caption}
               for n, (fid, caption) in enumerate(ARTICLE_FIGURES, start=1)}
    figures[layout.TIMELINE_FIGURE]["alt"] = describe_timeline_overview(frames[layout.TIMELINE_TABLE], order)
    figures[layout.THEMES_FIGURE]["alt"] = describe_theme_matrix(frames[layout.PROJECTS_BY_THEME], order)
    tables[layout.MAIN_DIRECTIONS]["rows"] = frame_rows(frames[layout.MAIN_DIRECTIONS])
    tables[layout.INSTITUTIONAL_PROFILE]["rows"] = frame_rows(frames[layout.INSTITUTIONAL_PROFILE])
    tables[layout.LEGAL_BASIS]["matrix"] = count_matrix(frames[layout.LEGAL_BASIS], "instrument_type", order, label=_words)
    tables[layout.PROJECTS_BY_THEME]["matrix"] = count_matrix(frames[layout.PROJECTS_BY_THEME], "theme", order, label=_words)
    tables[layout.PROJECTS_BY_FUNDER]["rows"] = frame_rows(frames[layout.PROJECTS_BY_FUNDER])

    # UNIDO's own framework: instruments and events tied to no member state.
    framework = sorted((dict(i) for i in t["instruments"] if not i["countries"]), key=lambda i: (i.get("date") or str(i.get("start_year") or "9999"), i["id"]))
    unido_events = sorted((dict(e) for e in t["events"] if not e["countries"]), key=lambda e: (e["date"] or "9999", e["id"]))
    unido_offices = [dict(o) for o in t["offices"] if "promotion" in o["type"]]
    unido_facts = sorted((dict(f) for f in t.get("facts", []) if not f["countries"]), key=sort_key_fact)
    # Projects and events in which some state's participation is only inferred: described once
    # (section 3's last part), referred to from each state's section, counted nowhere.
    regional_projects = [project_entry(r, res, res.outcomes_by_project.get(r["id"], []))
                         for r in sorted((p for p in t["projects"] if p.get("countries_inferred")), key=sort_key_year)]
    regional_events = [event_entry(r, res) for r in sorted((e for e in t["events"] if e.get("countries_inferred")), key=sort_key_year)]

    # Highlights for the comparative analysis, computed, never typed.
    instrument_counts = Counter({c["name"]: len(res.of_country("instruments", c["code"])) for c in all_states})
    project_counts = Counter({c["name"]: len(res.of_country("projects", c["code"])) for c in all_states})
    theme_counts = Counter(th for p in t["projects"] for th in p["themes"])
    theme_labels = {th["id"]: th["label"] for th in t["themes"]}
    top_theme, top_theme_n = _top(theme_counts)
    most_instruments = _top(instrument_counts)
    most_projects = _top(project_counts)
    donors = []
    for c in states:
        elsewhere = [f for f in briefs[c["code"]]["funds_elsewhere"] if not f["inferred"]]
        if elsewhere:
            recipients = sorted({r for f in elsewhere for r in f["recipients"]})
            donors.append({"name": c["name"], "count": len(elsewhere), "recipients": recipients,
                           "sources": sorted({s for f in elsewhere for s in f["sources"]})})
    md = tables[layout.MAIN_DIRECTIONS]["rows"]
    md_yes = [r["year"] for r in md if r["mentions_unido"] == "yes"]
    md_no = [r["year"] for r in md if r["mentions_unido"] == "no"]
    member_since = sorted(((c.get("unido_member_since") or c.get("cooperation_since") or "", c["name"]) for c in all_states if c.get("unido_member_since") or c.get("cooperation_since")))
    years = [int((r.get("date") or str(r.get("start_year") or ""))[:4]) for tbl in ("instruments", "projects", "events")
             for r in t[tbl] if (r.get("date") or r.get("start_year"))]

    union = briefs[unions[0]["code"]] if unions else None
    union_by_type: dict[str, list] = {}
    if union:
        for i in union["instruments"]:
            union_by_type.setdefault(i["type"], []).append(i)

    state_sections = []
    for c in states:
        b = briefs[c["code"]]
        state_sections.append({
            "country": b["country"], "roles": b["roles"], "offices": b["offices"], "contributions": b["contributions"],
            "instruments": b["instruments"], "projects": b["projects"], "events": b["events"],
            "funded_by_others": b["funded_by_others"], "funds_elsewhere": [f for f in b["funds_elsewhere"] if not f["inferred"]],
            "themes": b["themes"][:3], "facts": b["facts"], "inferred_projects": b["inferred_projects"],
            "inferred_events": b["inferred_events"],
            "n_outcomes": sum(len(p["outcomes"]) for p in b["projects"]),
        })

    used_ids = set()
    for b in briefs.values():
        used_ids.update(b["records"])
    used_ids.update(i["id"] for i in framework)
    used_ids.update(e["id"] for e in unido_events)
    used_ids.update(o["id"] for o in unido_offices)
    used_ids.update(p["id"] for p in t["proposals"])
    used_ids.update(r["id"] for r in unido_facts + regional_projects + regional_events)
    used_ids.update(o["id"] for p in regional_projects for o in p["outcomes"])
    sources = sorted({s for b in briefs.values() for s in b["sources"]}
                     | {s for r in framework + unido_events + unido_offices + unido_facts for s in r["sources"]}
                     | {s for r in regional_projects + regional_events for s in r["sources"]}
                     | {s for p in regional_projects for o in p["outcomes"] for s in o["sources"]}
                     | {s for p in t["proposals"] for s in p["sources"]})

    context = {
        "document": {"kind": layout.ARTICLE.folder, "id": layout.ARTICLE.name, "title": meta["title"], "subtitle": meta.get("subtitle", "")},
        "meta": meta,
        "org": organisation(package, organisation_id),
        "union_body": organisation(package, meta["union_body"]) if meta.get("union_body") else {"name": "institutions", "short_name": "Union"},
        "build": build,
        "focus": {"shown": len(states), "others": others, "total": len(all_states)},
        "stats": {
            "states": [c["name"] for c in all_states],
            "n_states": len(all_states),
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
            "uncited_sources": sorted(s["ref_number"] for s in t["sources"] if s["cited_count"] == 0),
        },
        "unido": {"framework": framework, "events": unido_events, "offices": unido_offices, "facts": unido_facts},
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
            "most_instruments": {"name": most_instruments[0], "count": most_instruments[1]},
            "most_projects": {"name": most_projects[0], "count": most_projects[1]},
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
        "proposals_author": [dict(p) for p in sorted(t["proposals"], key=lambda p: p["number"]) if p.get("origin") == "author"],
        "proposals_derived": [dict(p) for p in sorted(t["proposals"], key=lambda p: p["number"]) if p.get("origin") != "author"],
        "citing_works": citing_works(package, sources),
        "records": sorted(used_ids),
        "sources": sources,
    }
    for p in context["proposals"] + context["proposals_author"] + context["proposals_derived"]:
        p.pop("_line", None)
    for group in (context["unido"]["framework"], context["unido"]["events"], context["unido"]["offices"],
                  context["unido"]["facts"]):
        for r in group:
            r.pop("_line", None)
            if "date" in r or "start_year" in r:
                r["when"] = record_date(r)
    context["data_digest"] = digest({k: v for k, v in context.items() if k != "build"})
    return context
