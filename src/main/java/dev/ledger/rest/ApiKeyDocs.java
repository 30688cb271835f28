package dev.ledger.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.problem.Problem;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.io.UncheckedIOException;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Documents Authentication in the OpenAPI document: the bearer scheme, required by every
 * operation, and its 401 and 403 answers on each. Added here once, as Authentication applies
 * to every operation, rather than repeated on each method where one could be forgotten.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ApiKeyDocs implements OASFilter {

    private static final String SCHEME_NAME = "api-key";
    private static final String COMPONENT_RESPONSES = "#/components/responses/";
    private static final String UNAUTHORIZED = "Unauthorized";
    private static final String FORBIDDEN = "Forbidden";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        openAPI.getComponents()
                .addSecurityScheme(SCHEME_NAME, OASFactory.createSecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("An API key: 'Authorization: Bearer ldg_…'. Scopes: read (GET), write (also "
                                + "POST /accounts and /transfers), admin (also /api-keys)."))
                .addResponse(UNAUTHORIZED, problem("No API key, or one that is unknown or revoked",
                        "unauthorized", Examples.UNAUTHORIZED))
                .addResponse(FORBIDDEN, problem("The API key's scope does not allow this request",
                        "forbidden", Examples.FORBIDDEN));
        openAPI.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme(SCHEME_NAME));
        for (PathItem path : openAPI.getPaths().getPathItems().values()) {
            for (Operation operation : path.getOperations().values()) {
                operation.getResponses()
                        .addAPIResponse("401", OASFactory.createAPIResponse().ref(COMPONENT_RESPONSES + UNAUTHORIZED))
                        .addAPIResponse("403", OASFactory.createAPIResponse().ref(COMPONENT_RESPONSES + FORBIDDEN));
            }
        }
    }

    private static APIResponse problem(String description, String exampleName, String example) {
        return OASFactory.createAPIResponse().description(description)
                .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()
                        .schema(OASFactory.createSchema().ref("#/components/schemas/Problem"))
                        .addExample(exampleName, OASFactory.createExample().value(json(example)))));
    }

    private static Map<?, ?> json(String example) {
        try {
            return new ObjectMapper().readValue(example, Map.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
