-- Grain: none (a write). Removes one action nobody has acted on that the data no longer support.
delete from improvement_actions
where action_id = :action_id
