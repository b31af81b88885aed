-- The `survey_answers` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    response_id,
    item_code,
    score
from survey_answers
