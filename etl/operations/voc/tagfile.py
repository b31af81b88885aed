"""`satisfaction-report voc tag`: tag and mask a CSV of comments, to try a lexicon change.

Input: a UTF-8 CSV with columns `id` and `text` (others are ignored). Output: `id`,
`dimensions` (joined by `|`, empty when none), `sentiment`, `masked_text`.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from etl.core.errors import UserError
from etl.operations.voc.batch import tag_and_mask
from etl.operations.voc.tagger import default_tagger

REQUIRED = ("id", "text")
OUTPUT = ("id", "dimensions", "sentiment", "masked_text")


class VocInputError(UserError):
    """A comments file that cannot be tagged: the message names the file, row and rule."""


@dataclass(frozen=True)
class TagSummary:
    texts: int
    method: str
    lexicon: str


def read_comments(path: Path) -> list[tuple[str, str]]:
    """(id, text) of each row of a UTF-8 CSV with `id` and `text` columns."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise VocInputError(f"{path}: no such file") from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise VocInputError(
            f"{path}: not UTF-8 text (byte {exc.start} cannot be read); "
            "save the file as CSV UTF-8 and try again"
        ) from exc
    reader = csv.DictReader(io.StringIO(content, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise VocInputError(
            f"{path}: missing column(s) {', '.join(missing)}; the header is "
            f"{', '.join(header) or '(empty)'} and must include id and text"
        )
    reader.fieldnames = header
    rows = []
    for line, row in enumerate(reader, start=2):
        if row.get("id") is None or row.get("text") is None:
            raise VocInputError(f"{path}: row {line} has fewer fields than the header")
        rows.append((row["id"].strip(), row["text"]))
    return rows


def tag_file(
    source: Path, target: Path, lexicon: str | os.PathLike[str] | None = None
) -> TagSummary:
    """Tag and mask every comment of `source` into `target` (written whole, or not at all)."""
    comments = read_comments(source)
    tagger = default_tagger(lexicon)
    done = tag_and_mask([text for _, text in comments], lexicon)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(OUTPUT)
    for (identifier, _), comment in zip(comments, done, strict=True):
        found = comment.tagged
        writer.writerow(
            [identifier, "|".join(found.dimensions), found.sentiment, comment.masked_text]
        )
    partial = target.with_name(target.name + ".partial")
    partial.write_text(buffer.getvalue(), encoding="utf-8")
    partial.replace(target)
    return TagSummary(len(comments), tagger.method, tagger.lexicon.source)


def cmd_voc(args: argparse.Namespace) -> int:
    """Voice of the customer: tag a sample file, evaluate on the corpus, refit the model."""
    if args.voc_command == "tag":
        summary = tag_file(Path(args.input), Path(args.output), args.lexicon)
        print(
            f"{summary.texts} texts tagged ({summary.method} tagger, lexicon {summary.lexicon}) "
            f"and masked: {args.output}"
        )
        return 0
    if args.voc_command == "evaluate":
        from etl.operations.voc import evaluate

        return evaluate.main([])
    from etl.operations.voc import train

    return train.main([])


def add_voc_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    voc = commands.add_parser("voc", help="voice of the customer: tag, evaluate, train")
    actions = voc.add_subparsers(dest="voc_command", required=True)
    tag = actions.add_parser(
        "tag", help="tag and mask a CSV of comments (columns id,text) to try a lexicon change"
    )
    tag.add_argument("input", help="UTF-8 CSV with columns id and text (others ignored)")
    tag.add_argument("--output", required=True, help="CSV: id,dimensions,sentiment,masked_text")
    tag.add_argument("--lexicon", help="folder with aspects.toml and sentiment.toml to try")
    actions.add_parser("evaluate", help="P/R/F1 per dimension and sentiment accuracy (CV)")
    actions.add_parser("train", help="refit etl/defaults/voc/model.joblib on the corpus")
    voc.set_defaults(func=cmd_voc)
