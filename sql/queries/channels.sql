-- Grain: one row per sales channel (segment names for the report).
select
    channel_code,
    name_zh,
    name_en
from src_channels as channels
order by channel_code
