package dev.ledger.rest;

import dev.ledger.mapping.Balances;
import dev.ledger.problem.Problem;
import dev.ledger.service.LedgerService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/balances")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Accounts")
public class BalanceResource {

    private final LedgerService ledger;

    BalanceResource(LedgerService ledger) {
        this.ledger = ledger;
    }

    @GET
    @Operation(summary = "The balances of many accounts, now or at a past instant, in one consistent read",
            description = "One database statement at one instant: the balances come from one snapshot of the log, "
                    + "so those of every account of a currency, read together, sum to 0. In a list of 50 a balance "
                    + "costs the database about a quarter of what GET /accounts/{id}/balance costs.")
    @APIResponse(responseCode = "200", description = "One balance per id, in the request's order", content = @Content(
            schema = @Schema(implementation = Balances.class),
            examples = @ExampleObject(name = "balances", value = Examples.BALANCES)))
    @APIResponse(responseCode = "400", description = "account_ids or at malformed, or more than "
            + Balances.MAX_ACCOUNTS + " ids", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION_BALANCES)))
    @APIResponse(responseCode = "404", description = "An id is no account; errors names each (account_ids[i])",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "not-found", value = Examples.NOT_FOUND_BALANCES)))
    public Uni<Balances> balances(
            @QueryParam("account_ids") @Parameter(required = true, description = "1 to " + Balances.MAX_ACCOUNTS
                    + " account ids separated by commas; an id may repeat",
                    schema = @Schema(type = SchemaType.STRING)) String accountIds,
            @QueryParam("at") @Parameter(description = "RFC 3339 instant; now when absent",
                    schema = @Schema(type = SchemaType.STRING, format = "date-time")) String at) {
        return ledger.balances(Params.uuids("account_ids", accountIds, Balances.MAX_ACCOUNTS), Params.instant("at", at));
    }
}
