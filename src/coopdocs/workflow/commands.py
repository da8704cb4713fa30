"""Command lines of ``coopdocs`` built from the build's settings, in one place.

The workflow's rules, the benchmarks and the tests all run ``coopdocs prepare`` as the build
does; each used to write the command out by hand, and the copies drifted (three lacked
``--strings``, ``--union`` and ``--union-body``, which once broke the benchmark). They all take it
from :func:`prepare_args`. Only :mod:`coopdocs.layout` is imported: the Snakefile calls this at
parse time.
"""

from __future__ import annotations

from pathlib import Path

from coopdocs import layout


def prepare_args(
    settings: dict,
    epoch: int | str,
    *,
    bundle: str | Path = layout.BUNDLE,
    contexts: str | Path = layout.CONTEXTS,
    strings: str | Path | None = None,
    data_dir: str | Path | None = None,
) -> list[str]:
    """The arguments of ``coopdocs prepare`` (from ``"prepare"`` on) for a build with ``settings``.

    ``settings`` is the build's config (config/config.yaml as loaded; data_dir, templates_dir,
    organisation and the optional union, union_body and language); ``epoch`` the build date. ``bundle``,
    ``contexts`` and ``strings`` default to the build's own paths (coopdocs.layout), relative to
    the project folder; ``data_dir`` overrides the config's. An unset union or union body is left
    out (the command's default), not passed as an empty word, which a shell command line drops.
    """
    args = [
        "prepare",
        "--data",
        str(data_dir if data_dir is not None else settings["data_dir"]),
        "--bundle",
        str(bundle),
        "--contexts",
        str(contexts),
        "--strings",
        str(
            strings
            if strings is not None
            else layout.strings_file(settings["templates_dir"], settings.get("language"))
        ),
        "--organisation",
        str(settings["organisation"]),
    ]
    options = (("--union", "union"), ("--union-body", "union_body"), ("--language", "language"))
    for option, key in options:
        if settings.get(key):
            args += [option, str(settings[key])]
    return [*args, "--epoch", str(epoch)]
