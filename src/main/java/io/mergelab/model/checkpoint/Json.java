package io.mergelab.model.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Shared Jackson setup. Mappers are immutable once built, so sharing them is thread-safe. */
final class Json {
    private Json() {
    }

    /** Duplicate keys in a header would make tensor lookup ambiguous, so they are rejected. */
    static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Python json.dumps(indent=2) look-alike, as transformers writes config.json. */
    static final ObjectWriter PRETTY = MAPPER.writer(pythonStylePrinter());

    static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise JSON tree", e); // trees always serialise
        }
    }

    private static DefaultPrettyPrinter pythonStylePrinter() {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        Separators seps = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        DefaultPrettyPrinter p = new DefaultPrettyPrinter().withSeparators(seps);
        p.indentObjectsWith(indenter);
        p.indentArraysWith(indenter);
        return p;
    }
}
