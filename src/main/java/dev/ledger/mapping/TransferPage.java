package dev.ledger.mapping;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "TransferPage")
public record TransferPage(
        List<TransferItem> items,
        @Schema(description = "Pass as cursor for the next (older) page; null on the last page", nullable = true)
        String nextCursor) {
}
