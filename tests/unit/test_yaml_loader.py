"""The YAML reader of the strings file and the config (coopdocs.tools.config.load_yaml): libyaml's
loader for speed, with exactly the data and the error messages of PyYAML's pure-Python SafeLoader."""

from pathlib import Path

import pytest
import yaml

from coopdocs.load.strings import load_strings
from coopdocs.tools.config import load_yaml

ROOT = Path(__file__).resolve().parents[2]
YAML_FILES = sorted(
    [*ROOT.joinpath("templates").rglob("*.yaml"), *ROOT.joinpath("config").glob("*.yaml")]
)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_data_as_the_pure_python_loader(path):
    text = path.read_text(encoding="utf-8")
    fast, pure = load_yaml(text), yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506
    assert fast == pure
    # Same types and key order too (the order decides the order of documents' lists).
    assert repr(fast) == repr(pure)


def test_strings_file_through_the_fast_loader():
    words = load_strings(ROOT / "templates")
    assert words == yaml.safe_load((ROOT / "templates" / "strings.yaml").read_text("utf-8"))


def test_scalars_as_yaml_1_1_reads_them():
    text = "a: yes\nb: 010\nc: 1_000\nd: 2024-01-31\ne: ~\nf: '007'\ng: 1e3\nh: .inf\n"
    assert repr(load_yaml(text)) == repr(yaml.safe_load(text))


def test_broken_yaml_gives_the_pure_python_message_with_its_caret():
    text = "a: 1\nb: [1, 2\nc: 3\n"
    with pytest.raises(yaml.YAMLError) as caught:
        load_yaml(text)
    message = str(caught.value)
    assert "line 3, column 2" in message and "^" in message
    with pytest.raises(yaml.YAMLError) as pure:
        yaml.safe_load(text)
    assert message == str(pure.value)


def test_no_python_objects_from_tags():
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']")
