package dev.ledger.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ledger.mapping.Scope;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The cache's part of revocation, with lookups the test completes by hand: no database can be
 * made to answer a lookup after a revocation that committed later, on cue.
 */
class VerifiedKeyCacheTest {

    private static final Duration TTL = Duration.ofHours(1);
    private static final long WAIT_SECONDS = 5;

    private final VerifiedKeyCache cache = new VerifiedKeyCache(100, TTL);

    @Test
    void aLookupInFlightWhenItsKeyIsRevokedIsNotCached() throws Exception {
        VerifiedKey key = new VerifiedKey(UUID.randomUUID(), "racer", Scope.WRITE);
        CompletableFuture<VerifiedKey> readBeforeTheRevocation = new CompletableFuture<>();
        CompletableFuture<VerifiedKey> racingRequest = cache.get("h1",
                () -> Uni.createFrom().completionStage(readBeforeTheRevocation)).subscribeAsCompletionStage();

        cache.dropRevoked(key.id());
        readBeforeTheRevocation.complete(key);

        assertEquals(key, racingRequest.get(WAIT_SECONDS, TimeUnit.SECONDS), "the racing request keeps its answer");
        AtomicInteger lookups = new AtomicInteger();
        VerifiedKey next = cache.get("h1", () -> {
            lookups.incrementAndGet();
            return Uni.createFrom().nullItem(); // the database now finds the key revoked
        }).await().atMost(Duration.ofSeconds(WAIT_SECONDS));
        assertNull(next, "the next use must not get the copy read before the revocation");
        assertEquals(1, lookups.get());
    }

    @Test
    void aRevokedKeyIsDroppedAndOtherKeysStay() {
        VerifiedKey revoked = new VerifiedKey(UUID.randomUUID(), "revoked", Scope.READ);
        VerifiedKey kept = new VerifiedKey(UUID.randomUUID(), "kept", Scope.ADMIN);
        AtomicInteger lookups = new AtomicInteger();
        assertEquals(revoked, lookup(cache, "h1", revoked, lookups));
        assertEquals(kept, lookup(cache, "h2", kept, lookups));
        assertEquals(2, lookups.get());

        cache.dropRevoked(revoked.id());

        assertEquals(kept, lookup(cache, "h2", kept, lookups));
        assertEquals(2, lookups.get(), "the other key is still cached");
        assertEquals(revoked, lookup(cache, "h1", revoked, lookups));
        assertEquals(3, lookups.get(), "the revoked key is looked up again");
    }

    private static VerifiedKey lookup(VerifiedKeyCache cache, String hashHex, VerifiedKey found, AtomicInteger lookups) {
        return cache.get(hashHex, () -> {
            lookups.incrementAndGet();
            return Uni.createFrom().item(found);
        }).await().atMost(Duration.ofSeconds(WAIT_SECONDS));
    }
}
