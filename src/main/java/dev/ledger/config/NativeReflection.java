package dev.ledger.config;

import dev.ledger.mapping.Account;
import dev.ledger.mapping.AccountKind;
import dev.ledger.mapping.ApiKey;
import dev.ledger.mapping.Balance;
import dev.ledger.mapping.Balances;
import dev.ledger.mapping.NewAccount;
import dev.ledger.mapping.NewApiKey;
import dev.ledger.mapping.NewTransfer;
import dev.ledger.mapping.NewTransferBatch;
import dev.ledger.mapping.Scope;
import dev.ledger.mapping.Transfer;
import dev.ledger.mapping.TransferBatchResult;
import dev.ledger.mapping.TransferItem;
import dev.ledger.mapping.TransferPage;
import dev.ledger.mapping.TransferResult;
import dev.ledger.problem.Problem;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Every type Jackson reads or writes, kept for reflection in a native executable, where only
 * registered classes keep their constructors, accessors and annotations. Quarkus registers the
 * types resource methods take and return, but not a record's nested types (TransferItem inside
 * TransferPage, AccountKind's @JsonProperty names) nor Problem, which only exception mappers
 * produce. A JSON type added to the API belongs here; PackagedAppIT, run on a native build,
 * would catch one that is missing.
 */
@RegisterForReflection(targets = {Account.class, AccountKind.class, ApiKey.class, Balance.class, Balances.class,
        NewAccount.class, NewApiKey.class, NewTransfer.class, NewTransferBatch.class, Scope.class, Transfer.class,
        TransferBatchResult.class, TransferItem.class, TransferPage.class, TransferResult.class, Problem.class})
final class NativeReflection {

    private NativeReflection() {
    }
}
