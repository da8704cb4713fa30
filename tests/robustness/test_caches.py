"""Issue 19: every cache is content-addressed and verified (coopdocs.tools.cache).

A cache may make a build faster, never different. Each cache (compiled Jinja templates, the
long documents' read sections, the tables stage's workbooks and figures, and the others of
coopdocs.tools.cache's docstring) has entries corrupted, truncated, swapped and forged; the build
that uses them must end with outputs byte-identical to a clean build, say once per damaged entry
that it ignored it, and never run a forged template.
"""

from __future__ import annotations

import hashlib
import marshal
import re
import shutil
from pathlib import Path

import pytest

import rbtools
from coopdocs.tools import cache


@pytest.fixture()
def store(tmp_path, monkeypatch):
    """A store in ``tmp_path``, with a key of its own and fresh 'reported once' bookkeeping."""
    monkeypatch.setenv("COOPDOCS_CACHE_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setattr(cache, "_secret", None)
    monkeypatch.setattr(cache, "_reported", set())
    return cache.Store(tmp_path / "entries", ".entry")


def _key(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


# --- the store --------------------------------------------------------------------------------


def test_an_entry_comes_back_as_stored(store):
    store.put(_key(1), b"content \x00\xff")
    assert store.get(_key(1)) == b"content \x00\xff"
    assert store.get(_key(2)) is None
    assert (store.folder.parent / "key").stat().st_mode & 0o077 == 0, "the key is the user's alone"


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    head, _, content = data.partition(b"\n")
    if how == "corrupt":  # one byte of the content changed
        content = content[:5] + bytes([content[5] ^ 1]) + content[6:]
        path.write_bytes(head + b"\n" + content)
    elif how == "truncate":
        path.write_bytes(data[:100])
    elif how == "extend":
        path.write_bytes(data + b"more")
    elif how == "forge":  # a well-formed entry by someone without the key: a plain hash as its MAC
        fields = head.split(b" ")
        content = b"forged content"
        fields[2] = str(len(content)).encode()
        fields[3] = hashlib.sha256(content).hexdigest().encode()
        path.write_bytes(b" ".join(fields) + b"\n" + content)
    elif how == "garbage":
        path.write_bytes(b"\x80\x04 not an entry at all")
    else:
        raise AssertionError(how)


def test_keep_files_removes_every_other_file_of_the_folder(store):
    """Two stores sharing a folder (the tables stage's workbooks and figures) keep what was used."""
    other = cache.Store(store.folder, ".xlsx.entry")
    for n in range(3):
        store.put(_key(n), b"figure %d" % n)
        other.put(_key(n), b"workbook %d" % n)
    (store.folder / ".left.tmp").write_bytes(b"a killed writer's file")
    store.keep_files([store.path(_key(0)), other.path(_key(2))])
    assert sorted(p.name for p in store.folder.iterdir()) == sorted(
        [f"{_key(0)}.entry", f"{_key(2)}.xlsx.entry"]
    )
    assert store.get(_key(0)) == b"figure 0" and other.get(_key(2)) == b"workbook 2"
    store.keep_only([_key(0)])
    assert [p.name for p in store.folder.iterdir()] == [f"{_key(0)}.entry"]


@pytest.mark.parametrize("how", ["corrupt", "truncate", "extend", "forge", "garbage"])
def test_a_damaged_entry_is_a_miss_reported_once_and_removed(store, capsys, how):
    store.put(_key(1), b"x" * 500)
    _damage(store.path(_key(1)), how)
    assert store.get(_key(1)) is None
    err = capsys.readouterr().err
    assert err.count("ignored") == 1 and str(store.path(_key(1))) in err, err
    assert not store.path(_key(1)).exists()
    store.put(_key(1), b"x" * 500)
    assert store.get(_key(1)) == b"x" * 500
    assert capsys.readouterr().err == ""


def test_swapped_entries_are_misses(store, capsys):
    store.put(_key(1), b"first")
    store.put(_key(2), b"second")
    a, b = store.path(_key(1)), store.path(_key(2))
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)
    assert store.get(_key(1)) is None and store.get(_key(2)) is None
    assert capsys.readouterr().err.count("holds another entry") == 2


def test_an_entry_made_with_another_users_key_is_a_miss(store, tmp_path, monkeypatch):
    store.put(_key(1), b"theirs")
    monkeypatch.setenv("COOPDOCS_CACHE_KEY_FILE", str(tmp_path / "other-key"))
    monkeypatch.setattr(cache, "_secret", None)
    assert store.get(_key(1)) is None


def test_no_place_for_a_key_costs_the_cache_not_the_build(store, tmp_path, monkeypatch, capsys):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv(
        "COOPDOCS_CACHE_KEY_FILE", str(tmp_path / "file" / "key")
    )  # under a file: cannot exist
    store.put(_key(1), b"kept within this process")
    assert store.get(_key(1)) == b"kept within this process"
    assert "cache key unavailable" in capsys.readouterr().err


def test_an_unwritable_cache_costs_the_entry_not_the_build(tmp_path, store, capsys):
    blocked = cache.Store(tmp_path / "file-not-folder", ".entry")
    (tmp_path / "file-not-folder").write_text("x")
    blocked.put(_key(1), b"data")
    assert blocked.get(_key(1)) is None
    assert "not written" in capsys.readouterr().err


# --- Jinja: a forged entry never runs -------------------------------------------------------


def test_a_forged_compiled_template_never_runs(tmp_path, store):
    from coopdocs.render.markdown import render

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "t.md.j2").write_text("Hello {{ name }}.\n", encoding="utf-8")
    folder = tmp_path / "jinja"
    assert render(templates, "t.md.j2", {"name": "a"}, folder) == "Hello a.\n"
    [entry] = list(folder.iterdir())
    assert render(templates, "t.md.j2", {"name": "a"}, folder) == "Hello a.\n"  # a hit
    marker = tmp_path / "ran"
    payload = marshal.dumps(
        compile(f"open({str(marker)!r}, 'w').write('pwned')", "<forged>", "exec")
    )
    head = entry.read_bytes().partition(b"\n")[0].split(b" ")
    for mac in (hashlib.sha256(payload).hexdigest().encode(), b"0" * 64):
        entry.write_bytes(b" ".join(head[:2] + [str(len(payload)).encode(), mac]) + b"\n" + payload)
        assert render(templates, "t.md.j2", {"name": "a"}, folder) == "Hello a.\n"
        assert not marker.exists(), "a forged cache entry ran as code"
    for how in ("truncate", "corrupt"):
        _damage(entry, how)
        assert render(templates, "t.md.j2", {"name": "b"}, folder) == "Hello b.\n"


