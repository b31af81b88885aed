-- Grain: none (a write). Removes the quarter's action_follow_ups rows before a (re)computation writes them.
delete from action_follow_ups
where quarter = :quarter
