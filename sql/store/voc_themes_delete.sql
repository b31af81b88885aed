-- Grain: none (a write). Removes the quarter's voc_themes rows before a (re)computation writes them.
delete from voc_themes
where quarter = :quarter
