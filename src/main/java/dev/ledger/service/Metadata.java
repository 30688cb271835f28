package dev.ledger.service;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Metadata goes to PostgreSQL as JSON text, cast to jsonb there (a Vert.x String bound to jsonb would be a JSON string). */
final class Metadata {

    private Metadata() {
    }

    static String encode(ObjectNode metadata) {
        return metadata == null ? null : metadata.toString();
    }
}
