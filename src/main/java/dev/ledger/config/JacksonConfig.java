package dev.ledger.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.ledger.mapping.AccountKind;
import dev.ledger.mapping.Scope;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Strict JSON: an amount is a JSON integer, never 1.5, "100", 1e3 or true, and a field the API
 * does not know is an error rather than silently ignored. A request means exactly one thing:
 * a key sent twice, a UUID or kind that Jackson would trim, decode from base64 or take by its
 * ordinal ({@code "kind": 1}) is refused, not guessed. Metadata's numbers are kept exactly.
 */
@Singleton
public class JacksonConfig implements ObjectMapperCustomizer {

    /**
     * The most characters a JSON number may have, as Jackson reads it (its default). The jsonb the
     * service reads back is parsed by a copy of this mapper too, so metadata is held to it.
     */
    public static final int MAX_NUMBER_LENGTH = StreamReadConstraints.DEFAULT_MAX_NUM_LEN;

    private static final int UUID_CHARS = 36;

    /** What a value of each type the request bodies hold must be, in JSON's terms rather than Java's. */
    private static final Map<Class<?>, String> EXPECTED = Map.of(
            UUID.class, "a UUID such as 0193a1c2-7b1e-7c4d-9f0a-1b2c3d4e5f60",
            AccountKind.class, "regular or issuer",
            Scope.class, "read, write or admin",
            String.class, "a JSON string",
            Long.class, "a JSON integer",
            ObjectNode.class, "a JSON object");

    private final LedgerConfig config;

    JacksonConfig(LedgerConfig config) {
        this.config = config;
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        mapper.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
        // Records otherwise fail on a repeated key with a definition error (a 500), after the
        // first value was already taken.
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(config.json().maxNestingDepth()).maxNumberLength(MAX_NUMBER_LENGTH).build());
        // A double would store 1e400 as "Infinity", 1.10 as 1.1 and 12345678901234567.5 rounded;
        // PostgreSQL keeps jsonb numbers exactly, and so do these. Written out in full, as
        // PostgreSQL prints numeric, so that 0.0000001 is not answered as 1E-7.
        mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        mapper.setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
        mapper.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        // A string of spaces or control characters would otherwise be read as an absent number:
        // " " as expected_index appended without the check it asked for.
        mapper.coercionConfigDefaults().setAcceptBlankAsEmpty(false);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.registerModule(new SimpleModule("strict-scalars")
                .addDeserializer(UUID.class, new Exact<>(UUID.class, JacksonConfig::uuidOrNull))
                .addDeserializer(AccountKind.class, exactName(AccountKind.class, AccountKind::sqlName))
                // Jackson's own enum reading strips spaces: "admin " would be taken as admin.
                .addDeserializer(Scope.class, exactName(Scope.class, Scope::sqlName)));
    }

    /**
     * What a request body's value of this type must be, as the client wrote it: "a JSON array",
     * never java.util.ArrayList. Records are JSON objects, lists JSON arrays.
     */
    public static String expected(Class<?> type) {
        if (type.isRecord()) {
            return "a JSON object";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        return EXPECTED.getOrDefault(type, "another kind of JSON value");
    }

    /**
     * The one UUID syntax of paths, headers and bodies: 36 characters, hyphens at 8, 13, 18 and
     * 23, ASCII hex digits elsewhere. Anything else is null, including what UUID.fromString
     * would take ("+1-2-3-4-5"). A loop rather than a regular expression: a batch request parses
     * three UUIDs per transfer, and the expression took 8 % of the service's CPU (benchmarks.md,
     * record K).
     */
    public static UUID uuidOrNull(String text) {
        if (text.length() != UUID_CHARS) {
            return null;
        }
        for (int i = 0; i < UUID_CHARS; i++) {
            char c = text.charAt(i);
            boolean valid = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
                    : c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
            if (!valid) {
                return null;
            }
        }
        return UUID.fromString(text);
    }

    private static <E extends Enum<E>> Exact<E> exactName(Class<E> type, Function<E, String> name) {
        return new Exact<>(type, text -> Arrays.stream(type.getEnumConstants())
                .filter(constant -> name.apply(constant).equals(text)).findFirst().orElse(null));
    }

    /** A JSON string taken exactly as written: no trimming, no alternative forms. */
    private static final class Exact<T> extends StdScalarDeserializer<T> {

        private final Class<T> type;
        private final transient Function<String, T> parse;

        Exact(Class<T> type, Function<String, T> parse) {
            super(type);
            this.type = type;
            this.parse = parse;
        }

        @Override
        public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (!parser.hasToken(JsonToken.VALUE_STRING)) {
                return type.cast(context.handleUnexpectedToken(type, parser));
            }
            String text = parser.getText();
            T value = parse.apply(text);
            if (value == null) {
                return type.cast(context.handleWeirdStringValue(type, text, "must be " + expected(type)));
            }
            return value;
        }
    }
}
