package dev.ledger.mapping;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "NewApiKey", description = "An API key to create")
public record NewApiKey(
        @NotNull @Pattern(regexp = NAME_PATTERN, message = "must match " + NAME_PATTERN)
        @Schema(required = true, example = "payments-service", pattern = NAME_PATTERN,
                description = "Unique, also after the key is revoked")
        String name,
        @NotNull
        @Schema(required = true, description = "read (GET only), write (also posts accounts and transfers) or "
                + "admin (also manages API keys)")
        Scope scope) {

    /** As the database's api_key_name_format. */
    public static final String NAME_PATTERN = "^[a-z0-9][a-z0-9._-]{0,62}$";
}
