-- A "legacy core system" warehouse (遗留核心系统): the demo's data under the insurer's own
-- table and column names. Codes appear as names in the fact tables (四川分公司, 电销 …),
-- amounts are integer fen, dates are text YYYYMMDD, statuses and outcomes are in Chinese.
-- No keys, checks or references: the data contract's checks are what catches bad rows.

create table org_branch (
    org_cd          text,
    org_name        text,
    org_name_en     text,
    area_name       text,
    area_name_en    text
);

create table sales_chnl (
    chnl_cd         text,
    chnl_name       text,
    chnl_name_en    text
);

create table prod_line (
    line_cd         text,
    line_name       text,
    line_name_en    text
);

create table core_policy (
    pol_seq         bigint,
    pol_no          text,
    cust_no         bigint,
    org_name        text,
    chnl_name       text,
    line_name       text,
    eff_date        text,
    prem_fen        bigint,
    pay_type        text,
    pol_status      text,
    lapse_date      text,
    surr_date       text,
    mat_date        text,
    surr_amt_fen    bigint
);

create table prem_record (
    rec_seq         bigint,
    pol_seq         bigint,
    period_no       integer,
    due_date        text,
    pay_date        text,
    amt_fen         bigint
);

create table clm_case (
    case_seq        bigint,
    pol_seq         bigint,
    rpt_date        text,
    reg_date        text,
    close_date      text,
    pay_date        text,
    case_result     text,
    clm_amt_fen     bigint,
    pay_amt_fen     bigint
);

create table cmp_ticket (
    ticket_seq      bigint,
    pol_seq         bigint,
    org_name        text,
    chnl_name       text,
    accept_date     text,
    limit_date      text,
    finish_date     text,
    cmp_type        text,
    svc_dim         text,
    complex_flag    text,
    cmp_result      text
);

create table svy_wave (
    wave_cd         text,
    wave_qtr        text,
    start_date      text,
    end_date        text,
    bank_ver        text,
    invite_cnt      integer
);

create table svy_item (
    bank_ver        text,
    item_cd         text,
    dim_cd          text,
    q_zh            text,
    q_en            text,
    min_pt          integer,
    max_pt          integer,
    rev_flag        text
);

create table svy_resp (
    resp_seq        bigint,
    wave_cd         text,
    pol_seq         bigint,
    org_name        text,
    chnl_name       text,
    line_name       text,
    resp_date       text,
    remark          text,
    quality_note    text
);

create table svy_ans (
    resp_seq        bigint,
    item_cd         text,
    ans_val         integer
);

create table cust_voice (
    msg_seq         bigint,
    msg_src         text,
    recv_date       text,
    org_name        text,
    pol_seq         bigint,
    content         text
);

create table ms_visit (
    visit_seq       bigint,
    org_name        text,
    chnl_name       text,
    visit_date      text,
    scene           text
);

create table ms_result (
    visit_seq       bigint,
    chk_item        text,
    pass_flag       text
);

create table kpi_goal (
    kpi_cd          text,
    scope_cd        text,
    eff_qtr         text,
    goal_val        double precision,
    warn_val        double precision,
    higher_better   text
)
