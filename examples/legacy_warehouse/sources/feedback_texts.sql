-- Legacy core system → the data contract (docs/data-contract.md). 问卷/在线留言/社交媒体 → the contract's sources.
select
    f.msg_seq as feedback_id,
    case f.msg_src
        when '问卷' then 'survey_comment' when '在线留言' then 'online_message'
        when '社交媒体' then 'social_media'
    end as source,
    date(substr(f.recv_date, 1, 4) || '-' || substr(f.recv_date, 5, 2) || '-' || substr(f.recv_date, 7, 2))
        as received_on,
    (select b.org_cd from org_branch b where b.org_name = f.org_name) as branch_code,
    f.pol_seq as policy_id,
    f.content as body
from cust_voice f
