package dev.ledger.mapping;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "ApiKey", description = "An API key; its secret only in the answer that created it")
public record ApiKey(
        UUID id,
        @Schema(example = "payments-service") String name,
        Scope scope,
        OffsetDateTime createdAt,
        @Schema(description = "When the key was revoked; null while it is valid", nullable = true)
        OffsetDateTime revokedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @Schema(description = "Only in the answer to POST /api-keys: send as 'Authorization: Bearer <key>'. Only its "
                + "hash is stored, so it cannot be shown again.",
                example = "ldg_0bW5f3kq9cV2xYj8nR4tLp1sQe7uZa6mHd3gKo5iBvE")
        String key) {
}
