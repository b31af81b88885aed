-- Fill the legacy tables from the canonical demo tables of the same database (run once, then
-- the canonical tables are dropped: the legacy warehouse holds the same data in its own shape).
-- ymd(d) is replace(cast(d as text), '-', ''): 2026-07-01 → 20260701 on SQLite and PostgreSQL.

insert into org_branch
select branch_code, name_zh, name_en, region_zh, region_en from branches;

insert into sales_chnl select channel_code, name_zh, name_en from channels;

insert into prod_line select product_line_code, name_zh, name_en from product_lines;

insert into core_policy
select
    p.policy_id,
    p.policy_no,
    p.customer_id,
    b.name_zh,
    c.name_zh,
    l.name_zh,
    replace(cast(p.issued_on as text), '-', ''),
    cast(round(p.premium_cny * 100) as bigint),
    case p.premium_mode when 'regular' then '期缴' else '趸缴' end,
    case p.status
        when 'in_force' then '有效' when 'lapsed' then '失效'
        when 'surrendered' then '退保' else '满期'
    end,
    replace(cast(p.lapsed_on as text), '-', ''),
    replace(cast(p.surrendered_on as text), '-', ''),
    replace(cast(p.matured_on as text), '-', ''),
    cast(round(p.surrender_paid_cny * 100) as bigint)
from policies p
inner join branches b on b.branch_code = p.branch_code
inner join channels c on c.channel_code = p.channel_code
inner join product_lines l on l.product_line_code = p.product_line_code;

insert into prem_record
select
    payment_id, policy_id, installment_no,
    replace(cast(due_on as text), '-', ''),
    replace(cast(paid_on as text), '-', ''),
    cast(round(amount_cny * 100) as bigint)
from premium_payments;

insert into clm_case
select
    claim_id, policy_id,
    replace(cast(reported_on as text), '-', ''),
    replace(cast(registered_on as text), '-', ''),
    replace(cast(closed_on as text), '-', ''),
    replace(cast(paid_on as text), '-', ''),
    case outcome when 'paid' then '赔付' when 'denied' then '拒赔' when 'withdrawn' then '撤案' end,
    cast(round(claimed_cny * 100) as bigint),
    cast(round(paid_cny * 100) as bigint)
from claims;

insert into cmp_ticket
select
    t.complaint_id, t.policy_id, b.name_zh, c.name_zh,
    replace(cast(t.received_on as text), '-', ''),
    replace(cast(t.due_on as text), '-', ''),
    replace(cast(t.resolved_on as text), '-', ''),
    t.category, t.dimension,
    case t.is_complex when 1 then 'Y' else 'N' end,
    case t.outcome
        when 'upheld' then '成立' when 'partly_upheld' then '部分成立'
        when 'not_upheld' then '不成立' when 'withdrawn' then '撤诉'
    end
from complaints t
inner join branches b on b.branch_code = t.branch_code
left join channels c on c.channel_code = t.channel_code;

insert into svy_wave
select
    wave_id, quarter,
    replace(cast(fielded_from as text), '-', ''),
    replace(cast(fielded_to as text), '-', ''),
    item_bank_version, invited_count
from survey_waves;

insert into svy_item
select
    item_bank_version, item_code, dimension, text_zh, text_en, scale_min, scale_max,
    case is_reverse when 1 then 'Y' else 'N' end
from survey_items;

insert into svy_resp
select
    r.response_id, r.wave_id, r.policy_id, b.name_zh, c.name_zh, l.name_zh,
    replace(cast(r.responded_on as text), '-', ''),
    r.comment_text,
    r.quality_flag
from survey_responses r
inner join branches b on b.branch_code = r.branch_code
inner join channels c on c.channel_code = r.channel_code
inner join product_lines l on l.product_line_code = r.product_line_code;

insert into svy_ans select response_id, item_code, score from survey_answers;

insert into cust_voice
select
    f.feedback_id,
    case f.source
        when 'survey_comment' then '问卷' when 'online_message' then '在线留言' else '社交媒体'
    end,
    replace(cast(f.received_on as text), '-', ''),
    b.name_zh, f.policy_id, f.body
from feedback_texts f
left join branches b on b.branch_code = f.branch_code;

insert into ms_visit
select
    v.visit_id, b.name_zh, c.name_zh,
    replace(cast(v.visited_on as text), '-', ''),
    v.scenario
from mystery_shop_visits v
inner join branches b on b.branch_code = v.branch_code
inner join channels c on c.channel_code = v.channel_code;

insert into ms_result
select visit_id, checklist_item, case is_passed when 1 then '是' else '否' end
from mystery_shop_results;

insert into kpi_goal
select
    metric, scope, valid_from, target_value, amber_value,
    case is_higher_better when 1 then 'Y' else 'N' end
from kpi_targets
