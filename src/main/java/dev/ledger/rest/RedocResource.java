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
                <!-- ReDoc's side menu shows the Redocly logo from cdn.redoc.ly, with no option to
                     turn it off: only what this service serves may load, so the page makes no
                     request elsewhere (the logo hides itself when blocked). Styles are injected
                     inline; search runs in a worker made from a blob. -->
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
