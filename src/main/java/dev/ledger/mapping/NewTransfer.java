package dev.ledger.mapping;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.hibernate.validator.constraints.CodePointLength;

@Schema(name = "NewTransfer", description = "A transfer to append")
public record NewTransfer(
        @Schema(description = "Idempotency key; the Idempotency-Key header is used when absent, "
                + "a generated UUIDv7 when both are")
        UUID id,
        @NotNull @Schema(required = true) UUID source,
        @NotNull @Schema(required = true) UUID destination,
        @NotNull @Positive
        @Schema(required = true, description = "Minor units, a positive 64-bit integer", minimum = "1", example = "800")
        Long amount,
        @Positive
        @Schema(description = "Append only if this is the source's next index, else 409 index-conflict", minimum = "1")
        Long expectedIndex,
        // Characters as PostgreSQL's char_length counts them: an emoji is one, not two UTF-16 units.
        @CodePointLength(max = 512, message = "must be at most {max} characters")
        @Schema(maxLength = 512, example = "order 1234")
        String description,
        @Schema(description = "Free-form JSON object, at most 4 KiB", implementation = Object.class)
        ObjectNode metadata) {

    public NewTransfer withId(UUID newId) {
        return new NewTransfer(newId, source, destination, amount, expectedIndex, description, metadata);
    }
}
