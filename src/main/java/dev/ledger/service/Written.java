package dev.ledger.service;

/** The result of an idempotent write: the resource, and whether this request created it or replayed it. */
public record Written<T>(T value, boolean replayed) {
}
