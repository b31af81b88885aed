-- Step 2 of 2, after sql/schema/09_delivery.sql created the new table: copy every row, keep
-- every count, drop the old table.
insert into delivery_log
    (quarter, scope, recipient, pdf_sha256, language, revision, file_name, role, channel, status,
     error, attempts, times_sent, interrupted, message_id, claimed_by, lease_until, sent_at,
     updated_at, run_id)
select
    quarter, scope, recipient, pdf_sha256, language, revision, file_name, role, channel, status,
    error, attempts, times_sent, 0, message_id, null, null, sent_at, updated_at, run_id
from delivery_log_before_v2;
drop table delivery_log_before_v2;
