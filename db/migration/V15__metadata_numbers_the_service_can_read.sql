-- A metadata number may be at most 1,000 characters as PostgreSQL prints it, for any writer.
--
-- The service answers metadata by parsing the jsonb PostgreSQL prints, and its JSON parser
-- refuses a number longer than 1,000 characters (Jackson's default, JacksonConfig). The service
-- refuses such numbers in requests, but a writer using SQL could store one (up to the 4 KiB
-- metadata limit), and every read of that account or transfer would then fail. So the database
-- holds every writer to the limit the reader has. PostgreSQL prints a jsonb number in plain
-- notation, every digit written out (1e400 has 401), which is what length() counts here.
-- NOT VALID: rows already stored are not scanned, new and changed rows are checked.

CREATE FUNCTION jsonb_numbers_fit(p_document jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT NOT EXISTS (SELECT FROM jsonb_path_query(p_document, 'strict $.** ? (@.type() == "number")') AS n
                      WHERE length(n::text) > 1000)
$$;

ALTER TABLE account ADD CONSTRAINT account_metadata_numbers
    CHECK (metadata IS NULL OR jsonb_numbers_fit(metadata)) NOT VALID;
ALTER TABLE transfer ADD CONSTRAINT transfer_metadata_numbers
    CHECK (metadata IS NULL OR jsonb_numbers_fit(metadata)) NOT VALID;
