package dev.ledger.rest;

/** Request and response examples shown in the OpenAPI document, in one place. */
final class Examples {

    static final String NEW_ACCOUNT = """
            {"id": "0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60", "currency": "EUR", "initial_balance": 10000,
             "metadata": {"owner": "alice"}}""";

    static final String ACCOUNT = """
            {"id": "0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60", "currency": "EUR", "kind": "regular",
             "balance": 10000, "transfer_count": 0, "created_at": "2026-11-23T10:15:30.123456Z",
             "metadata": {"owner": "alice"}}""";

    static final String BALANCE = """
            {"account_id": "0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60", "currency": "EUR", "balance": 9200,
             "at": "2026-11-23T10:20:00Z"}""";

    static final String BALANCES = """
            {"balances": [
              {"account_id": "0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60", "currency": "EUR", "balance": 9200,
               "at": "2026-11-23T10:20:00Z"},
              {"account_id": "0193a1c2-8c2f-7d5e-8a1b-2c3d4e5f6071", "currency": "EUR", "balance": 800,
               "at": "2026-11-23T10:20:00Z"}]}""";

    static final String NEW_TRANSFER = """
            {"id": "0193a1c3-0000-7000-8000-000000000001", "source": "0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60",
             "destination": "0193a1c2-8c2f-7d5e-8a1b-2c3d4e5f6071", "amount": 800, "description": "order 1234"}""";

    static final String TRANSFER = """
            {"id": "0193a1c3-0000-7000-8000-000000000001", "source": "0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60",
             "index": 1, "destination": "0193a1c2-8c2f-7d5e-8a1b-2c3d4e5f6071", "amount": 800, "currency": "EUR",
             "description": "order 1234", "metadata": null, "created_at": "2026-11-23T10:16:00.000001Z",
             "source_balance_after": 9200}""";

    static final String NEW_TRANSFER_BATCH = """
            {"transfers": [
              {"id": "0193a1c3-0000-7000-8000-000000000001", "source": "0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60",
               "destination": "0193a1c2-8c2f-7d5e-8a1b-2c3d4e5f6071", "amount": 800, "description": "order 1234"},
              {"id": "0193a1c3-0000-7000-8000-000000000002", "source": "0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60",
               "destination": "0193a1c2-8c2f-7d5e-8a1b-2c3d4e5f6071", "amount": 50000}]}""";

    static final String TRANSFER_BATCH_RESULT = """
            {"results": [
              {"status": 201,
               "transfer": {"id": "0193a1c3-0000-7000-8000-000000000001",
                            "source": "0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60", "index": 1,
                            "destination": "0193a1c2-8c2f-7d5e-8a1b-2c3d4e5f6071", "amount": 800,
                            "currency": "EUR", "description": "order 1234", "metadata": null,
                            "created_at": "2026-11-23T10:16:00.000001Z", "source_balance_after": 9200}},
              {"status": 422,
               "problem": {"type": "urn:ledger:problem:insufficient-funds",
                           "title": "The source's balance is below the amount", "status": 422,
                           "detail": "balance 9200 of account 0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60 is below the amount 50000",
                           "instance": "/transfers/batch",
                           "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44", "balance": 9200}}]}""";

    static final String TRANSFER_PAGE = """
            {"items": [{"id": "0193a1c3-0000-7000-8000-000000000001",
                        "source": "0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60", "index": 1,
                        "destination": "0193a1c2-8c2f-7d5e-8a1b-2c3d4e5f6071", "amount": 800, "currency": "EUR",
                        "description": "order 1234", "metadata": null,
                        "created_at": "2026-11-23T10:16:00.000001Z", "source_balance_after": 9200,
                        "balance_after": 9200}],
             "next_cursor": null}""";

    static final String VALIDATION = """
            {"type": "urn:ledger:problem:validation", "title": "The request is not valid", "status": 400,
             "detail": "amount must be greater than 0", "instance": "/transfers",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44",
             "errors": [{"field": "amount", "message": "must be greater than 0"}]}""";

    static final String VALIDATION_BATCH = """
            {"type": "urn:ledger:problem:validation", "title": "The request is not valid", "status": 400,
             "detail": "transfers[3].amount must be greater than 0", "instance": "/transfers/batch",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44",
             "errors": [{"field": "transfers[3].amount", "message": "must be greater than 0"}]}""";

    static final String VALIDATION_BALANCES = """
            {"type": "urn:ledger:problem:validation", "title": "The request is not valid", "status": 400,
             "detail": "account_ids[1] must be a UUID such as 0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60",
             "instance": "/balances", "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44",
             "errors": [{"field": "account_ids[1]",
                         "message": "must be a UUID such as 0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60"}]}""";

    static final String NOT_FOUND_BALANCES = """
            {"type": "urn:ledger:problem:not-found", "title": "No such resource", "status": 404,
             "detail": "account_ids[1]: account 0193a1c2-8c2f-7d5e-8a1b-2c3d4e5f6071 does not exist",
             "instance": "/balances", "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44",
             "errors": [{"field": "account_ids[1]",
                         "message": "account 0193a1c2-8c2f-7d5e-8a1b-2c3d4e5f6071 does not exist"}]}""";

