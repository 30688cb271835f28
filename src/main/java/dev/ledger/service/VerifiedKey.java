package dev.ledger.service;

import dev.ledger.mapping.Scope;
import java.util.UUID;

/** A key known to the database and not revoked when it was looked up. */
public record VerifiedKey(UUID id, String name, Scope scope) {
}
