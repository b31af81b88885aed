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

-- The data contract's check (sql/contract/, bench/bench_check.py) reads these instead of every
-- row of the large relations. A partial index "…_contract" holds only the rows that break a
-- row rule: empty in clean data, so the check's `suspects` read (whose WHERE repeats the
-- predicate word for word, which is how PostgreSQL knows the index answers it) costs nothing.
create index if not exists ix_policies_contract on policies (policy_id)
    where policy_id is null
        or branch_code is null or channel_code is null or product_line_code is null
        or issued_on is null
        or premium_cny is null or premium_cny < 0
        or premium_mode is null or premium_mode not in ('regular', 'single')
        or status is null or status not in ('in_force', 'lapsed', 'surrendered', 'matured')
        or lapsed_on < issued_on or surrendered_on < issued_on or matured_on < issued_on
        or (status = 'surrendered' and surrendered_on is null)
        or (status = 'lapsed' and lapsed_on is null)
        or (status = 'matured' and matured_on is null);
-- The distinct codes of the policy book, compared with the code lists (an index-only read).
create index if not exists ix_policies_codes
    on policies (branch_code, channel_code, product_line_code);
create index if not exists ix_payments_contract on premium_payments (payment_id)
    where payment_id is null or policy_id is null
        or installment_no is null or installment_no < 1
        or due_on is null
        or amount_cny is null or amount_cny < 0;
-- One row per policy and 2nd/3rd instalment due in the window: grouped along this index.
create index if not exists ix_payments_persistency
    on premium_payments (policy_id, installment_no, due_on) where installment_no in (2, 3);
create index if not exists ix_claims_contract on claims (claim_id)
    where claim_id is null
        or registered_on < reported_on or closed_on < reported_on or paid_on < reported_on
        or (outcome is not null and outcome not in ('paid', 'denied', 'withdrawn'))
        or (outcome = 'paid' and paid_on is null)
        or (outcome in ('paid', 'denied') and closed_on is null)
        or claimed_cny is null or claimed_cny < 0;
create index if not exists ix_answers_contract on survey_answers (response_id)
    where score is null or item_code is null;