# --- each cache in the workflow -------------------------------------------------------------


def _entries(folder: Path, pattern: str, content: bytes | None = None) -> list[Path]:
    found = sorted(folder.glob(pattern))
    if content is not None:
        found = [p for p in found if p.read_bytes().partition(b"\n")[2].startswith(content)]
    return found


def _forge(path: Path, content: bytes) -> None:
    head = path.read_bytes().partition(b"\n")[0].split(b" ")
    path.write_bytes(
        b" ".join(
            head[:2] + [str(len(content)).encode(), hashlib.sha256(content).hexdigest().encode()]
        )
        + b"\n"
        + content
    )


def _swap(a: Path, b: Path) -> None:
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)


def _logs(project: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted((project / "logs").rglob("*.log"))
    )


def _check(project: Path, baseline: Path, damaged: list[Path], args: list[str], cores: int) -> None:
    for log in (project / "logs").rglob("*.log"):
        log.unlink()
    proc = rbtools.run_snakemake(project, *args, cores=cores)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert "Error" not in proc.stdout + proc.stderr
    got, want = rbtools.every_file(project / "reports"), rbtools.every_file(baseline / "reports")
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == [], "a cache changed the outputs"
    for folder in ("md", "ast"):
        assert rbtools.every_file(project / "build" / folder) == rbtools.every_file(
            baseline / "build" / folder
        )
    logs = _logs(project)
    for path in damaged:
        rel = str(path.relative_to(project))
        assert len(re.findall(rf"cache entry \S*{re.escape(rel)} ignored", logs)) == 1, (
            rel,
            logs[-3000:],
        )
    # The damaged entries were made again: the same build now reports nothing.
    for log in (project / "logs").rglob("*.log"):
        log.unlink()
    again = rbtools.run_snakemake(project, *args, cores=cores)
    assert again.returncode == 0
    assert "ignored" not in _logs(project)


@pytest.mark.workflow
def test_jinja_cache_damaged_entries_change_nothing_and_forged_code_never_runs(baseline, tmp_path):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    entries = _entries(project / "build" / "cache" / "jinja", "*.code")
    # One entry per template the build compiles: the documents' and their partials (the diff's
    # change report, templates/review, is not part of the build).
    templates = project / "templates"
    assert len(entries) == len([*templates.glob("*.j2"), *(templates / "partials").rglob("*.j2")])
    marker = tmp_path / "ran"
    _damage(entries[0], "corrupt")
    _damage(entries[1], "truncate")
    _swap(entries[2], entries[3])
    _forge(
        entries[4],
        marshal.dumps(compile(f"open({str(marker)!r}, 'w').write('pwned')", "<forged>", "exec")),
    )
    targets = [
        "reports/briefs/armenia.pdf",
        "reports/tables/comparative-tables.pdf",
        "reports/article/review.pdf",
    ]
    _check(
        project,
        baseline,
        entries[:5],  # the damaged ones; every template is compiled for the targets
        ["--forcerun", "publish_brief", "read_document", *targets],
        cores=1,
    )
    assert not marker.exists(), "a forged compiled template ran"


