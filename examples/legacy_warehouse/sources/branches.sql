-- Legacy core system → the data contract (docs/data-contract.md). Branch codes live only here;
-- the fact tables carry the branch's Chinese name, which the other views map back to its code.
select
    org_cd as branch_code,
    org_name as name_zh,
    org_name_en as name_en,
    area_name as region_zh,
    area_name_en as region_en
from org_branch
