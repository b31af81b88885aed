-- Grain: none (a write). The inputs a quarter's stored results were computed from.
insert into quarter_inputs (quarter, inputs_sha256, run_id)
values (:quarter, :inputs_sha256, :run_id)
on conflict (quarter) do update set
    inputs_sha256 = excluded.inputs_sha256,
    run_id = excluded.run_id
