package dev.ledger.mapping;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "TransferBatchResult")
public record TransferBatchResult(
        @Schema(description = "One result per item, in the request's order") List<TransferResult> results) {
}
