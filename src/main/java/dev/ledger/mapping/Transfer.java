package dev.ledger.mapping;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "Transfer")
public record Transfer(
        UUID id,
        UUID source,
        @Schema(description = "Position in the source's chain: 1, 2, 3 …", example = "1") long index,
        UUID destination,
        @Schema(example = "800") long amount,
        @Schema(example = "EUR") String currency,
        @Schema(nullable = true) String description,
        @Schema(implementation = Object.class, nullable = true) ObjectNode metadata,
        OffsetDateTime createdAt,
        @Schema(description = "The source's balance right after this transfer, as the database checked it. It may"
                + " leave out credits that arrived while the transfer was being appended; GET"
                + " /accounts/{id}/balance?at= gives the exact balance at any instant", example = "9200")
        long sourceBalanceAfter) {
}
