package dev.ledger.rest;

import dev.ledger.mapping.ApiKey;
import dev.ledger.mapping.NewApiKey;
import dev.ledger.problem.Problem;
import dev.ledger.service.ApiKeyService;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** API keys, for admin keys only (Authentication). */
@Path("/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "API keys")
public class ApiKeyResource {

    private final ApiKeyService keys;

    ApiKeyResource(ApiKeyService keys) {
        this.keys = keys;
    }

    @POST
    @Operation(summary = "Create an API key",
            description = "Answers the key itself, this once: only its SHA-256 is stored.")
    @RequestBody(content = @Content(schema = @Schema(implementation = NewApiKey.class),
            examples = @ExampleObject(name = "write key", value = Examples.NEW_API_KEY)))
    @APIResponse(responseCode = "201", description = "Created; the key is in the body",
            content = @Content(schema = @Schema(implementation = ApiKey.class),
                    examples = @ExampleObject(name = "created", value = Examples.CREATED_API_KEY)))
    @APIResponse(responseCode = "400", description = "Invalid request", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION)))
    @APIResponse(responseCode = "409", description = "The name is taken, also by a revoked key", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "name-taken", value = Examples.NAME_TAKEN)))
    @APIResponse(responseCode = "415", description = "Body is not JSON", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "unsupported-media-type", value = Examples.UNSUPPORTED_MEDIA_TYPE)))
    public Uni<RestResponse<ApiKey>> create(
            @Valid @NotNull(message = "a JSON body is required") NewApiKey request, @Context HttpHeaders headers) {
        Params.refuseIdempotencyKey(headers, "to API keys: the name is unique, so a retry answers 409 name-taken; "
                + "revoke that key and create another");
        // The only copy of the secret: no cache on the way may keep it (RFC 9111, 5.2.2.5).
        return keys.create(request).map(created -> RestResponse.ResponseBuilder
                .create(RestResponse.Status.CREATED, created)
                .header(HttpHeaders.LOCATION, "/api-keys/" + created.id())
                .header(HttpHeaders.CACHE_CONTROL, "no-store").build());
    }

    @GET
    @Operation(summary = "Every API key, revoked ones included, oldest first; never a key's secret")
    @APIResponse(responseCode = "200", description = "The keys", content = @Content(
            schema = @Schema(type = SchemaType.ARRAY, implementation = ApiKey.class),
            examples = @ExampleObject(name = "keys", value = Examples.API_KEYS)))
    public Uni<List<ApiKey>> list() {
        return keys.list();
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Revoke an API key",
            description = "At once on the instance that answers; other instances stop accepting the key within "
                    + "ledger.auth.cache.ttl (30 s by default). The record stays, with its revoked_at. Revoking "
                    + "a revoked key changes nothing.")
    @APIResponse(responseCode = "204", description = "Revoked")
    @APIResponse(responseCode = "400", description = "id is not a UUID", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "validation", value = Examples.VALIDATION)))
    @APIResponse(responseCode = "404", description = "No such key", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "not-found", value = Examples.NOT_FOUND)))
    public Uni<Void> revoke(@PathParam("id") @Parameter(schema = @Schema(format = "uuid")) String id) {
        return keys.revoke(Params.uuid("id", id));
    }
}
