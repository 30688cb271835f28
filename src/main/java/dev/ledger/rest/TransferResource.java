package dev.ledger.rest;

import dev.ledger.mapping.NewTransfer;
import dev.ledger.mapping.NewTransferBatch;
import dev.ledger.mapping.Transfer;
import dev.ledger.mapping.TransferBatchResult;
import dev.ledger.mapping.TransferResult;
import dev.ledger.problem.Problem;
import dev.ledger.service.LedgerService;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.groups.ConvertGroup;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/transfers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Transfers")
public class TransferResource {

    static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private final LedgerService ledger;

    TransferResource(LedgerService ledger) {
        this.ledger = ledger;
    }

    @POST
    @Operation(summary = "Append a transfer",
            description = "One database transaction: the database assigns the source's next index (or checks "
                    + "expected_index), checks currencies and, for regular sources, the balance. Idempotent on id: "
                    + "a retry with the same id and content returns the original transfer.")
    @RequestBody(content = @Content(schema = @Schema(implementation = NewTransfer.class),
            examples = @ExampleObject(name = "transfer", value = Examples.NEW_TRANSFER)))
    @APIResponse(responseCode = "201", description = "Appended",
            headers = @Header(name = "Location", description = "/transfers/{id}",
                    schema = @Schema(implementation = String.class)),
            content = @Content(schema = @Schema(implementation = Transfer.class),
                    examples = @ExampleObject(name = "transfer", value = Examples.TRANSFER)))
    @APIResponse(responseCode = "200", description = "Replay of an earlier request with this id: the original transfer",
            headers = @Header(name = REPLAYED_HEADER, description = "true", schema = @Schema(implementation = String.class)),
            content = @Content(schema = @Schema(implementation = Transfer.class)))
    @APIResponse(responseCode = "400", description = "Invalid request", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION)))
    @APIResponse(responseCode = "404", description = "Source or destination does not exist", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "account-not-found", value = Examples.ACCOUNT_NOT_FOUND)))
    @APIResponse(responseCode = "409", description = "Idempotency or index conflict", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "idempotency-conflict", value = Examples.IDEMPOTENCY_CONFLICT),
                    @ExampleObject(name = "index-conflict", value = Examples.INDEX_CONFLICT)}))
    @APIResponse(responseCode = "415", description = "Body is not JSON", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "unsupported-media-type", value = Examples.UNSUPPORTED_MEDIA_TYPE)))
    @APIResponse(responseCode = "413", description = "The body exceeds 64 KiB", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "payload-too-large", value = Examples.PAYLOAD_TOO_LARGE)))
    @APIResponse(responseCode = "422", description = "Insufficient funds, currency mismatch, or a balance that would "
            + "leave 64 bits", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "insufficient-funds", value = Examples.INSUFFICIENT_FUNDS),
                    @ExampleObject(name = "currency-mismatch", value = Examples.CURRENCY_MISMATCH)}))
    @APIResponse(responseCode = "503", description = "Database unavailable; retry with the same id",
            headers = @Header(name = "Retry-After", description = "Seconds to wait",
                    schema = @Schema(implementation = String.class)),
            content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "database-unavailable", value = Examples.DATABASE_UNAVAILABLE)))
    public Uni<RestResponse<Transfer>> post(
            @Valid @NotNull(message = "a JSON body is required") NewTransfer request,
            @Parameter(description = "Used as the id when the body has none", schema = @Schema(format = "uuid"))
            @HeaderParam(Params.IDEMPOTENCY_KEY) String idempotencyKey) {
        checkText("", request);
        NewTransfer keyed = request.withId(Params.idempotencyId(request.id(), idempotencyKey));
        return ledger.postTransfer(keyed).map(written -> written.replayed()
                ? RestResponse.ResponseBuilder.ok(written.value()).header(REPLAYED_HEADER, "true").build()
                : RestResponse.ResponseBuilder.create(RestResponse.Status.CREATED, written.value())
                        .header(HttpHeaders.LOCATION, "/transfers/" + written.value().id()).build());
    }

    @POST
    @Path("batch")
    @Operation(summary = "Append many transfers in one request",
            description = "Each item is appended as POST /transfers would append it alone, and answered with its "
                    + "own result, in the request's order: status 201 with the transfer, 200 and replayed for an id "
                    + "appended before with the same content, or a refusal's status with the problem POST /transfers "
                    + "would answer. Items are independent: not atomic across items, and applied in no promised "
                    + "order, so an item must not depend on another's funds or index. Every item needs its own id, "
                    + "which makes a retried batch idempotent; the Idempotency-Key header is refused. An invalid "
                    + "item makes the whole request a 400 naming it (transfers[3].amount), and nothing is written.")
    @RequestBody(content = @Content(schema = @Schema(implementation = NewTransferBatch.class),
            examples = @ExampleObject(name = "batch", value = Examples.NEW_TRANSFER_BATCH)))
    @APIResponse(responseCode = "200", description = "Every item's own result, in the request's order",
            content = @Content(schema = @Schema(implementation = TransferBatchResult.class),
                    examples = @ExampleObject(name = "results", value = Examples.TRANSFER_BATCH_RESULT)))
    @APIResponse(responseCode = "400", description = "An item, or the list, is invalid; nothing was written",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "validation", value = Examples.VALIDATION_BATCH)))
    @APIResponse(responseCode = "413", description = "The body exceeds 64 KiB; split the batch", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "payload-too-large", value = Examples.PAYLOAD_TOO_LARGE)))
    @APIResponse(responseCode = "415", description = "Body is not JSON", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "unsupported-media-type", value = Examples.UNSUPPORTED_MEDIA_TYPE)))
    @APIResponse(responseCode = "503", description = "Overloaded or shutting down before any item was submitted; "
            + "retry the batch. A database failure is reported per item instead.", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "overloaded", value = Examples.OVERLOADED)))
    public Uni<TransferBatchResult> postBatch(
            @Valid @ConvertGroup(to = NewTransferBatch.CountFirst.class)
            @NotNull(message = "a JSON body is required") NewTransferBatch request,
            @Context UriInfo uri, @Context HttpHeaders headers) {
        Params.refuseIdempotencyKey(headers, "to a batch: each item's id is its idempotency key");
        checkItems(request.transfers());
        return ledger.postTransfers(request.transfers()).map(outcomes -> new TransferBatchResult(outcomes.stream()
                .map(outcome -> result(outcome, uri, headers)).toList()));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A transfer by id")
    @APIResponse(responseCode = "200", description = "The transfer", content = @Content(
            schema = @Schema(implementation = Transfer.class),
            examples = @ExampleObject(name = "transfer", value = Examples.TRANSFER)))
    @APIResponse(responseCode = "400", description = "id is not a UUID", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION)))
    @APIResponse(responseCode = "404", description = "No such transfer", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "not-found", value = Examples.NOT_FOUND)))
    public Uni<Transfer> get(@PathParam("id") @Parameter(schema = @Schema(format = "uuid")) String id) {
        return ledger.transfer(Params.uuid("id", id));
    }

    /** What Bean Validation cannot check in a transfer's text; {@code prefix} names a batch's item. */
    private static void checkText(String prefix, NewTransfer transfer) {
        Params.description(prefix + "description", transfer.description());
        Params.metadata(prefix + "metadata", transfer.metadata());
    }

    /** A batch is all valid or refused whole: every item has an id of its own. */
    private static void checkItems(List<NewTransfer> items) {
        Map<UUID, Integer> positions = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String item = NewTransferBatch.item(i);
            NewTransfer transfer = items.get(i);
            checkText(item + ".", transfer);
            if (transfer.id() == null) {
                throw Params.invalid(item + ".id", "is required in a batch, so that a retried batch is idempotent");
            }
            Integer earlier = positions.putIfAbsent(transfer.id(), i);
            if (earlier != null) {
                throw Params.invalid(item + ".id", "repeats the id of " + NewTransferBatch.item(earlier));
            }
        }
    }

    private static TransferResult result(LedgerService.Outcome outcome, UriInfo uri, HttpHeaders headers) {
        if (outcome.failure() != null) {
            return TransferResult.refused(ProblemMappers.problem(outcome.failure(), uri, headers));
        }
        Transfer transfer = outcome.written().value();
        return outcome.written().replayed() ? TransferResult.replayed(transfer) : TransferResult.created(transfer);
    }
}
