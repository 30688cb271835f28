package dev.ledger.mapping;

import java.time.OffsetDateTime;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "Balance")
public record Balance(
        UUID accountId,
        @Schema(example = "EUR") String currency,
        @Schema(description = "Balance in minor units at the instant", example = "9200") long balance,
        @Schema(description = "The instant: the one asked for, or now") OffsetDateTime at) {
}
