-- Drop the canonical input tables once their rows are in the legacy tables (children first,
-- so the demo's own foreign keys never object). What remains is the legacy warehouse.
-- survey_response_sources (ingest's map of source response ids) references survey_responses:
-- PostgreSQL refuses to drop a referenced table, so it goes first, with the rows it maps.
drop table survey_response_sources;
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
