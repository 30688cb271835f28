package dev.ledger.it;

import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.specification.RequestSpecification;

/** How the IT suite talks to the packaged application: every request carries the admin key. */
final class PackagedApp {

    /** The launched app's bootstrap admin key, set in pom.xml (failsafe). */
    private static final String ADMIN_KEY = System.getProperty("quarkus.test.env.LEDGER_AUTH_BOOTSTRAP_ADMIN_KEY");

    private static final RequestSpecification AUTHORIZED = new RequestSpecBuilder()
            .addHeader("Authorization", "Bearer " + ADMIN_KEY)
            .build();

    static {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    private PackagedApp() {
    }

    static RequestSpecification given() {
        return RestAssured.given().spec(AUTHORIZED);
    }
}
