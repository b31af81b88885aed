-- Grain: none (a write). Removes the quarter's results for the scopes a run replaces,
-- so the table never mixes two runs' figures for one (quarter, scope).
delete from results
where quarter = :quarter
  and scope in :scopes
