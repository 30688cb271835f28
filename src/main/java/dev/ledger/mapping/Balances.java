package dev.ledger.mapping;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "Balances")
public record Balances(
        @Schema(description = "One per requested id, in the request's order, all at the same instant and from one "
                + "snapshot of the log") List<Balance> balances) {

    /**
     * Ids per request. Bounded by the request line (4 KiB): 100 ids of 36 characters and their
     * commas take 3,699, which leaves room for the path and an instant.
     */
    public static final int MAX_ACCOUNTS = 100;

    /** The name of id {@code index} in problems, as the client wrote the list: {@code account_ids[3]}. */
    public static String item(int index) {
        return "account_ids[" + index + "]";
    }
}
