-- Grain: none (maintenance). Refresh the planner's statistics after a bulk load (PostgreSQL).
analyze
