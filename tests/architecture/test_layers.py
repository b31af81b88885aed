"""The package keeps its shape: stage layering, SQL only in sql/, small modules and functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture import checks

ETL = Path(__file__).resolve().parents[2] / "etl"


def test_stages_import_only_their_allowed_layers() -> None:
    assert [str(f) for f in checks.layering(ETL)] == []


def test_no_sql_statement_lives_in_python() -> None:
    assert [str(f) for f in checks.sql_literals(ETL)] == []


@pytest.mark.parametrize("folder", ["etl", "tests", "bench", "dags", "plugins"])
def test_no_f_string_sql_anywhere(folder: str) -> None:
    root = ETL.parent / folder
    assert [str(f) for f in checks.sql_literals(root) if f.rule == "f-string SQL"] == []


def test_no_module_over_500_lines_and_no_function_over_60() -> None:
    assert [str(f) for f in checks.sizes(ETL)] == []


def test_every_stage_declares_its_public_face() -> None:
    missing = [
        package.name
        for package in sorted(ETL.iterdir())
        if (package / "__init__.py").exists()
        and "__all__" not in (package / "__init__.py").read_text(encoding="utf-8")
    ]
    assert missing == []


# The checks themselves, on a small tree that breaks each rule once.
BROKEN = {
    "core/periods.py": "from etl.warehouse import connect\n",
    "survey/indices.py": "import sqlalchemy as sa\n",
    "report/context.py": "def f():\n    from etl import survey\n",
    "publish/files.py": "from etl.report import pdf\n",
    "delivery/send.py": "from etl.report.context import x\nfrom etl.report.i18n import y\n",
    "targets/actions.py": "from etl.warehouse.actions import store\n",
    "operations/kpis.py": "import airflow\n",
    "demo/build.py": "from etl.survey import scoring\n",
    "warehouse/results.py": 'Q = "delete from results where quarter = :q"\n',
    "warehouse/bulk.py": 'def f(t):\n    return f"insert into {t} values (1)"\n',
    "pipeline.py": "from etl import report, survey, warehouse\n",
}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    root = tmp_path / "etl"
    for name, text in BROKEN.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_layering_check_catches_each_crossing(broken: Path) -> None:
    found = {(f.path, f.rule) for f in checks.layering(broken)}
    assert found == {
        ("etl/core/periods.py", "core is pure and imports etl.warehouse"),
        ("etl/survey/indices.py", "survey is pure and imports sqlalchemy"),
        ("etl/report/context.py", "report may not import etl.survey"),
        ("etl/publish/files.py", "publish may not import etl.report"),
        ("etl/delivery/send.py", "delivery may not import etl.report.context"),
        ("etl/targets/actions.py", "targets is pure and imports etl.warehouse.actions"),
        ("etl/operations/kpis.py", "etl never imports airflow"),
        ("etl/demo/build.py", "demo may not import etl.survey"),
    }


def test_sql_check_catches_strings_and_f_strings(broken: Path) -> None:
    found = {(f.path, f.rule) for f in checks.sql_literals(broken)}
    assert found == {
        ("etl/warehouse/results.py", "SQL statement in a Python string"),
        ("etl/warehouse/bulk.py", "f-string SQL"),
    }


def test_size_check_catches_long_functions(tmp_path: Path) -> None:
    (tmp_path / "etl").mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(60))
    (tmp_path / "etl" / "long.py").write_text(f"def long():\n{body}")
    assert [f.rule for f in checks.sizes(tmp_path / "etl")] == ["long has 61 lines"]
