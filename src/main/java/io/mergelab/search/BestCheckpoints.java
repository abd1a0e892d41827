package io.mergelab.search;

import io.mergelab.eval.Evaluator;
import io.mergelab.model.checkpoint.CheckpointWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * The best k candidates as checkpoints under {@code dir/candidate-NNNNN}; a candidate that drops out of
 * the top k is deleted at once (LUNK's "delete the worse one"), so disk use is k models at most.
 */
final class BestCheckpoints {
    private final Path dir;
    private final int k;
    private final Comparator<SearchJournal.Entry> better;
    private final List<SearchJournal.Entry> top = new ArrayList<>();

    /** @param better orders better candidates first (ties: earlier first) */
    BestCheckpoints(Path dir, int k, Comparator<SearchJournal.Entry> better, List<SearchJournal.Entry> done) {
        this.dir = dir;
        this.k = k;
        this.better = better;
        done.stream().filter(SearchJournal.Entry::ok).forEach(this::rank);
    }

    static Path name(Path dir, int index) {
        return dir.resolve(String.format("candidate-%05d", index));
    }

    /** Records a new candidate; writes it when it enters the top k and deletes the one it pushes out. */
    void offer(SearchJournal.Entry e, InMemoryMerger.Merged merged, String recipe) throws IOException {
        if (k == 0 || !e.ok()) {
            return;
        }
        List<SearchJournal.Entry> before = List.copyOf(top);
        rank(e);
        if (top.contains(e)) {
            write(e.index(), merged, recipe);
        }
        for (SearchJournal.Entry old : before) {
            if (!top.contains(old)) {
                delete(name(dir, old.index()));
            }
        }
    }

    /** After a resume: writes top-k members missing on disk (re-merged, not re-evaluated), removes strays. */
    void reconcile(IntFunction<InMemoryMerger.Merged> remerge, IntFunction<String> recipe) throws IOException {
        List<Path> keep = new ArrayList<>();
        for (SearchJournal.Entry e : top) {
            Path p = name(dir, e.index());
            keep.add(p);
            if (!Files.isDirectory(p)) {
                write(e.index(), remerge.apply(e.index()), recipe.apply(e.index()));
            }
        }
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    if (!keep.contains(p)) {
                        delete(p);
                    }
                }
            }
        }
    }

    List<SearchJournal.Entry> top() {
        return List.copyOf(top);
    }

    private void rank(SearchJournal.Entry e) {
        top.add(e);
        top.sort(better);
        while (top.size() > k) {
            top.remove(top.size() - 1);
        }
    }

    private void write(int index, InMemoryMerger.Merged m, String recipe) throws IOException {
        Path out = name(dir, index);
        CheckpointWriter.write(out, m.config(), m.list(), m.tokenizerDir(), true);
        Evaluator.writeAtomically(out.resolve("mergekit_config.yml"), recipe);
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
