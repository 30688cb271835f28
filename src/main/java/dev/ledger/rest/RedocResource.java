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

    /**
     * The Content-Security-Policy keeps the page to what this service serves: ReDoc's side menu
     * loads the Redocly logo from cdn.redoc.ly, with no option to turn that off (blocked, the logo
     * hides itself). ReDoc injects its styles inline and runs search in a worker made from a blob.
     */
    private static final String PAGE = """
            <!DOCTYPE html>
            <html>
              <head>
                <meta charset="utf-8"/>
                <meta http-equiv="Content-Security-Policy" content="default-src 'self'; \
            style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:">
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
