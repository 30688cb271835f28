-- The metadata rules of V15 and V17 no longer cost every INSERT a parse, and cost a row with
-- metadata less.
--
-- PostgreSQL compiles a table's CHECK constraints again for every INSERT statement. While doing so
-- it tries to inline each call of a SQL-language function: it parses the function's body, here
-- with its jsonpath literal, and for jsonb_numbers_fit then gives up, since a body with a
-- subquery cannot be inlined. Every INSERT into transfer or account paid that, with or without
-- metadata: `perf` on a backend running single INSERTs put 9 % of its CPU in
-- eval_const_expressions under ExecConstraints (raw_parser, jsonpath_yyparse). A PL/pgSQL
-- function is compiled once per session and never inlined, so a constraint calling it costs
-- nothing to compile. The SET clause is V13's rule for every PL/pgSQL function.
--
-- A number is printed inside the document's own text, so a document printed in at most 1,000
-- bytes cannot hold a number longer than 1,000 characters: most metadata is answered without
-- walking it. The rule itself is unchanged (DatabaseRulesTest.metadataNumbersAreAtMostAThousand-
-- CharactersAsPrinted).
--
-- Measured (docs/benchmarks.md, record O), PostgreSQL CPU per statement on two copies of one
-- benchmark database, one before and one after, one client, medians of 5 alternated runs of
-- `DATABASES="<before> <after>" load-tests/statement-cost.sh`: an INSERT through the trigger 450
-- against 404 µs, post_transfers with 1 transfer 869 against 690 µs (every run after below its
-- pair), with 50 transfers 6,954 against 7,084 µs (no change). 1,500 rows with metadata in one
-- INSERT ... SELECT, each on a fresh copy, 6 alternated runs timed by psql: 299 against 270 ms.

CREATE OR REPLACE FUNCTION jsonb_numbers_fit(p_document jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN octet_length(p_document::text) <= 1000
        OR NOT EXISTS (SELECT FROM jsonb_path_query(p_document, 'strict $.** ? (@.type() == "number")') AS n
                        WHERE length(n::text) > 1000);
END
$$;

-- Strict: lax mode would unwrap arrays and miss their nesting.
CREATE OR REPLACE FUNCTION jsonb_depth_fits(p_document jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN NOT jsonb_path_exists(p_document,
                                 'strict $.**{32 to last} ? (@.type() == "object" || @.type() == "array")');
END
$$;

DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION jsonb_numbers_fit(jsonb) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION jsonb_depth_fits(jsonb) SET search_path = %I, pg_temp', current_schema());
END
$$;
