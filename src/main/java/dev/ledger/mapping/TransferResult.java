package dev.ledger.mapping;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ledger.problem.Problem;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One item's answer in a batch: what POST /transfers would have answered for it alone, its
 * status, and its transfer or its problem body. {@code replayed} stands for the
 * Idempotent-Replayed header, present only when true.
 */
@Schema(name = "TransferResult", description = "One item's answer: the status, transfer or problem that "
        + "POST /transfers would have answered for it")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TransferResult(
        @Schema(description = "201 appended, 200 replay of this id, or the problem's status (400, 404, 409, 422, 503, 500)",
                example = "201")
        int status,
        @Schema(description = "true when the id was appended before with the same content; absent otherwise")
        Boolean replayed,
        @Schema(description = "The transfer, when status is 201 or 200") Transfer transfer,
        @Schema(description = "The problem, when the item was refused") Problem problem) {

    private static final int CREATED = 201;
    private static final int REPLAYED = 200;

    public static TransferResult created(Transfer transfer) {
        return new TransferResult(CREATED, null, transfer, null);
    }

    public static TransferResult replayed(Transfer transfer) {
        return new TransferResult(REPLAYED, true, transfer, null);
    }

    public static TransferResult refused(Problem problem) {
        return new TransferResult(problem.status(), null, null, problem);
    }
}
