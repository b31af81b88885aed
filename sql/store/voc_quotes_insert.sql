-- Grain: none (a write). One masked representative quote of a scope, in report order.
insert into voc_quotes (quarter, scope, position, dimension, sentiment, source, quote_text)
values (:quarter, :scope, :position, :dimension, :sentiment, :source, :quote_text)
