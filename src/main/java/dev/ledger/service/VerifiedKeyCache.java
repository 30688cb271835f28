package dev.ledger.service;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Verified keys by the hex of their SHA-256: bounded, expiring, and with concurrent first uses of
 * one key sharing one lookup. Only valid keys are kept: a lookup that finds none caches nothing.
 */
final class VerifiedKeyCache {

    private final AsyncCache<String, VerifiedKey> keys;

    VerifiedKeyCache(int maxEntries, Duration ttl) {
        this.keys = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).buildAsync();
    }

    Uni<VerifiedKey> get(String hashHex, Supplier<Uni<VerifiedKey>> lookup) {
        return Uni.createFrom().completionStage(() -> keys.get(hashHex,
                (hex, executor) -> lookup.get().subscribeAsCompletionStage()));
    }

    /**
     * Called once the revocation has committed. Drops the key's cached copy and every lookup still
     * in flight: one of those may have read the key before the revocation and would otherwise be
     * cached, valid, for a whole TTL. Its own caller still gets its answer, as a request that
     * raced the revocation; the next use looks again. Iterating the synchronous view would miss
     * them: it shows completed lookups only.
     */
    void dropRevoked(UUID id) {
        keys.asMap().entrySet().removeIf(entry -> !entry.getValue().isDone() || isKey(entry.getValue(), id));
    }

    private static boolean isKey(CompletableFuture<VerifiedKey> done, UUID id) {
        VerifiedKey key = done.getNow(null);
        return key != null && key.id().equals(id);
    }
}
