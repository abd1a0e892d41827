package io.mergelab.search;

import ai.djl.ndarray.NDManager;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.Example;
import io.mergelab.eval.BatchedClassifier;
import io.mergelab.eval.ClassificationMetrics;
import io.mergelab.eval.TokenizedExamples;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Checkpoints.LoadedClassifier;
import io.mergelab.model.gpt2.Gpt2Tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores merged models held in memory on one split of the objective's datasets. One classifier is built
 * for the first candidate and its weights are overwritten for every later one; examples are tokenised once.
 */
final class CandidateScorer implements AutoCloseable {

    /** The objective (weighted mean of the metric) and the metric per dataset. */
    record Score(double value, Map<String, Double> perDataset) {
    }

    /** A dataset of the objective with its weight. */
    record Data(DatasetSplits splits, double weight) {
    }

    private final List<Data> data;
    private final String metric;
    private final String split;
    private final int maxExamples;
    private final SearchConfig.EvalSettings eval;
    private final NDManager manager;
    private LoadedClassifier classifier;
    private List<TokenizedExamples> tokenized;

    CandidateScorer(List<Data> data, String metric, String split, int maxExamples, SearchConfig.EvalSettings eval,
            ai.djl.Device device) {
        this.manager = NDManager.newBaseManager(device);
        this.data = List.copyOf(data);
        this.metric = metric;
        this.split = split;
        this.maxExamples = maxExamples;
        this.eval = eval;
    }

    Score score(InMemoryMerger.Merged m) {
        if (classifier == null) {
            classifier = Gpt2Checkpoints.classifierFromTensors(m.config(), m.tensors(), manager);
        } else {
            Gpt2Checkpoints.replaceWeights(classifier, m.tensors(), manager);
        }
        int pad = classifier.config().padTokenId();
        if (tokenized == null) {
            tokenized = new ArrayList<>();
            try (Gpt2Tokenizer tok = Gpt2Tokenizer.open(m.tokenizerDir(), pad)) {
                for (Data d : data) {
                    List<Example> ex = d.splits().split(split);
                    if (maxExamples > 0 && ex.size() > maxExamples) {
                        ex = ex.subList(0, maxExamples);
                    }
                    if (ex.isEmpty()) {
                        throw new IllegalArgumentException("dataset '" + d.splits().name() + "' has no " + split
                                + " examples to score candidates on");
                    }
                    int labels = classifier.config().labelList().size();
                    if (d.splits().numLabels() != labels) {
                        throw new IllegalArgumentException("dataset '" + d.splits().name() + "' has "
                                + d.splits().numLabels() + " labels but the merged classifier has " + labels);
                    }
                    tokenized.add(TokenizedExamples.of(ex, tok, eval.maxLength(), labels));
                }
            }
        }
        BatchedClassifier bc = new BatchedClassifier(classifier.model(), pad, eval.batchSize());
        Map<String, Double> per = new LinkedHashMap<>();
        double sum = 0;
        double weights = 0;
        for (int i = 0; i < data.size(); i++) {
            Data d = data.get(i);
            TokenizedExamples te = tokenized.get(i);
            float[][] logits = bc.logits(te.rows(), manager);
            double v = ClassificationMetrics.compute(d.splits().labels(), te.labels(), logits).metric(metric);
            per.put(d.splits().name(), v);
            sum += d.weight() * v;
            weights += d.weight();
        }
        return new Score(sum / weights, per);
    }

    @Override
    public void close() {
        manager.close();
    }
}