@pytest.mark.workflow
def test_sections_cache_damaged_entries_change_nothing(baseline, tmp_path):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    folder = project / "build" / "cache" / "sections" / "article" / "review"
    entries = _entries(folder, "*.section")
    assert len(entries) > 6
    belarus = [p for p in entries if b"Belarus" in p.read_bytes()]
    edited = belarus[0]  # one word edited, as a person would: "Belaruz"
    edited.write_bytes(edited.read_bytes().replace(b"Belarus", b"Belaruz"))
    rest = [p for p in entries if p != edited]
    _damage(rest[0], "truncate")
    _swap(rest[1], rest[2])
    _forge(
        rest[3], rest[4].read_bytes().partition(b"\n")[2]
    )  # another section's blocks, with a plain hash
    # The document's last AST, kept beside its sections (coopdocs.render.publish._read_ast):
    # damaged too, so that the read is refused it and goes through the damaged sections.
    (whole,) = _entries(folder / "document", "*.ast")
    _damage(whole, "corrupt")
    damaged = [edited, rest[0], rest[1], rest[2], rest[3], whole]
    _check(
        project,
        baseline,
        damaged,
        ["--forcerun", "read_document", "reports/article/review.pdf"],
        cores=2,
    )


@pytest.mark.workflow
def test_tables_cache_damaged_workbooks_and_figures_change_nothing(baseline, tmp_path):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    folder = project / "build" / "cache" / "tables"
    workbooks = _entries(folder, "*.xlsx.entry")
    pngs = _entries(folder, "*[0-9a-f].entry", content=b"\x89PNG")
    svgs = _entries(folder, "*[0-9a-f].entry", content=b"<?xml")
    assert len(workbooks) == 6 and len(pngs) == 2 and len(svgs) == 2
    _damage(workbooks[0], "truncate")  # a workbook cut to 100 bytes
    _damage(workbooks[1], "corrupt")
    _forge(workbooks[2], workbooks[3].read_bytes().partition(b"\n")[2])
    _swap(pngs[0], pngs[1])  # the timeline in themes-by-state.png, and back
    _damage(svgs[0], "extend")
    damaged = workbooks[:3] + pngs + svgs[:1]
    _check(project, baseline, damaged, ["--forcerun", "compute_tables"], cores=2)


@pytest.mark.workflow
def test_tables_cache_keeps_only_the_entries_of_the_last_run(baseline, tmp_path):
    """An edit of a table leaves an entry no later build reads: the tables job removes it."""
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    folder = project / "build" / "cache" / "tables"
    current = sorted(p.name for p in folder.iterdir())
    assert len(_entries(folder, "*.xlsx.entry")) == 6 and len(current) == 10
    stale = folder / f"{_key(7)}.xlsx.entry"
    shutil.copyfile(folder / current[0], stale)
    (folder / f"{_key(8)}.entry").write_bytes(b"a figure of an earlier edit")
    _check(project, baseline, [], ["--forcerun", "compute_tables"], cores=2)
    assert sorted(p.name for p in folder.iterdir()) == current


@pytest.mark.workflow
def test_a_deleted_cache_changes_nothing(baseline, tmp_path):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    shutil.rmtree(project / "build" / "cache")
    _check(project, baseline, [], ["--forcerun", "compute_tables", "read_document"], cores=2)


def _forged_hashes(project: Path, entry: Path) -> bytes:
    """The manifest's table of hashes with every file's stamp as it is now and a wrong hash."""
    import json
    import os

    table = json.loads(entry.read_bytes().partition(b"\n")[2] or b"{}")
    forged = {}
    for rel in table or [str(p.relative_to(project)) for p in (project / "data").iterdir()]:
        st = os.stat(project / rel)
        forged[rel] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, "0" * 64]
    return json.dumps(forged).encode()


@pytest.mark.workflow
def test_collation_keys_and_manifest_hashes_damaged_change_nothing(baseline, tmp_path):
    """The keys the prepare and tables jobs keep (coopdocs.tools.collation) and the manifest's
    table of file hashes (coopdocs.describe.provenance): a forged table whose stamps match every
    file but whose hashes are wrong must not reach the manifest."""
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    folder = project / "build" / "cache"
    (prepare,) = _entries(folder / "collation" / "prepare", "*.json")
    (tables,) = _entries(folder / "collation" / "tables", "*.json")
    (hashes,) = _entries(folder / "hashes", "*.json")
    _damage(prepare, "corrupt")
    keys = tables.read_bytes().partition(b"\n")[2]
    _forge(tables, keys.replace(b"[", b"[1,"))  # every name's key changed, with a plain hash
    assert keys.count(b"[") > 3
    _forge(hashes, _forged_hashes(project, hashes))
    _check(
        project,
        baseline,
        [prepare, tables, hashes],
        ["--forcerun", "prepare_data", "compute_tables", "write_manifest"],
        cores=2,
    )
