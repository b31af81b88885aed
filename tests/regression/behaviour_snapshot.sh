#!/usr/bin/env bash
# usage: behaviour_snapshot.sh CHECKOUT OUTDIR — builds the demo warehouse in OUTDIR, runs 2026-Q3
# in zh-CN and en with CHECKOUT's code, exports the results table and the pdftotext of every
# report, so two checkouts can be diffed (`diff -r A/text B/text`, `diff A/results.csv B/results.csv`).
set -euo pipefail
src=$1; out=$2
rm -rf "$out"; mkdir -p "$out"
export PYTHONPATH=$src SATISFACTION_HOME=$out/home
mkdir -p $out/home
PY=${PYTHON:-$(cd "$(dirname "$0")/../.." && pwd)/.venv/bin/python}
cd "$src"
touch $out/warehouse.db; $PY -m etl.cli demo --through 2026-Q3 --warehouse sqlite:///$out/warehouse.db > $out/demo.log
$PY -m etl.cli run --quarter 2026-Q3 --language zh-CN --warehouse sqlite:///$out/warehouse.db --run-id base > $out/run-zh.log
$PY -m etl.cli run --quarter 2026-Q3 --language en --warehouse sqlite:///$out/warehouse.db --run-id base > $out/run-en.log
cols=$(sqlite3 $out/warehouse.db "select group_concat(name, ',') from pragma_table_info('results') where name not in ('computed_at','created_at','updated_at','run_id')")
sqlite3 -header -csv $out/warehouse.db "select $cols from results order by quarter, scope, metric" > $out/results.csv
mkdir -p $out/text
find $out/home -name '*.pdf' | sort | while read f; do n=$(echo ${f#$out/home/} | tr '/' '_'); pdftotext -layout "$f" "$out/text/$n.txt"; done
ls $out/text | wc -l; wc -l $out/results.csv
