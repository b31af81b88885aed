-- Grain: none (a write). One feedback theme of a scope: texts by sentiment, change vs before.
insert into voc_themes (quarter, scope, dimension, texts, negative, positive, previous, change)
values (:quarter, :scope, :dimension, :texts, :negative, :positive, :previous, :change)
