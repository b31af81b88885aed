-- Drop the canonical input tables once their rows are in the legacy tables (children first,
-- so the demo's own foreign keys never object). What remains is the legacy warehouse.
drop table survey_answers;
drop table survey_responses;
drop table mystery_shop_results;
drop table mystery_shop_visits;
drop table feedback_texts;
drop table claims;
drop table complaints;
drop table premium_payments;
drop table policies;
drop table survey_items;
drop table survey_waves;
drop table kpi_targets;
drop table product_lines;
drop table channels;
drop table branches
