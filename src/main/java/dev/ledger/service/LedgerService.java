package dev.ledger.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import dev.ledger.mapping.Account;
import dev.ledger.mapping.AccountKind;
import dev.ledger.mapping.Balance;
import dev.ledger.mapping.Balances;
import dev.ledger.mapping.Cursor;
import dev.ledger.mapping.Direction;
import dev.ledger.mapping.NewAccount;
import dev.ledger.mapping.NewTransfer;
import dev.ledger.mapping.Transfer;
import dev.ledger.mapping.TransferItem;
import dev.ledger.mapping.TransferPage;
import dev.ledger.problem.LedgerException;
import dev.ledger.problem.ProblemType;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The ledger's operations. Each is one statement, so one round trip and one transaction; the
 * database decides every rule and this class only translates its answers.
 */
@ApplicationScoped
public class LedgerService {

    /** Time-ordered (version 7) ids for requests that bring none. */
    private static final TimeBasedEpochGenerator NEW_IDS = Generators.timeBasedEpochGenerator();

    private static final String CREATED = "created";
    private static final String REPLAYED = "replayed";

    private final Database database;
    private final TransferBatcher batcher;
    private final LedgerMetrics metrics;
    private final ObjectMapper json;

    LedgerService(Database database, TransferBatcher batcher, LedgerMetrics metrics, ObjectMapper json) {
        this.database = database;
        this.batcher = batcher;
        this.metrics = metrics;
        this.json = json;
    }

    public Uni<Written<Account>> openAccount(NewAccount unkeyed) {
        NewAccount request = unkeyed.id() != null ? unkeyed : unkeyed.withId(NEW_IDS.generate());
        Tuple args = Tuple.from(Arrays.asList(request.id(), request.currency(), request.kindOrDefault().sqlName(),
                request.initialBalanceOrZero(), Metadata.encode(request.metadata())));
        return execute(Sql.OPEN_ACCOUNT, args).map(rows -> {
            Row row = single(rows);
            return written(row, toAccount(row), "account " + request.id());
        }).onFailure(LedgerException.class).transform(e -> ((LedgerException) e).withRetryId(request.id()));
    }

    public Uni<Account> account(UUID id) {
        return execute(Sql.ACCOUNT, Tuple.of(id))
                .map(rows -> toAccount(found(rows, "account " + id)));
    }

    /** The balance at an instant; {@code at} null means now. */
    public Uni<Balance> balance(UUID accountId, OffsetDateTime at) {
        return execute(Sql.BALANCE, Tuple.of(accountId, at))
                .map(rows -> toBalance(found(rows, "account " + accountId)));
    }

    /**
     * The balances of {@code accountIds}, in their order, at one instant ({@code at} null means
     * now) and from one snapshot. Not found, naming each position in the list, when any is unknown.
     */
    public Uni<Balances> balances(List<UUID> accountIds, OffsetDateTime at) {
        return execute(Sql.BALANCES, Tuple.of(accountIds.toArray(UUID[]::new), at)).map(rows -> {
            List<Balance> balances = new ArrayList<>(rows.size());
            List<Map<String, String>> unknown = new ArrayList<>();
            for (Row row : rows) {
                if (row.getUUID("account_id") == null) {
                    // ordinal counts from 1, as WITH ORDINALITY does; the client's list from 0.
                    unknown.add(Map.of("field", Balances.item(Math.toIntExact(row.getLong("ordinal") - 1)),
                            "message", "account " + row.getUUID("requested") + " does not exist"));
                } else {
                    balances.add(toBalance(row));
                }
            }
            if (!unknown.isEmpty()) {
                throw new LedgerException(ProblemType.NOT_FOUND, unknown.stream()
                        .map(error -> error.get("field") + ": " + error.get("message"))
                        .collect(Collectors.joining("; ")), Map.of("errors", unknown), null);
            }
            // One row per id asked for, duplicates included: anything else is a defect of account_balances().
            if (balances.size() != accountIds.size()) {
                throw new IllegalStateException(balances.size() + " balances for " + accountIds.size() + " ids");
            }
            return new Balances(balances);
        });
    }

    /** Goes to the database in a batch with concurrent requests (TransferBatcher). */
    public Uni<Written<Transfer>> postTransfer(NewTransfer request) {
        return postTransfers(List.of(request)).onItem().transformToUni(outcomes -> {
            Outcome outcome = outcomes.get(0);
            return outcome.failure() == null
                    ? Uni.createFrom().item(outcome.written())
                    : Uni.createFrom().failure(outcome.failure());
        });
    }

