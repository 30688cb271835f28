package dev.ledger.service;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Results that one request's I/O produces for others (a batch of transfers, a shared key lookup)
 * complete on that request's Vert.x context. Each waiting request resumes on its own context
 * instead, so that its log lines carry its own request id and its later statements run there.
 */
final class CallerContext {

    private CallerContext() {
    }

    static <T> Uni<T> resumeOn(Uni<T> shared) {
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            if (caller == null) {
                return shared;
            }
            return shared.emitOn(task -> {
                if (Vertx.currentContext() == caller) {
                    task.run();
                } else {
                    caller.runOnContext(ignored -> task.run());
                }
            });
        });
    }
}
