-- post_transfers keeps its statements' plans instead of planning them again on every call.
--
-- PL/pgSQL caches a plan per statement, but for a statement with parameters PostgreSQL plans it
-- anew for each call ("custom plan") until a generic plan is not estimated dearer. Here the
-- parameters are the batch's arrays: a custom plan knows how many items they hold, so its
-- estimate always beats the generic one, and the id locks, the INSERT, the refusals and the answer
-- query were planned again in every call. That is a fixed cost per statement of a few hundred
-- microseconds, paid in full by a batch of one, which is what the service sends under light load.
-- Every join in these statements goes through a unique index whatever the batch's size, so the
-- generic plans are the same joins (checked with auto_explain, a 4.6M-transfer database).
--
-- Measured with pgbench, load-tests/pgbench/ledger_batch.sql, 2 clients, 8 s runs on two copies
-- of the benchmark database, alternated 3 times, transfers/s: 1 per statement 922 (614 922 964)
-- before against 1,578 (1,414 1,611 1,578) after (1.7x); 8 per statement, medians of 7 runs,
-- 3,444 against 3,485, within the noise; 50 per statement 5,332 (5,332 5,558 4,699) against 5,124 (5,195 5,124 4,180),
-- within the noise.
ALTER FUNCTION post_transfers(uuid[], uuid[], uuid[], bigint[], bigint[], text[], text[])
    SET plan_cache_mode = force_generic_plan;
