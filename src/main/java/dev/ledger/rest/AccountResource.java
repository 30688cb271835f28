package dev.ledger.rest;

import dev.ledger.config.LedgerConfig;
import dev.ledger.mapping.Account;
import dev.ledger.mapping.Balance;
import dev.ledger.mapping.Direction;
import dev.ledger.mapping.NewAccount;
import dev.ledger.mapping.Transfer;
import dev.ledger.mapping.TransferPage;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/accounts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Accounts")
public class AccountResource {

    private final LedgerService ledger;
    private final LedgerConfig config;

    AccountResource(LedgerService ledger, LedgerConfig config) {
        this.ledger = ledger;
        this.config = config;
    }

    @POST
    @Operation(summary = "Open an account",
            description = "Creates an account; a positive initial_balance is moved from the currency's default issuer "
                    + "in the same transaction (that funding transfer has the account's id). Idempotent on id.")
    @RequestBody(content = @Content(schema = @Schema(implementation = NewAccount.class),
            examples = @ExampleObject(name = "funded", value = Examples.NEW_ACCOUNT)))
    @APIResponse(responseCode = "201", description = "Opened",
            headers = @Header(name = "Location", description = "/accounts/{id}",
                    schema = @Schema(implementation = String.class)),
            content = @Content(schema = @Schema(implementation = Account.class),
                    examples = @ExampleObject(name = "account", value = Examples.ACCOUNT)))
    @APIResponse(responseCode = "200", description = "Replay: this id was already opened with the same request",
            headers = @Header(name = TransferResource.REPLAYED_HEADER, description = "true",
                    schema = @Schema(implementation = String.class)),
            content = @Content(schema = @Schema(implementation = Account.class)))
    @APIResponse(responseCode = "400", description = "Invalid request", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION)))
    @APIResponse(responseCode = "409", description = "The id was used for a different request", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "idempotency-conflict", value = Examples.IDEMPOTENCY_CONFLICT)))
    @APIResponse(responseCode = "415", description = "Body is not JSON", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "unsupported-media-type", value = Examples.UNSUPPORTED_MEDIA_TYPE)))
    @APIResponse(responseCode = "413", description = "The body exceeds 64 KiB", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "payload-too-large", value = Examples.PAYLOAD_TOO_LARGE)))
    @APIResponse(responseCode = "422", description = "amount-out-of-range: the initial balance would take a balance "
            + "past 64 bits", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Database unavailable; retry",
            headers = @Header(name = "Retry-After", description = "Seconds to wait",
                    schema = @Schema(implementation = String.class)),
            content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "database-unavailable", value = Examples.DATABASE_UNAVAILABLE)))
    public Uni<RestResponse<Account>> open(
            @Valid @NotNull(message = "a JSON body is required") NewAccount request,
            @Parameter(description = "Used as the id when the body has none", schema = @Schema(format = "uuid"))
            @HeaderParam(Params.IDEMPOTENCY_KEY) String idempotencyKey) {
        Params.metadata(request.metadata());
        NewAccount keyed = request.withId(Params.idempotencyId(request.id(), idempotencyKey));
        return ledger.openAccount(keyed).map(written -> written.replayed()
                ? RestResponse.ResponseBuilder.ok(written.value()).header(TransferResource.REPLAYED_HEADER, "true").build()
                : RestResponse.ResponseBuilder.create(RestResponse.Status.CREATED, written.value())
                        .header(HttpHeaders.LOCATION, "/accounts/" + written.value().id()).build());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "An account with its current balance")
    @APIResponse(responseCode = "200", description = "The account", content = @Content(
            schema = @Schema(implementation = Account.class),
            examples = @ExampleObject(name = "account", value = Examples.ACCOUNT)))
    @APIResponse(responseCode = "400", description = "id is not a UUID", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION)))
    @APIResponse(responseCode = "404", description = "No such account", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "not-found", value = Examples.NOT_FOUND)))
    public Uni<Account> get(@PathParam("id") @Parameter(schema = @Schema(format = "uuid")) String id) {
        return ledger.account(Params.uuid("id", id));
    }

    @GET
    @Path("{id}/balance")
    @Operation(summary = "The balance now, or at a past instant",
            description = "Cost does not grow with the account's history. A balance for an instant older than the "
                    + "longest allowed transaction never changes.")
    @APIResponse(responseCode = "200", description = "The balance", content = @Content(
            schema = @Schema(implementation = Balance.class),
            examples = @ExampleObject(name = "balance", value = Examples.BALANCE)))
    @APIResponse(responseCode = "400", description = "id or at malformed", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION)))
    @APIResponse(responseCode = "404", description = "No such account", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "not-found", value = Examples.NOT_FOUND)))
    public Uni<Balance> balance(
            @PathParam("id") @Parameter(schema = @Schema(format = "uuid")) String id,
            @QueryParam("at") @Parameter(description = "RFC 3339 instant; now when absent",
                    schema = @Schema(type = SchemaType.STRING, format = "date-time")) String at) {
        return ledger.balance(Params.uuid("id", id), Params.instant("at", at));
    }

    @GET
    @Path("{id}/transfers")
    @Operation(summary = "The account's transfers, newest first",
            description = "Keyset pagination: pass next_cursor as cursor for the next (older) page. Each item carries "
                    + "the account's balance at its instant.")
    @APIResponse(responseCode = "200", description = "A page", content = @Content(
            schema = @Schema(implementation = TransferPage.class),
            examples = @ExampleObject(name = "page", value = Examples.TRANSFER_PAGE)))
    @APIResponse(responseCode = "400", description = "A parameter is malformed", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION)))
    @APIResponse(responseCode = "404", description = "No such account", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "not-found", value = Examples.NOT_FOUND)))
    public Uni<TransferPage> transfers(
            @PathParam("id") @Parameter(schema = @Schema(format = "uuid")) String id,
            @QueryParam("direction") @Parameter(description = "in, out or all (default)",
                    schema = @Schema(enumeration = {"in", "out", "all"})) String direction,
            @QueryParam("limit") @Parameter(description = "1 to 1000, default 50",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000")) String limit,
            @QueryParam("cursor") @Parameter(description = "next_cursor of the previous page of this list "
                    + "(same account and direction)") String cursor) {
        UUID account = Params.uuid("id", id);
        Direction listed = Params.direction(direction);
        return ledger.transfers(account, listed, Params.cursor(cursor, account, listed),
                Params.limit(limit, config.pages().defaultLimit(), config.pages().maxLimit()));
    }

    @GET
    @Path("{source}/transfers/{index}")
    @Operation(summary = "The transfer at an index of a source's chain")
    @APIResponse(responseCode = "200", description = "The transfer", content = @Content(
            schema = @Schema(implementation = Transfer.class),
            examples = @ExampleObject(name = "transfer", value = Examples.TRANSFER)))
    @APIResponse(responseCode = "400", description = "source or index malformed", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION)))
    @APIResponse(responseCode = "404", description = "No such transfer", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "not-found", value = Examples.NOT_FOUND)))
    public Uni<Transfer> transferAt(
            @PathParam("source") @Parameter(schema = @Schema(format = "uuid")) String source,
            @PathParam("index") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) String index) {
        return ledger.transfer(Params.uuid("source", source), Params.positiveLong("index", index));
    }
}
