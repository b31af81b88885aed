-- Indexes the quarterly queries need: every KPI filters a date range and groups by scope.

create index if not exists ix_policies_branch on policies (branch_code);
create index if not exists ix_policies_issued on policies (issued_on);
create index if not exists ix_payments_policy on premium_payments (policy_id, installment_no);
create index if not exists ix_claims_policy on claims (policy_id);
create index if not exists ix_claims_paid on claims (paid_on);
create index if not exists ix_claims_closed on claims (closed_on);
create index if not exists ix_complaints_received on complaints (received_on);
create index if not exists ix_complaints_due on complaints (due_on);
create index if not exists ix_responses_wave on survey_responses (wave_id);
create index if not exists ix_feedback_received on feedback_texts (received_on);
create index if not exists ix_mystery_visited on mystery_shop_visits (visited_on);
