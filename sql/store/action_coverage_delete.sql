-- Grain: none (a write). Removes the quarter's action_coverage rows before a (re)computation.
delete from action_coverage
where quarter = :quarter
