-- Grain: none (a write). Removes the quarter's action proposals before a (re)computation.
delete from action_proposals
where quarter = :quarter
