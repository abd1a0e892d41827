package io.mergelab.cli;

import io.mergelab.merge.MergedHead;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The order of the rules that pick a per-task head (the end-to-end cases are in EvalMergedHeadsTest). */
class HeadChoiceTest {
    private static final List<String> BINARY = List.of("negative", "positive");
    private static final Path MODEL = Path.of("merged");

    private static MergedHead head(String name, List<String> labels) {
        return new MergedHead(name, MODEL.resolve("heads").resolve(name), name, null, labels);
    }

    private static HeadChoice choice(String dataset, Map<String, String> recorded) {
        return new HeadChoice(MODEL, List.of(dataset), BINARY, h -> Optional.ofNullable(recorded.get(h.name())));
    }

    @Test
    void slicesOfOneDatasetTakeTheFirstInMergeOrderAndSaySo() {
        List<MergedHead> heads = List.of(head("model", BINARY), head("model-2", BINARY),
                head("model-3", List.of("a", "b", "c")));
        HeadChoice.Chosen c = choice("yelp", Map.of("model", "yelp", "model-2", "yelp", "model-3", "drugs"))
                .choose(heads, null);
        assertEquals("head: heads/model (its source model was fine-tuned on dataset yelp; first of 2 in merge order, "
                + "as a study evaluates: model, model-2)", c.line());
    }

    @Test
    void aRecordedDatasetOutranksANameAndANameOutranksLabels() {
        List<MergedHead> heads = List.of(head("yelp", BINARY), head("model-2", BINARY));
        assertEquals("model-2", choice("yelp", Map.of("model-2", "yelp")).choose(heads, null).head().name());
        assertEquals("head: heads/yelp (matches dataset yelp)", choice("yelp", Map.of()).choose(heads, null).line());
        assertEquals("yelp-2", choice("yelp", Map.of()).choose(List.of(head("yelp_polarity", BINARY),
                head("yelp-2", BINARY)), null).head().name(), "a numbered suffix matches, another word does not");
    }

    @Test
    void labelsSharedBySeveralHeadsAreAnErrorNotAGuess() {
        List<MergedHead> heads = List.of(head("a", BINARY), head("b", BINARY));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> choice("imdb", Map.of()).choose(heads, null));
        assertEquals("merged: 2 heads have dataset imdb's labels and none its name; available heads: "
                + "a [negative, positive], b [negative, positive]; pass --head NAME", e.getMessage());
        assertTrue(choice("imdb", Map.of()).choose(heads, "b").line().endsWith("(chosen with --head)"));
        assertEquals("head: heads/c (chosen with --head; its labels [bad, good] are not the dataset's "
                + "[negative, positive], matched by position)",
                choice("imdb", Map.of()).choose(List.of(head("c", List.of("bad", "good"))), "c").line());
    }
}
