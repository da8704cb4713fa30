"""The change report's words (issue 34): the strings file's diff_report block in the config's
language, the summary line counted in that language, a language folder without the block."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopdocs.review.documents import DocumentResult
from coopdocs.review.records import RecordChange
from coopdocs.review.report import ReportWordsError, report_words, runs_text, summary_line
from coopdocs.review.tables import TableChange

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _summary(language: str | None) -> str:
    changes = [
        RecordChange("events", "e1", "changed", ""),
        RecordChange("events", "e2", "added", ""),
    ]
    docs = [DocumentResult(("briefs", n), n, s) for n, s in (("a", "changed"), ("b", "unchanged"))]
    tables = [TableChange("timeline", "unchanged")]
    return summary_line(changes, docs, tables, "out/", report_words(TEMPLATES, language))


def test_summary_line_in_english_and_in_russian():
    assert _summary(None) == (
        "1 record changed, 1 added, 0 removed; 1 document changed, 1 unchanged; "
        "0 tables changed, 1 unchanged → out/"
    )
    assert _summary("ru") == (
        "записи: изменено 1, добавлено 1, удалено 0; документы: изменено 1, без изменений 1; "
        "таблицы: изменено 0, без изменений 1 → out/"
    )


def test_english_and_russian_blocks_have_the_same_keys():
    def keys(node, prefix=""):
        if not isinstance(node, dict):
            return {prefix}
        return {k for name, v in node.items() for k in keys(v, f"{prefix}.{name}")}

    english, russian = report_words(TEMPLATES, None), report_words(TEMPLATES, "ru")
    assert keys(english["diff_report"]) == keys(russian["diff_report"])


def test_a_language_without_the_block_borrows_the_base_one_and_none_is_an_error(tmp_path, capsys):
    (tmp_path / "fr").mkdir()
    (tmp_path / "strings.yaml").write_text("diff_report: {title: Changes}\n", encoding="utf-8")
    (tmp_path / "fr" / "strings.yaml").write_text("period: {}\n", encoding="utf-8")
    words = report_words(tmp_path, "fr")
    assert words["diff_report"] == {"title": "Changes"} and words["locale"] == "fr"
    assert "fr/strings.yaml has no diff_report block" in capsys.readouterr().err
    (tmp_path / "strings.yaml").write_text("period: {}\n", encoding="utf-8")
    with pytest.raises(ReportWordsError, match=r"fr/strings\.yaml: no diff_report block"):
        report_words(tmp_path, "fr")


def test_runs_are_written_in_the_marks_form():
    assert runs_text([(40, 219, 41, 220), (230, 230, 232, 232)], "R{n}") == (
        "R40–R219 → R41–R220, R230 → R232"
    )
    assert runs_text([(12, 88, 13, 89)], "[{n}]") == "[12]–[88] → [13]–[89]"
