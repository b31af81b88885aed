-- A new check of the quarter replaces its warnings.
delete from contract_warnings where quarter = :quarter
