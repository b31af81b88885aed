-- Indexes the quarterly queries need: every KPI filters a date range and groups by scope.
-- Measured on the bench warehouse (10M policies, bench/README.md): the KPI families that
-- read a small date slice use the date indexes below; the policy-book families
-- (kpi_complaint_volume, kpi_persistency, kpi_surrender) read most of `policies` and scan it.

create index if not exists ix_policies_branch on policies (branch_code);
create index if not exists ix_policies_issued on policies (issued_on);
-- One schedule row per (policy, instalment): kpi_persistency joins on it and relies on the
-- uniqueness to count a policy once.
create unique index if not exists ux_payments_policy_installment
    on premium_payments (policy_id, installment_no);
-- linkage_claim_cycle_band and linkage_complaint join a respondent's policy to its cases.
create index if not exists ix_claims_policy on claims (policy_id);
create index if not exists ix_complaints_policy on complaints (policy_id);
-- kpi_claim_cycle_time (paid in the quarter), kpi_claim_outcomes (closed in the quarter).
create index if not exists ix_claims_paid on claims (paid_on);
create index if not exists ix_claims_closed on claims (closed_on);
-- kpi_complaint_volume and kpi_complaint_handling (received / due in the quarter).
create index if not exists ix_complaints_received on complaints (received_on);
create index if not exists ix_complaints_due on complaints (due_on);
create index if not exists ix_responses_wave on survey_responses (wave_id);
create index if not exists ix_feedback_received on feedback_texts (received_on);
create index if not exists ix_mystery_visited on mystery_shop_visits (visited_on);
