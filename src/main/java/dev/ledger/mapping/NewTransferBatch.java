package dev.ledger.mapping;

import jakarta.validation.GroupSequence;
import jakarta.validation.Valid;
import jakarta.validation.groups.Default;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Transfers sent in one request (POST /transfers/batch), each still appended and answered on its own. */
@Schema(name = "NewTransferBatch", description = "Transfers to append, each on its own; 1 to "
        + NewTransferBatch.MAX_ITEMS + " items, every one with its own id")
public record NewTransferBatch(
        @NotNull(groups = Count.class) @Size(min = 1, max = NewTransferBatch.MAX_ITEMS, groups = Count.class)
        @Schema(required = true, minItems = 1, maxItems = NewTransferBatch.MAX_ITEMS,
                description = "Each a NewTransfer whose id is required; no id twice")
        List<@NotNull @Valid NewTransfer> transfers) {

    /**
     * Items per request. An explicit bound, as TigerBeetle's batches have: one request can hold at
     * most this many places of the batcher's queue (ledger.batch.max-queued, 4096).
     */
    public static final int MAX_ITEMS = 1000;

    /** The name of item {@code index} in problems, as the client wrote the path: {@code transfers[3]}. */
    public static String item(int index) {
        return "transfers[" + index + "]";
    }

    /** The list's presence and size. */
    public interface Count {
    }

    /**
     * The groups to validate a batch with: the items only once the count holds. A 64 KiB body of
     * 20,000 empty objects would otherwise be answered, after seconds, with 60,000 violations.
     */
    @GroupSequence({Count.class, Default.class})
    public interface CountFirst {
    }
}
