"""`satisfaction-report voc tag INPUT.csv --output OUT.csv`: tagged, masked, or a clear error."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from etl.cli import main
from etl.operations.voc.lexicon import DEFAULT_LEXICON_DIR


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def run(*argv: str) -> int:
    return main(["voc", *argv])


def test_tags_masks_and_ignores_other_columns(tmp_path: Path) -> None:
    source = write(
        tmp_path / "in.csv",
        "id,branch,text\n"
        "a1,SC,钱到现在都没到账，电话13800138000没人接\n"
        '"a2",BJ,"改个受益人跑了三趟, 无语了"\n'
        "a3,SC,今天下雨\n",
    )
    assert run("tag", str(source), "--output", str(tmp_path / "out.csv")) == 0
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "dimensions", "sentiment", "masked_text"]
    assert [(r["id"], r["dimensions"], r["sentiment"]) for r in rows] == [
        ("a1", "claims", "negative"),
        ("a2", "policy_service", "negative"),
        ("a3", "", "neutral"),
    ]
    assert rows[0]["masked_text"] == "钱到现在都没到账，电话[手机号]没人接"


def test_several_dimensions_are_joined_by_a_bar(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", "id,text\n1,理赔拖了两个月，投诉也没人理\n")
    assert run("tag", str(source), "--output", str(tmp_path / "out.csv")) == 0
    assert "claims|complaints" in (tmp_path / "out.csv").read_text(encoding="utf-8")


def test_an_edited_lexicon_is_tried_on_the_sample(tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon"
    shutil.copytree(DEFAULT_LEXICON_DIR, lexicon)
    aspects = lexicon / "aspects.toml"
    text = aspects.read_text(encoding="utf-8")
    aspects.write_text(text.replace('[value_added]\nzh = [', '[value_added]\nzh = [\n  "疗养", '),
                       encoding="utf-8")  # fmt: skip
    source = write(tmp_path / "in.csv", "id,text\n1,疗养\n")
    out = tmp_path / "out.csv"
    assert run("tag", str(source), "--output", str(out), "--lexicon", str(lexicon)) == 0
    assert "value_added" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "encoding", "message"),
    [
        ("id,comment\n1,理赔慢\n", "utf-8", "missing column(s) text; the header is id, comment"),
        ("编号,text\n1,理赔慢\n", "utf-8", "missing column(s) id"),
        ("id,text\n1,理赔太慢了\n", "gbk", "not UTF-8 text (byte"),
        ("", "utf-8", "the header is (empty)"),
    ],
)
def test_bad_input_is_a_clear_error_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, encoding: str, message: str
) -> None:
    source = write(tmp_path / "in.csv", content, encoding)
    assert run("tag", str(source), "--output", str(tmp_path / "out.csv")) == 2
    err = capsys.readouterr().err
    assert message in err and str(source) in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()


def test_a_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("tag", str(tmp_path / "nope.csv"), "--output", str(tmp_path / "o.csv")) == 2
    assert "nope.csv: no such file" in capsys.readouterr().err
