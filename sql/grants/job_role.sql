-- The least-privilege account of the quarterly job (PostgreSQL): exactly the rights it needs.
-- Run once as the owner of the tables, after applying sql/schema/ as that owner:
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 -f sql/grants/job_role.sql
-- then create the login: create role satisfaction_job login password '…';
-- The job never runs DDL when the tables exist, so it needs no CREATE and owns nothing.
-- docs/deployment.md explains each line; tests/reliability/test_least_privilege.py runs a
-- whole quarter (compute, render, publish, deliver) as a role with exactly these rights.

grant usage on schema public to satisfaction_job;

-- Read: the insurer's operational data, the survey, feedback and the names to mask.
grant select on
    branches, channels, product_lines, policies, premium_payments, claims, complaints,
    survey_waves, survey_items, survey_responses, survey_answers, feedback_texts,
    mystery_shop_visits, mystery_shop_results, kpi_targets, person_names, demo_warehouse
to satisfaction_job;

-- Ingest (the DAG's first task): new survey waves, responses, answers, feedback and
-- mystery-shop rows appended; its registry of files, quarantined rows and notes.
grant insert, update on survey_waves to satisfaction_job;
grant insert on
    survey_responses, survey_answers, feedback_texts, mystery_shop_visits, mystery_shop_results
to satisfaction_job;
grant select, insert, update, delete on
    ingest_files, ingest_quarantine, ingest_cell_notes, ingest_file_quarters,
    survey_response_sources
to satisfaction_job;

-- Write: the results store (figures, findings, the action plan it raises and follows up),
-- the report revisions and the delivery log with its lock.
grant select, insert, update, delete on
    results, improvement_actions, action_events, voc_themes, voc_quotes, action_follow_ups,
    action_proposals, action_coverage,
    report_revisions, delivery_log, delivery_locks, contract_warnings, contract_checks,
    report_staleness, revision_figures, report_sources, quarter_inputs
to satisfaction_job;
