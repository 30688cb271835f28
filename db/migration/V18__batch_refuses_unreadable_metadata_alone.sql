-- A post_transfers() item whose metadata the service could not read back (a number longer than
-- V15 allows, nesting deeper than V17 allows) is refused alone, as an item with too long a
-- description is, and its neighbours go on.
--
-- CHECK constraints run after the BEFORE triggers and abort the whole statement, so such an item
-- failed the whole call with 23514 and rolled back its valid neighbours. The service refuses such
-- metadata before it sends a batch, but a direct caller of post_transfers() met it. This trigger
-- tests the two CHECKs first and refuses through transfer_refused(): one item in a batch, the
-- same 23514 and constraint name for any other writer. The CHECKs stay the guarantee.
-- Not a final refusal (is_final_refusal): the id may be used again with other metadata.
--
-- A trigger of its own rather than two more tests in transfer_append: the WHEN clause keeps it
-- off the rows without metadata, and transfer_append is not restated for two lines.

CREATE FUNCTION transfer_metadata_readable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT jsonb_numbers_fit(NEW.metadata) THEN
        RETURN transfer_refused(NEW.id, '23514',
                                'metadata numbers must be at most 1000 characters as PostgreSQL prints them',
                                NULL, 'transfer_metadata_numbers');
    END IF;
    IF NOT jsonb_depth_fits(NEW.metadata) THEN
        RETURN transfer_refused(NEW.id, '23514', 'metadata must nest at most 32 levels deep', NULL,
                                'transfer_metadata_depth');
    END IF;
    RETURN NEW;
END
$$;

DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION transfer_metadata_readable() SET search_path = %I, pg_temp', current_schema());
END
$$;

-- Named to fire after transfer_accepts_no_refused_id (an id refused before is answered as such
-- first) and before transfer_append (no lock taken for an item that is refused): BEFORE triggers
-- fire in name order.
CREATE TRIGGER transfer_accepts_readable_metadata BEFORE INSERT ON transfer
    FOR EACH ROW WHEN (NEW.metadata IS NOT NULL) EXECUTE FUNCTION transfer_metadata_readable();
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_accepts_readable_metadata;
