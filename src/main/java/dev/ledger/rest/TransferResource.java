package dev.ledger.rest;

import dev.ledger.mapping.NewTransfer;
import dev.ledger.mapping.Transfer;
import dev.ledger.problem.Problem;
import dev.ledger.service.LedgerService;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
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
    @APIResponse(responseCode = "422", description = "Insufficient funds or currency mismatch", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "insufficient-funds", value = Examples.INSUFFICIENT_FUNDS),
                    @ExampleObject(name = "currency-mismatch", value = Examples.CURRENCY_MISMATCH)}))
    @APIResponse(responseCode = "503", description = "Database unavailable; retry with the same id", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "database-unavailable", value = Examples.DATABASE_UNAVAILABLE)))
    public Uni<RestResponse<Transfer>> post(
            @Valid @NotNull(message = "a JSON body is required") NewTransfer request,
            @Parameter(description = "Used as the id when the body has none", schema = @Schema(format = "uuid"))
            @HeaderParam("Idempotency-Key") String idempotencyKey) {
        Params.description(request.description());
        Params.metadata(request.metadata());
        NewTransfer keyed = request.withId(Params.idempotencyId(request.id(), idempotencyKey));
        return ledger.postTransfer(keyed).map(written -> written.replayed()
                ? RestResponse.ResponseBuilder.ok(written.value()).header(REPLAYED_HEADER, "true").build()
                : RestResponse.ResponseBuilder.create(RestResponse.Status.CREATED, written.value())
                        .location(URI.create("/transfers/" + written.value().id())).build());
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
}
