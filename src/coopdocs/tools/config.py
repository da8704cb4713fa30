"""The build's settings: ``config/config.yaml``, read through its schema ``config/schema.yaml``.

Every reader of the configuration outside the Snakefile calls :func:`load_config`: the file is
checked against the schema (JSON Schema, with jsonschema) and the defaults the schema declares
are filled in, so that every command sees the same settings the workflow validated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CONFIG = Path("config") / "config.yaml"
SCHEMA = Path("config") / "schema.yaml"


def load_yaml(text: str) -> Any:
    """The data of YAML ``text``, read safely (no tags beyond YAML's own), with libyaml's loader
    when PyYAML has it: the same data (tests/unit/test_yaml_loader.py) in a tenth of the time,
    ~40 ms less for each read of the strings file (twice in every brief's job). Broken YAML is
    read again by the pure-Python loader, whose message shows the line and a caret under it."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError:
        return yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - a safe loader


class ConfigError(ValueError):
    """The configuration cannot be read or does not follow its schema; the message lists why."""


def _read_yaml(path: Path) -> Any:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc


def _check(config: Any, schema: dict[str, Any], path: Path) -> None:
    # jsonschema takes ~0.3 s to import; the workflow's jobs read the configuration the Snakefile
    # already validated (validate=False) and never pay for it.
    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        lines = [
            f"  {'/'.join(str(p) for p in e.absolute_path) or '(top level)'}: {e.message}"
            for e in errors
        ]
        raise ConfigError(f"{path} does not follow {SCHEMA.as_posix()}:\n" + "\n".join(lines))


def _fill_defaults(value: Any, schema: dict[str, Any]) -> None:
    """Set every property the schema gives a ``default`` and the value lacks, in nested objects too."""
    if not isinstance(value, dict):
        return
    for key, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, dict):
            continue
        if key not in value and "default" in sub:
            value[key] = sub["default"]
        if key in value:
            _fill_defaults(value[key], sub)


def parse_overrides(pairs: list[str] | None) -> dict[str, Any]:
    """The settings ``KEY=VALUE`` pairs give (as Snakemake's ``--config`` reads them: each value
    YAML, so ``language=ru`` is the string "ru" and ``detailed_states_max=5`` the number 5).

    >>> parse_overrides(["language=ru", "detailed_states_max=5"])
    {'language': 'ru', 'detailed_states_max': 5}
    >>> parse_overrides(["language"])
    Traceback (most recent call last):
    ...
    coopdocs.tools.config.ConfigError: --config: 'language' is not KEY=VALUE (e.g. language=ru)
    """
    out: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--config: {pair!r} is not KEY=VALUE (e.g. language=ru)")
        try:
            out[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            out[key.strip()] = value
    return out


def load_config(
    root: Path,
    path: Path | None = None,
    *,
    validate: bool = True,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The settings of the project in ``root``: ``path`` (default ``config/config.yaml``, relative
    to ``root``) with ``overrides`` (a command's ``--config KEY=VALUE``, :func:`parse_overrides`)
    put over it, checked against ``config/schema.yaml`` and completed with its defaults.

    ``validate`` False skips the check (not the defaults): for the workflow's jobs, whose
    configuration the Snakefile validated against the same schema when the workflow was parsed.
    """
    root = Path(root)
    config_path = root / (CONFIG if path is None else path)
    config = _read_yaml(config_path)
    if config is None:
        config = {}
    if overrides and isinstance(config, dict):
        config = {**config, **overrides}
    schema_path = root / SCHEMA
    schema = _read_yaml(schema_path) if (validate or schema_path.is_file()) else {}
    if validate:
        _check(config, schema, config_path)
    if not isinstance(config, dict):
        raise ConfigError(
            f"{config_path} holds no settings (a mapping of keys to values is expected)"
        )
    _fill_defaults(config, schema or {})
    return config
