package dev.ledger.mapping;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "Account")
public record Account(
        UUID id,
        @Schema(example = "EUR") String currency,
        AccountKind kind,
        @Schema(description = "Current balance in minor units", example = "10000") long balance,
        @Schema(description = "Number of outgoing transfers: the source's last index", example = "0") long transferCount,
        OffsetDateTime createdAt,
        @Schema(implementation = Object.class, nullable = true) ObjectNode metadata) {
}
