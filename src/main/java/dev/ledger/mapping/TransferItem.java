package dev.ledger.mapping;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "TransferItem", description = "A transfer of the listed account, with that account's balance at its instant",
        allOf = Transfer.class)
public record TransferItem(
        @JsonUnwrapped @Schema(hidden = true) Transfer transfer,
        @Schema(description = "The listed account's balance at created_at", example = "9200") long balanceAfter) {
}
