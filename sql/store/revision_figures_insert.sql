-- Grain: none (a write). The headline figures a revision printed and those that moved.
insert into revision_figures (quarter, scope, language, revision, figures, changed)
values (:quarter, :scope, :language, :revision, :figures, :changed)
on conflict (quarter, scope, language, revision) do update set
    figures = excluded.figures,
    changed = excluded.changed
