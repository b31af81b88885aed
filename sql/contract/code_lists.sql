-- Rules of the three code lists (docs/data-contract.md): `branches`, `channels` and
-- `product_lines`, each over the whole relation (a few rows), in one statement. A rule is
-- named by its full key (`branches.branch_code.unique`), since three relations share it.
with codes as (
    select
        'branches' as relation,
        'branch_code' as code_column,
        branch_code as code,
        name_zh,
        name_en
    from src_branches
    union all
    select 'channels', 'channel_code', channel_code, name_zh, name_en from src_channels
    union all
    select 'product_lines', 'product_line_code', product_line_code, name_zh, name_en
    from src_product_lines
),

broken as (
    select relation || '.' || code_column || '.not_null' as rule, '(null)' as example_key
    from codes where code is null
    union all
    select relation || '.name_zh.not_null' as rule, coalesce(code, '(null)') as example_key
    from codes where name_zh is null or name_zh = ''
    union all
    select relation || '.name_en.not_null' as rule, coalesce(code, '(null)') as example_key
    from codes where name_en is null or name_en = ''
    union all
    select relation || '.' || code_column || '.unique' as rule, code as example_key
    from codes where code is not null
    group by relation, code_column, code
    having count(*) > 1
),

-- include: contract/parts/examples