    /**
     * Each transfer answered as {@link #postTransfer} would answer it alone, in the requests'
     * order; one transfer's refusal or failure never fails or undoes another. Submitted together,
     * so that TransferBatcher keeps them in as few statements as it can.
     */
    public Uni<List<Outcome>> postTransfers(List<NewTransfer> unkeyed) {
        List<NewTransfer> requests = unkeyed.stream()
                .map(request -> request.id() != null ? request : request.withId(NEW_IDS.generate()))
                .toList();
        return batcher.submit(requests).map(answers -> {
            List<Outcome> outcomes = new ArrayList<>(answers.size());
            for (int i = 0; i < answers.size(); i++) {
                outcomes.add(outcome(requests.get(i), answers.get(i)));
            }
            return outcomes;
        });
    }

    private Outcome outcome(NewTransfer request, TransferBatcher.Answer answer) {
        Throwable failure = answer.failure();
        if (failure == null) {
            try {
                Written<Transfer> written = written(answer.row(), toTransfer(answer.row()), "transfer " + request.id());
                metrics.transferPosted(written.replayed());
                return new Outcome(written, null);
            } catch (RuntimeException conflictOrUnreadable) {
                // An idempotency conflict, or a row the service cannot map: this item's answer only.
                failure = conflictOrUnreadable;
            }
        }
        if (failure instanceof LedgerException refusal) {
            metrics.transferRejected(refusal.type());
            failure = refusal.withRetryId(request.id());
        }
        return new Outcome(null, failure);
    }

    /** A batch item's answer: the written transfer, or the failure POST /transfers would have answered. */
    public record Outcome(Written<Transfer> written, Throwable failure) {
    }

    public Uni<Transfer> transfer(UUID id) {
        return execute(Sql.TRANSFER_BY_ID, Tuple.of(id))
                .map(rows -> toTransfer(found(rows, "transfer " + id)));
    }

    public Uni<Transfer> transfer(UUID source, long index) {
        return execute(Sql.TRANSFER_BY_INDEX, Tuple.of(source, index))
                .map(rows -> toTransfer(found(rows, "transfer " + index + " of account " + source)));
    }

    /** A page of an account's transfers, newest first; {@code after} null for the first page. */
    public Uni<TransferPage> transfers(UUID accountId, Direction direction, Cursor after, int limit) {
        // One row more than the page tells whether an older page exists.
        Tuple args = Tuple.from(Arrays.asList(accountId, direction.sqlName(),
                after == null ? null : after.createdAt(), after == null ? null : after.source(),
                after == null ? null : after.index(), limit + 1));
        return execute(Sql.ACCOUNT_TRANSFERS, args).map(rows -> {
            List<TransferItem> items = new ArrayList<>(rows.size());
            for (Row row : rows) {
                items.add(new TransferItem(toTransfer(row), row.getLong("balance_after")));
            }
            String next = null;
            if (items.size() > limit) {
                items.remove(limit);
                next = Cursor.after(items.get(limit - 1).transfer(), accountId, direction).encode();
            }
            return new TransferPage(items, next);
        });
    }

    private Uni<RowSet<Row>> execute(String sql, Tuple args) {
        return database.execute(sql, args);
    }

    private static <T> Written<T> written(Row row, T value, String what) {
        String outcome = row.getString("outcome");
        if (CREATED.equals(outcome) || REPLAYED.equals(outcome)) {
            return new Written<>(value, REPLAYED.equals(outcome));
        }
        throw new LedgerException(ProblemType.IDEMPOTENCY_CONFLICT,
                "The id of " + what + " was already used for a request with different content");
    }

    private static Row single(RowSet<Row> rows) {
        if (rows.size() != 1) {
            throw new IllegalStateException("expected one row, got " + rows.size());
        }
        return rows.iterator().next();
    }

    private static Row found(RowSet<Row> rows, String what) {
        if (rows.size() == 0) {
            throw new LedgerException(ProblemType.NOT_FOUND, what + " does not exist");
        }
        return single(rows);
    }

    private static Balance toBalance(Row row) {
        return new Balance(row.getUUID("account_id"), row.getString("currency"), row.getLong("balance"),
                row.getOffsetDateTime("at"));
    }

    private Account toAccount(Row row) {
        return new Account(row.getUUID("id"), row.getString("currency"), AccountKind.ofSqlName(row.getString("kind")),
                row.getLong("balance"), row.getLong("transfer_count"), row.getOffsetDateTime("created_at"),
                decode(row.getJsonObject("metadata")));
    }

    private Transfer toTransfer(Row row) {
        return new Transfer(row.getUUID("id"), row.getUUID("source"), row.getLong("index"), row.getUUID("destination"),
                row.getLong("amount"), row.getString("currency"), row.getString("description"),
                decode(row.getJsonObject("metadata")), row.getOffsetDateTime("created_at"),
                row.getLong("source_balance_after"));
    }

    /**
     * The client parsed the jsonb with Vert.x' JSON codec, which Quarkus backs with a copy of this
     * same mapper: its numbers are BigDecimal and BigInteger as PostgreSQL printed them, never doubles.
     */
    private ObjectNode decode(JsonObject metadata) {
        if (metadata == null) {
            return null;
        }
        try {
            return (ObjectNode) json.readTree(metadata.encode());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
