-- A batch of read statements on PostgreSQL (the data contract's check): no JIT compilation.
-- The check runs a dozen short statements, mostly index reads; compiling each large plan
-- (PostgreSQL's default above cost 100000) took longer than running it. `local`: only for
-- this connection's transaction, which ends when the batch does.
set local jit = off