    static final String NOT_FOUND = """
            {"type": "urn:ledger:problem:not-found", "title": "No such resource", "status": 404,
             "detail": "account 0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60 does not exist",
             "instance": "/accounts/0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44"}""";

    static final String ACCOUNT_NOT_FOUND = """
            {"type": "urn:ledger:problem:account-not-found", "title": "An account of the transfer does not exist",
             "status": 404, "detail": "destination account 0193a1c2-8c2f-7d5e-8a1b-2c3d4e5f6071 does not exist",
             "instance": "/transfers",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44"}""";

    static final String IDEMPOTENCY_CONFLICT = """
            {"type": "urn:ledger:problem:idempotency-conflict",
             "title": "The id was already used for a different request", "status": 409,
             "detail": "The id of transfer 0193a1c3-0000-7000-8000-000000000001 was already used for a request with different content",
             "instance": "/transfers",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44"}""";

    static final String INDEX_CONFLICT = """
            {"type": "urn:ledger:problem:index-conflict", "title": "The source's next index is not the expected one",
             "status": 409, "detail": "index 5 of source 0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60 is not the next one (2)",
             "instance": "/transfers",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44", "next_index": 2}""";

    static final String INSUFFICIENT_FUNDS = """
            {"type": "urn:ledger:problem:insufficient-funds", "title": "The source's balance is below the amount",
             "status": 422, "detail": "balance 9200 of account 0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60 is below the amount 50000",
             "instance": "/transfers",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44", "balance": 9200}""";

    static final String CURRENCY_MISMATCH = """
            {"type": "urn:ledger:problem:currency-mismatch",
             "title": "Source and destination hold different currencies", "status": 422,
             "detail": "source currency EUR differs from destination currency USD", "instance": "/transfers",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44"}""";

    static final String UNSUPPORTED_MEDIA_TYPE = """
            {"type": "urn:ledger:problem:unsupported-media-type",
             "title": "The request body must be application/json", "status": 415,
             "detail": "The body must be application/json (UTF-8), not text/plain", "instance": "/transfers",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44"}""";

    static final String DATABASE_UNAVAILABLE = """
            {"type": "urn:ledger:problem:database-unavailable", "title": "The database is unavailable; retry",
             "status": 503, "detail": "The database could not be reached",
             "instance": "/transfers",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44"}""";

    static final String PAYLOAD_TOO_LARGE = """
            {"type": "urn:ledger:problem:payload-too-large", "title": "The request body is too large", "status": 413,
             "detail": "The request body exceeds 65536 bytes", "instance": "/transfers/batch",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44"}""";

    static final String OVERLOADED = """
            {"type": "urn:ledger:problem:overloaded", "title": "The service is at its concurrency limit; retry",
             "status": 503, "detail": "More than 128 requests are in progress", "instance": "/transfers/batch",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44"}""";

    static final String NEW_API_KEY = """
            {"name": "payments-service", "scope": "write"}""";

    static final String CREATED_API_KEY = """
            {"id": "0193a1c4-0000-7000-8000-00000000c0de", "name": "payments-service", "scope": "write",
             "created_at": "2026-11-23T10:10:00.000001Z", "revoked_at": null,
             "key": "ldg_0bW5f3kq9cV2xYj8nR4tLp1sQe7uZa6mHd3gKo5iBvE"}""";

    static final String API_KEYS = """
            [{"id": "0193a1c4-0000-7000-8000-00000000000a", "name": "bootstrap-3f9a2c1e", "scope": "admin",
              "created_at": "2026-11-23T10:00:00.000001Z", "revoked_at": null},
             {"id": "0193a1c4-0000-7000-8000-00000000c0de", "name": "payments-service", "scope": "write",
              "created_at": "2026-11-23T10:10:00.000001Z", "revoked_at": "2026-11-24T09:00:00.000001Z"}]""";

    static final String NAME_TAKEN = """
            {"type": "urn:ledger:problem:name-taken", "title": "The name is already taken", "status": 409,
             "detail": "An API key with this name already exists", "instance": "/api-keys",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44"}""";

    static final String UNAUTHORIZED = """
            {"type": "urn:ledger:problem:unauthorized", "title": "A valid API key is required", "status": 401,
             "detail": "Send an API key as 'Authorization: Bearer <key>'", "instance": "/transfers",
             "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44"}""";

    static final String FORBIDDEN = """
            {"type": "urn:ledger:problem:forbidden", "title": "The API key's scope does not allow this request",
             "status": 403, "detail": "API key 'reporting' has scope read; this request needs write",
             "instance": "/transfers", "request_id": "5f0c6f1e-2b7a-4c1e-9a53-0d2f7e1c9b44"}""";

    private Examples() {
    }
}
