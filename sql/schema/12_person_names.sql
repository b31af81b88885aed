-- Names of people the warehouse knows (customers, agents, claims handlers, staff), loaded from
-- the CRM. Used for one thing: masking them in customer comments before a quote is stored,
-- printed or e-mailed (etl/operations/voc/privacy.py). Optional: empty means the segmenter and
-- the name patterns alone find names.
create table if not exists person_names (
    full_name         text primary key,
    source            text not null default 'crm'
);
