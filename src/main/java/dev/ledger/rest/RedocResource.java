package dev.ledger.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** ReDoc rendering of /q/openapi; its script is the org.webjars.npm:redoc jar served by this app, not a CDN. */
@Path("/redoc")
public class RedocResource {

    /** Must match redoc.version in pom.xml. */
    static final String SCRIPT = "/webjars/redoc/2.1.4/bundles/redoc.standalone.js";

    private static final String PAGE = """
            <!DOCTYPE html>
            <html>
              <head>
                <meta charset="utf-8"/>
                <title>Ledger API</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
              </head>
              <body>
                <redoc spec-url="/q/openapi?format=json"></redoc>
                <script src="%s"></script>
              </body>
            </html>
            """.formatted(SCRIPT);

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "API reference (ReDoc)", hidden = true)
    @APIResponse(responseCode = "200", description = "HTML page")
    public String page() {
        return PAGE;
    }
}
