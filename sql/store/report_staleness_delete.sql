-- Grain: none (a write). A quarter computed again is no longer stale.
delete from report_staleness
where quarter = :quarter
