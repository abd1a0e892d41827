package io.mergelab.cli;

import io.mergelab.merge.MergedHead;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which of a merged checkpoint's per-task heads ({@code heads/<name>/}) {@code eval} scores a dataset with.
 * In order: {@code --head}; the dataset a study recorded for the head's source model; the head's name (the
 * source model's folder name: {@code yelp}, {@code yelp_0}, {@code yelp-2}); the one head whose labels are the
 * dataset's. Several heads of one dataset (slices): the first in merge order, as a study evaluates. Anything
 * else is an error naming the heads, never a silent pick.
 *
 * @param datasetNames    the spec's name and, if different, its file name without {@code .yaml}
 * @param recordedDataset a head's dataset as recorded where its source model was made, if known
 */
record HeadChoice(Path model, List<String> datasetNames, List<String> datasetLabels,
                  Function<MergedHead, Optional<String>> recordedDataset) {

    /** The head and why it was chosen. */
    record Chosen(MergedHead head, String reason) {
        String line() {
            return "head: " + MergedHead.DIR + "/" + head.name() + " (" + reason + ")";
        }
    }

    HeadChoice {
        datasetNames = List.copyOf(datasetNames);
        datasetLabels = List.copyOf(datasetLabels);
    }

    Chosen choose(List<MergedHead> heads, String explicit) {
        Chosen c = explicit != null ? byName(heads, explicit) : byDataset(heads);
        if (c.head().labels().size() != datasetLabels.size()) {
            throw new IllegalArgumentException(model + ": " + MergedHead.DIR + "/" + c.head().name() + " has "
                    + c.head().labels().size() + " labels " + c.head().labels() + " but dataset " + datasetNames.get(0)
                    + " has " + datasetLabels.size() + " " + datasetLabels + "; choose another with --head");
        }
        if (!c.head().labels().equals(datasetLabels)) { // scored as the study would, by position: say so
            return new Chosen(c.head(), c.reason() + "; its labels " + c.head().labels() + " are not the dataset's "
                    + datasetLabels + ", matched by position");
        }
        return c;
    }

    private Chosen byName(List<MergedHead> heads, String name) {
        return heads.stream().filter(h -> h.name().equals(name)).findFirst()
                .map(h -> new Chosen(h, "chosen with --head"))
                .orElseThrow(() -> new IllegalArgumentException("--head " + name + ": " + model + " has no "
                        + MergedHead.DIR + "/" + name + "; available: " + available(heads)));
    }

    private Chosen byDataset(List<MergedHead> heads) {
        for (String ds : datasetNames) {
            List<MergedHead> m = heads.stream().filter(h -> recordedDataset.apply(h).filter(ds::equals).isPresent())
                    .toList();
            if (!m.isEmpty()) {
                return first(m, "its source model was fine-tuned on dataset " + ds);
            }
        }
        for (String ds : datasetNames) {
            Pattern p = Pattern.compile(Pattern.quote(ds) + "([-_.][0-9]+)?", Pattern.CASE_INSENSITIVE);
            List<MergedHead> m = heads.stream().filter(h -> p.matcher(h.name()).matches()).toList();
            if (!m.isEmpty()) {
                return first(m, "matches dataset " + ds);
            }
        }
        List<MergedHead> m = heads.stream().filter(h -> h.labels().equals(datasetLabels)).toList();
        if (m.size() == 1) {
            return new Chosen(m.get(0), "the only head with dataset " + datasetNames.get(0) + "'s labels "
                    + datasetLabels);
        }
        String why = m.isEmpty() ? "no head matches dataset " + datasetNames.get(0) + " by name, recorded dataset or "
                + "labels " + datasetLabels
                : m.size() + " heads have dataset " + datasetNames.get(0) + "'s labels and none its name";
        throw new IllegalArgumentException(model + ": " + why + "; available heads: " + available(heads)
                + "; pass --head NAME");
    }

    private static Chosen first(List<MergedHead> m, String reason) {
        if (m.size() == 1) {
            return new Chosen(m.get(0), reason);
        }
        return new Chosen(m.get(0), reason + "; first of " + m.size() + " in merge order, as a study evaluates: "
                + m.stream().map(MergedHead::name).collect(Collectors.joining(", ")));
    }

    private String available(List<MergedHead> heads) {
        return heads.stream().map(h -> h.name() + " " + h.labels()
                        + recordedDataset.apply(h).map(d -> " (dataset " + d + ")").orElse(""))
                .collect(Collectors.joining(", "));
    }
}
