"""Compute a quarter: read its inputs once, compute without the database, store in one go."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.core import (
    COMPANY,
    ItemBank,
    Quarter,
    ResultRow,
    Scope,
    Settings,
    load_item_bank,
    load_settings,
)
from etl.operations import (
    family_params,
    feedback_params,
    kpi_conventions,
    kpi_results,
    voc_results,
)
from etl.pipeline.corrections import record_correction, refresh_stale_manifests
from etl.pipeline.fingerprints import quarter_inputs_sha256
from etl.survey import (
    RESPONDENT_COLUMNS,
    eligible_responses,
    linkage_params,
    linkage_results,
    linked_frame,
    outside_population_rule,
    score,
    survey_results,
    weight_respondents,
    weighting_rows,
)
from etl.targets import Action, action_results, follow_up_window, grading_results, parse_targets
from etl.warehouse import (
    WarehouseError,
    apply_store_schema,
    available_scopes,
    check_reachable,
    connect,
    read_contract_warnings,
    read_earlier_actions,
    read_known_names,
    read_query,
    read_results,
    redact,
    replace_findings,
    replace_results,
    segment_scopes,
    statement,
    store_actions,
    store_quarter_inputs,
)

log = logging.getLogger(__name__)


QUARTER_TEXT = re.compile(r"^\d{4}-Q[1-4]$")


def compute_quarter(
    warehouse_url: str,
    quarter_text: str,
    run_id: str,
    settings: Settings | None = None,
    results_url: str | None = None,
) -> list[str]:
    """Compute the quarter, after every earlier fielded quarter that was never computed.

    Trends, changes and the action plan's follow-up read stored history. So that a quarter's
    report does not depend on which quarters happened to be computed before (a branch-only
    rerun of an earlier quarter once raised actions that changed every later report), the
    history is fixed: every fielded quarter from `[history] first_quarter` (default the
    warehouse's first survey wave) is computed once, oldest first, each from its own inputs
    and the quarters before it. Quarters already stored are left as they are: a rerun of a
    later quarter never rewrites history. Results go to the results store (`results_url`;
    None = the warehouse's database), whose tables are created there when missing.
    """
    settings = settings or load_settings()
    quarter = Quarter.parse(quarter_text)
    engine = connect(warehouse_url)
    check_reachable(engine)
    require_survey_data(engine, quarter)
    check_contract(engine, quarter)
    store = open_store(results_url or warehouse_url)
    fielded = set(read_query(engine, "survey_wave_ids")["wave_id"])
    earlier = history_quarters(fielded, quarter, settings)
    stored = set(read_results(store, earlier, ["company"])["quarter"]) if earlier else set()
    missing = [q for q in earlier if q not in stored]
    # Imported here: etl.pipeline.history builds on this module's compute_one_quarter.
    from etl.pipeline.history import compute_in_order

    return compute_in_order(warehouse_url, [*missing, str(quarter)], run_id, settings, results_url)


def history_quarters(fielded: set[str], quarter: Quarter, settings: Settings) -> list[str]:
    """The fielded quarters before `quarter` from the fixed first one, oldest first."""
    waves = sorted(Quarter.parse(wave) for wave in fielded if QUARTER_TEXT.match(str(wave)))
    configured = str(settings.raw.get("history", {}).get("first_quarter") or "")
    first = Quarter.parse(configured, field="history.first_quarter") if configured else None
    return [str(q) for q in waves if q < quarter and (first is None or q >= first)]


def open_store(results_url: str) -> Engine:
    """The results store's engine, its tables created where missing (needs write access)."""
    store = connect(results_url)
    check_reachable(store)
    try:
        apply_store_schema(store)
        with store.begin() as conn:  # a store that cannot be written fails here, in words
            conn.execute(statement("store/write_probe"))
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise WarehouseError(
            f"results store {redact(store.url)} cannot be written ({reason}); give the product "
            "a database of its own through the connection `satisfaction_results` (or "
            "SATISFACTION_RESULTS_URL): the warehouse needs only read access"
        ) from exc
    return store


def check_contract(engine: Engine, quarter: Quarter, today: dt.date | None = None) -> None:
    """Stop before computing when the quarter's source rows break a rule of the data contract.

    Impossible dates (paid before reported, resolved in the future) gave a claim cycle of
    −400 days and a better grade; rows with an unknown branch code vanished from the branch
    figures; a response id given twice crashed deep in pandas. Each is named here instead.
    """
    params = {
        "quarter_start": quarter.start.isoformat(),
        "quarter_end": quarter.end.isoformat(),
        "wave_id": str(quarter),
        "today": (today or dt.datetime.now(dt.UTC).date()).isoformat(),
    }
    broken = read_query(engine, "contract_violations", params)
    if broken.empty:
        return
    lines = "\n".join(
        f"  - {row.source}: {int(row.violations)} row(s) {row.rule} "
        f"(ids {row.first_id} … {row.last_id})"
        for row in broken.itertuples(index=False)
    )
    raise WarehouseError(
        f"quarter {quarter}: the warehouse's rows break the data contract; nothing was "
        f"computed or written. Correct them at the source and run again:\n{lines}"
    )


def require_survey_data(engine: Engine, quarter: Quarter) -> None:
    """Refuse a quarter the warehouse holds no survey responses for, before anything is written.

    Without this, an empty quarter computed, stored and rendered a report of dashes and grades.
    """
    found = read_query(engine, "quarter_survey_responses", {"wave_id": str(quarter)})
    if int(found["responses"].iloc[0]) == 0:
        raise WarehouseError(
            f"quarter={str(quarter)!r}: the warehouse holds no survey responses for it "
            f"(survey_responses.wave_id = '{quarter}'); a quarter without data cannot be "
            "reported, and nothing was computed or written"
        )


@dataclass(frozen=True)
class QuarterInputs:
    """Everything the computation reads for one quarter, read once before computing."""

    quarter: Quarter
    scopes: list[Scope]
    segment_scopes: list[str]
    answers: pd.DataFrame
    respondents: pd.DataFrame
    policy_cells: pd.DataFrame
    history: pd.DataFrame  # stored results of the previous quarter and a year ago
    claim_bands: pd.DataFrame
    complaints: pd.DataFrame
    kpi_families: dict[str, pd.DataFrame]
    targets: pd.DataFrame
    feedback: pd.DataFrame
    source_rows: pd.DataFrame
    ingested: pd.DataFrame  # rows received/loaded/quarantined/flagged per ingested kind
    quarantine_rules: pd.DataFrame  # quarantined rows per (kind, rule)
    earlier_actions: pd.DataFrame
    known_names: tuple[str, ...] = ()  # masked in quotes with what the detectors find
    contract_warnings: pd.DataFrame | None = None  # the check's warnings for the quarter


def read_inputs(
    engine: Engine, quarter: Quarter, settings: Settings, store: Engine | None = None
) -> QuarterInputs:
    """Read the quarter's inputs from the warehouse (and the store's history) in one pass."""
    return QuarterInputs(
        **read_warehouse_inputs(engine, quarter, settings),
        **read_store_inputs(store or engine, quarter, settings),
    )


def read_warehouse_inputs(engine: Engine, quarter: Quarter, settings: Settings) -> dict[str, Any]:
    """The quarter's inputs from the warehouse: they depend on no other quarter's results, so
    they may be read ahead, in another process, while an earlier quarter is computed."""
    wave = {"wave_id": str(quarter), "include_flagged": include_flagged(settings)}
    link = linkage_params(quarter)
    return {
        "quarter": quarter,
        "scopes": available_scopes(engine),
        "segment_scopes": [scope.code for scope in segment_scopes(engine)],
        "answers": read_query(engine, "survey_answers", wave),
        "respondents": read_query(
            engine, "survey_respondents", wave | {"as_of": quarter.end.isoformat()}
        ),
        "policy_cells": read_query(engine, "policy_book_cells", {"as_of": quarter.end.isoformat()}),
        "claim_bands": read_query(engine, "linkage_claim_cycle_band", link),
        "complaints": read_query(engine, "linkage_complaint", link),
        "kpi_families": {
            name: read_query(engine, name, params)
            for name, params in family_params(quarter, kpi_conventions(settings.raw)).items()
        },
        "targets": read_query(engine, "kpi_targets"),
        "feedback": read_query(engine, "feedback_texts", feedback_params(quarter)),
        "source_rows": read_query(engine, "source_row_counts", lineage_params(quarter)),
        "ingested": read_query(engine, "ingest/lineage_files", {"quarter": str(quarter)}),
        "quarantine_rules": read_query(engine, "ingest/lineage_rules", {"quarter": str(quarter)}),
        "known_names": read_known_names(engine),
    }


def read_store_inputs(store: Engine, quarter: Quarter, settings: Settings) -> dict[str, Any]:
    """The quarter's inputs from the results store: earlier quarters' results and actions
    (read after those quarters are computed) and the check's warnings."""
    return {
        "history": read_results(store, [str(quarter.previous()), str(quarter.year_ago())]),
        "earlier_actions": read_earlier_actions(
            store, *reversed(follow_up_window(quarter, settings))
        ),
        "contract_warnings": read_contract_warnings(store, str(quarter)),
    }


@dataclass(frozen=True)
class QuarterFigures:
    """A computed quarter: result rows, the actions it raises and its findings tables."""

    rows: list[ResultRow]
    actions: tuple[Action, ...]
    findings: dict[str, list[dict[str, object]]]


def survey_rows(inputs: QuarterInputs, bank: ItemBank, settings: Settings) -> list[ResultRow]:
    """Survey indices, linkage and weighting diagnostics; suppressed when nobody answered."""
    q = str(inputs.quarter)
    codes = [scope.code for scope in inputs.scopes]
    if inputs.answers.empty:
        log.warning("no survey responses for wave %s: survey figures are suppressed", q)
        return [ResultRow(q, code, "respondents", 0.0, n=0) for code in codes]
    kept, eligibility = eligible_responses(
        inputs.respondents, outside_population_rule(settings.raw)
    )
    answers = inputs.answers[inputs.answers["response_id"].isin(kept["response_id"])]
    survey = score(answers, bank, kept[list(RESPONDENT_COLUMNS)])
    weights, report = weight_respondents(survey, inputs.policy_cells, settings)
    linked = linked_frame(inputs.claim_bands, inputs.complaints, survey.respondents, weights)
    return [
        *survey_results(q, survey, weights, inputs.scopes, bank, settings, inputs.history),
        *linkage_results(linked, inputs.quarter, inputs.scopes, settings),
        *weighting_rows(q, report, survey.n),
        ResultRow(q, COMPANY, "eligibility.responses", float(eligibility.responses),
                  n=eligibility.responses),
        ResultRow(q, COMPANY, "eligibility.duplicates_dropped",
                  float(eligibility.duplicates_dropped), n=eligibility.responses,
                  note="one response per policy and wave: the earliest kept"),
        ResultRow(q, COMPANY, "eligibility.outside_population",
                  float(eligibility.outside_population), n=eligibility.responses,
                  note="policy not in force at quarter end: "
                  + eligibility.outside_population_rule),
    ]  # fmt: skip


def compute_figures(inputs: QuarterInputs, bank: ItemBank, settings: Settings) -> QuarterFigures:
    """Every figure of the quarter from its inputs, without touching the database."""
    quarter = inputs.quarter
    codes = [scope.code for scope in inputs.scopes]
    targets = parse_targets(inputs.targets)
    rows = survey_rows(inputs, bank, settings)
    rows += kpi_results(
        inputs.kpi_families, quarter, codes, inputs.segment_scopes, kpi_conventions(settings.raw)
    )
    rows += grading_results(quarter, rows, targets, settings)
    rows += lineage_rows(inputs.source_rows, quarter)
    rows += ingest_lineage_rows(inputs.ingested, inputs.quarantine_rules, quarter)
    rows += warning_rows(inputs.contract_warnings, quarter)
    respondents = {r.scope: int(r.value or 0) for r in rows if r.metric == "respondents"}
    voc = voc_results(inputs.feedback, quarter, codes, respondents, settings, inputs.known_names)
    rows += voc.rows
    # Last: actions are proposed from every figure above (quadrants, RAG, declines).
    plan = action_results(quarter, codes, rows, inputs.earlier_actions, targets, settings)
    findings = {
        "voc_themes": [asdict(theme) | {"change": theme.change} for theme in voc.themes],
        "voc_quotes": [asdict(quote) | {"quote_text": quote.text} for quote in voc.quotes],
        "action_proposals": proposal_rows(plan.proposed),
        "action_follow_ups": [asdict(follow_up) for follow_up in plan.follow_ups],
        "action_coverage": [asdict(covers) for covers in plan.covered],
    }
    return QuarterFigures(without_suppressed_values(rows), plan.proposed, findings)


def without_suppressed_values(rows: list[ResultRow]) -> list[ResultRow]:
    """Every suppressed row keeps only its n and reason: no value or interval is stored.

    The stages already estimate nothing below the minimum base; this is the last wall before
    the store, so no later change to a stage can leak one customer's score into `results`.
    """
    return [
        replace(row, value=None, lower_bound=None, upper_bound=None)
        if row.flag == "suppressed"
        and (row.value is not None or row.lower_bound is not None or row.upper_bound is not None)
        else row
        for row in rows
    ]


def proposal_rows(actions: tuple[Action, ...]) -> list[dict[str, object]]:
    """Each scope's proposals in the plan's order, with the figure that raised each."""
    positions: dict[str, int] = {}
    rows = []
    for action in actions:
        positions[action.scope] = positions.get(action.scope, 0) + 1
        rows.append(
            {
                "scope": action.scope,
                "position": positions[action.scope],
                "action_id": action.action_id,
                "current_value": action.current_value,
            }
        )
    return rows


def compute_one_quarter(
    warehouse_url: str,
    quarter_text: str,
    run_id: str,
    settings: Settings | None = None,
    results_url: str | None = None,
    read_ahead: Mapping[str, Any] | None = None,
) -> list[str]:
    """Compute every survey index and KPI for every scope; store results and actions together.

    All scopes are computed even when the run renders a subset: the weights are raked
    company-wide, and a partial update would leave the company and branch figures from
    different data. Results and actions are written in one transaction: all or nothing.
    """
    settings = settings or load_settings()
    quarter = Quarter.parse(quarter_text)
    engine = connect(warehouse_url)
    check_reachable(engine)
    check_contract(engine, quarter)
    store = open_store(results_url or warehouse_url)
    # `read_ahead`: the warehouse inputs, read while an earlier quarter was computed.
    source = (
        read_ahead if read_ahead is not None else read_warehouse_inputs(engine, quarter, settings)
    )
    inputs = QuarterInputs(**source, **read_store_inputs(store, quarter, settings))
    bank = load_item_bank()
    codes = [scope.code for scope in inputs.scopes]
    fingerprint = quarter_inputs_sha256(inputs, settings, bank)
    before = read_results(store, [str(quarter)])
    if already_computed(store, str(quarter), fingerprint, before):
        log.info("%s: inputs unchanged since its results were computed; kept", quarter)
        return codes
    figures = compute_figures(inputs, bank, settings)
    # Segment scopes (channel.<code>, product.<code>) are replaced on a rerun too.
    stored_scopes = list(dict.fromkeys([*codes, *(row.scope for row in figures.rows)]))
    with store.begin() as conn:
        written = replace_results(conn, str(quarter), figures.rows, run_id, stored_scopes)
        store_actions(conn, str(quarter), [asdict(action) for action in figures.actions])
        replace_findings(conn, str(quarter), figures.findings)
        stale = record_correction(conn, str(quarter), before, figures.rows, run_id)
        store_quarter_inputs(conn, str(quarter), fingerprint, run_id)
    refresh_stale_manifests(store, settings.path("reports"), stale, run_id)
    log.info("stored %s result rows for %s, %s scopes", written, quarter, len(codes))
    return codes


def already_computed(store: Engine, quarter: str, fingerprint: str, stored: pd.DataFrame) -> bool:
    """The quarter's stored results were computed from these very inputs, and since then no
    other run wrote any of its rows (a hand correction through the CLI, a partial restore)."""
    recorded = read_query(store, "store/quarter_inputs_of_quarter", {"quarter": quarter})
    if stored.empty or recorded.empty or recorded["inputs_sha256"].iloc[0] != fingerprint:
        return False
    return set(stored["run_id"]) == {recorded["run_id"].iloc[0]}


def include_flagged(settings: Settings) -> int:
    """1 when low-quality responses count in the indices ([ingest] exclude_flagged = false)."""
    return 0 if settings.raw.get("ingest", {}).get("exclude_flagged", True) else 1


def warning_rows(warnings: pd.DataFrame | None, quarter: Quarter) -> list[ResultRow]:
    """The check's warnings as results (contract.<relation>.<rule>, company scope), and
    contract.checked (how many warnings): the appendix and anyone reading the results table
    see whether the quarter was checked and what its data did not satisfy."""
    if warnings is None:
        return []  # never checked (history computed for the trends): nothing to say
    checked = ResultRow(str(quarter), COMPANY, "contract.checked", float(len(warnings)))
    return [checked] + [
        ResultRow(
            str(quarter),
            COMPANY,
            f"contract.{row.relation}.{row.rule}",
            float(row.failed),
            n=int(row.failed),
            flag="warning",
            note=str(row.message) + (f"; e.g. {row.examples}" if row.examples else ""),
        )
        for row in warnings.itertuples(index=False)
    ]


def lineage_params(quarter: Quarter) -> dict[str, str]:
    """Bound parameters of the source row counts: the wave and the quarter's date range."""
    return {
        "wave_id": str(quarter),
        "quarter_start": quarter.start.isoformat(),
        "quarter_end": quarter.end.isoformat(),
    }


def lineage_rows(counts: pd.DataFrame, quarter: Quarter) -> list[ResultRow]:
    """Rows of each source that fed the quarter (lineage.<source>.rows), company and branches."""
    return [
        ResultRow(
            str(quarter),
            str(row.scope),
            f"lineage.{row.source}.rows",
            float(row.source_rows),
            n=int(row.source_rows),
        )
        for row in counts.itertuples(index=False)
    ]


# Where each ingested kind of source lands: its quarantine fills that source's lineage row.
INGEST_TARGET = {
    "survey": "survey_responses",
    "feedback": "feedback_texts",
    "mystery_shop": "mystery_shop_visits",
}


def ingest_lineage_rows(
    ingested: pd.DataFrame, rules: pd.DataFrame, quarter: Quarter
) -> list[ResultRow]:
    """Ingest lineage of the quarter (company scope): per kind of source the rows received,
    loaded, quarantined (also by rule) and flagged; nothing when no file was ingested."""
    rows: list[ResultRow] = []
    q = str(quarter)
    for row in ingested.itertuples(index=False):
        prefix = f"lineage.ingest.{row.kind}"
        for part in ("received", "loaded", "quarantined", "flagged"):
            value = int(getattr(row, f"rows_{part}"))
            rows.append(ResultRow(q, COMPANY, f"{prefix}.{part}", float(value), n=value))
        quarantined = int(row.rows_quarantined)
        target = f"lineage.{INGEST_TARGET[row.kind]}.quarantined"
        rows.append(ResultRow(q, COMPANY, target, float(quarantined), n=quarantined))
    for row in rules.itertuples(index=False):
        value = int(row.rows_quarantined)
        metric = f"lineage.ingest.{row.kind}.rule.{row.rule}"
        rows.append(ResultRow(q, COMPANY, metric, float(value), n=value))
    return rows
