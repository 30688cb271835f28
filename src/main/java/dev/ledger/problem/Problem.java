package dev.ledger.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;

/**
 * An RFC 9457 problem details body; extension members (e.g. {@code balance}) sit beside the standard ones.
 * The schema lists them by hand, as the OpenAPI scanner cannot see into the map that carries them.
 */
@Schema(name = "Problem", description = "RFC 9457 problem details, served as application/problem+json",
        properties = {
                @SchemaProperty(name = "errors", type = SchemaType.ARRAY, implementation = Problem.FieldError.class,
                        description = "validation: each field or parameter that is not valid, and why"),
                @SchemaProperty(name = "constraint", type = SchemaType.STRING, example = "transfer_metadata_object",
                        description = "validation: the database check that refused the request"),
                @SchemaProperty(name = "balance", type = SchemaType.INTEGER, format = "int64", example = "9200",
                        description = "insufficient-funds: the source's balance"),
                @SchemaProperty(name = "next_index", type = SchemaType.INTEGER, format = "int64", example = "2",
                        description = "index-conflict: the index the source's next transfer must have"),
                @SchemaProperty(name = "id", type = SchemaType.STRING, format = "uuid",
                        description = "On a 5xx after which the write may or may not have committed: the id to "
                                + "retry with")})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        @Schema(description = "Stable identifier of the cause", example = "urn:ledger:problem:insufficient-funds") URI type,
        @Schema(example = "The source's balance is below the amount") String title,
        @Schema(example = "422") int status,
        @Schema(example = "balance 700 of account 0193... is below the amount 800") String detail,
        @Schema(example = "/transfers") String instance,
        @Schema(description = "The request's X-Request-ID, as in the response header and the service's logs",
                example = "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44") String requestId,
        @Schema(hidden = true) Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** Sent with every 503: every one of them is transient, and a second is long enough to clear. */
    public static final String RETRY_AFTER_SECONDS = "1";

    public static Problem of(ProblemType type, String detail, String instance, String requestId,
            Map<String, Object> extensions) {
        return new Problem(type.type(), type.title(), type.status(), detail, instance, requestId, extensions);
    }

    @JsonAnyGetter
    public Map<String, Object> extensions() {
        return extensions;
    }

    /** An item of {@code errors}, for the OpenAPI document: the mappers build the items as maps. */
    @Schema(name = "FieldError")
    public record FieldError(@Schema(example = "amount") String field,
            @Schema(example = "must be greater than 0") String message) {
    }
}
