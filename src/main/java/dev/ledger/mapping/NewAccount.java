package dev.ledger.mapping;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "NewAccount", description = "An account to open")
public record NewAccount(
        @Schema(description = "Client-chosen id; makes the request idempotent. Generated (UUIDv7) when absent.")
        UUID id,
        @NotNull @Pattern(regexp = "^[A-Z][A-Z0-9_]{1,11}$", message = "must match ^[A-Z][A-Z0-9_]{1,11}$")
        @Schema(required = true, example = "EUR", pattern = "^[A-Z][A-Z0-9_]{1,11}$")
        String currency,
        @Schema(description = "regular (never below zero, the default) or issuer (may go negative)",
                defaultValue = "regular")
        AccountKind kind,
        @PositiveOrZero
        @Schema(description = "Minor units moved from the currency's default issuer in the same transaction",
                minimum = "0", defaultValue = "0", example = "10000")
        Long initialBalance,
        @Schema(description = "Free-form JSON object, at most 4 KiB", implementation = Object.class)
        ObjectNode metadata) {

    public AccountKind kindOrDefault() {
        return kind == null ? AccountKind.REGULAR : kind;
    }

    public long initialBalanceOrZero() {
        return initialBalance == null ? 0 : initialBalance;
    }

    public NewAccount withId(UUID newId) {
        return new NewAccount(newId, currency, kind, initialBalance, metadata);
    }
}
