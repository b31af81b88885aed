-- Upgrade a delivery_log made before the claimed state machine (no `interrupted`, `claimed_by`,
-- `lease_until`; a status check without `sending` and `uncertain`), step 1 of 2: move it aside.
-- Run once by the tables' owner (ensure_schema does it when it finds the old shape).
drop index if exists ix_delivery_log_quarter;
alter table delivery_log rename to delivery_log_before_v2;
