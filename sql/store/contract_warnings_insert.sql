-- One failed warning rule of the quarter's check.
insert into contract_warnings (quarter, relation, rule, failed, examples, message, run_id)
values (:quarter, :relation, :rule, :failed, :examples, :message, :run_id)
