-- Grain: none (a write). Removes the quarter's voc_quotes rows before a (re)computation writes them.
delete from voc_quotes
where quarter = :quarter
