package io.mergelab.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/** The behaviours fine-tuning and pre-training share, one {@link TrainingListener} each. */
final class TrainingListeners {
    private TrainingListeners() {
    }

    /** Every {@code logging_steps} (and at the last step): mean loss since the last entry, lr, grad norm, RSS. */
    static final class History implements TrainingListener {
        @Override
        public void onStep(TrainingLoop loop, TrainingLoop.StepResult s) {
            TrainingState state = loop.state();
            if (state.step % loop.args().loggingSteps() == 0 || state.step == loop.totalSteps()) {
                ObjectNode e = state.history.addObject();
                e.put("step", state.step);
                e.put("epoch", loop.epoch());
                e.put("loss", state.windowLossSum / state.windowSteps);
                e.put("learning_rate", s.learningRate());
                e.put("grad_norm", s.gradNorm());
                ProcessMemory.now().logTo(e);
                state.windowLossSum = 0;
                state.windowSteps = 0;
            }
        }
    }

    /** At each epoch's end: its training time and tokens/s (this attempt's share of the epoch after a resume). */
    static final class EpochThroughput implements TrainingListener {
        private long tokens;
        private double seconds;

        @Override
        public void onStep(TrainingLoop loop, TrainingLoop.StepResult s) {
            tokens += s.tokens();
            seconds += s.seconds();
            if (loop.epochEnd()) {
                ObjectNode e = loop.state().history.addObject();
                e.put("step", loop.state().step);
                e.put("epoch", loop.epoch());
                e.put("epoch_train_seconds", seconds);
                e.put("epoch_tokens_per_second", tokens / seconds);
                tokens = 0;
                seconds = 0;
            }
        }
    }

    /**
     * Evaluation when {@code due} says so: its scalars go into the history as {@code eval_*}; with a metric to
     * watch, the best value and step are kept, {@code onBest} runs on improvement, and {@code patience}
     * evaluations without one stop the run early (transformers' EarlyStoppingCallback).
     *
     * @param <M> what an evaluation returns
     */
    static final class Evaluation<M> implements TrainingListener {
        interface Due {
            boolean test(TrainingLoop loop);
        }

        interface IoAction {
            void run() throws IOException;
        }

        /** The metric that decides the best step; {@code patience} 0 never stops early. */
        record Watch<M>(String name, ToDoubleFunction<M> value, boolean greaterIsBetter, int patience,
                IoAction onBest) {}

        private final Due due;
        private final Supplier<M> evaluate;
        private final Function<M, Map<String, Double>> scalars;
        private final Watch<M> watch;
        private final BiConsumer<TrainingLoop, M> report;

        /**
         * @param scalars the evaluation's numbers by name (without the eval_ prefix)
         * @param watch   null: nothing decides a best step
         * @param report  prints a line for the user, or null
         */
        Evaluation(Due due, Supplier<M> evaluate, Function<M, Map<String, Double>> scalars, Watch<M> watch,
                BiConsumer<TrainingLoop, M> report) {
            this.due = due;
            this.evaluate = evaluate;
            this.scalars = scalars;
            this.watch = watch;
            this.report = report;
        }

        @Override
        public void onStep(TrainingLoop loop, TrainingLoop.StepResult s) throws IOException {
            if (!due.test(loop)) {
                return;
            }
            TrainingState state = loop.state();
            loop.syncWeights();
            M m = evaluate.get();
            ObjectNode e = state.history.addObject();
            e.put("step", state.step);
            e.put("epoch", loop.epoch());
            scalars.apply(m).forEach((k, v) -> e.put("eval_" + k, v));
            if (watch != null) {
                double value = watch.value().applyAsDouble(m);
                boolean better = state.bestMetric == null
                        || (watch.greaterIsBetter() ? value > state.bestMetric : value < state.bestMetric);
                if (better) {
                    state.bestMetric = value;
                    state.bestStep = state.step;
                    state.evalsWithoutImprovement = 0;
                    watch.onBest().run();
                } else {
                    state.evalsWithoutImprovement++;
                    if (watch.patience() > 0 && state.evalsWithoutImprovement >= watch.patience()) {
                        state.stoppedEarly = true;
                        loop.log().printf(Locale.ROOT, "early stopping at step %d: eval_%s did not improve for %d "
                                + "evaluations (best %.6f at step %d)%n", state.step, watch.name(),
                                state.evalsWithoutImprovement, state.bestMetric, state.bestStep);
                    }
                }
            }
            if (report != null) {
                report.accept(loop, m);
            }
        }
    }

    /** A console progress bar with the step's loss, the learning rate and the run's tokens/s. */
    static final class Progress implements TrainingListener {
        private final String task;
        private ProgressBar bar;

        Progress(String task) {
            this.task = task;
        }

        @Override
        public void onStep(TrainingLoop loop, TrainingLoop.StepResult s) {
            TrainingState state = loop.state();
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(loop.totalSteps())
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                        .setConsumer(new ConsoleProgressBarConsumer(loop.log()))
                        .startsFrom(state.step - 1, Duration.ZERO).build();
            }
            bar.stepTo(state.step);
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f lr %.2e %.0f tok/s", s.loss(),
                    s.learningRate(), state.tokens / Math.max(1e-9, state.trainSeconds)));
        }

        @Override
        public void onEnd(TrainingLoop loop) {
            if (bar != null) {
                bar.close();
            }
        }
    }

    /** Resume checkpoints per {@code save_strategy} (steps: every save_steps and at epoch ends), not at the last step. */
    static final class PeriodicCheckpoints implements TrainingListener {
        @Override
        public void onStep(TrainingLoop loop, TrainingLoop.StepResult s) throws IOException {
            TrainingState state = loop.state();
            boolean now = switch (loop.args().saveStrategy()) {
                case NO -> false;
                case EPOCH -> loop.epochEnd();
                case STEPS -> loop.epochEnd() || state.step % loop.args().saveSteps() == 0;
            };
            if (now && state.step < loop.totalSteps() && !state.stoppedEarly) {
                loop.saveCheckpoint();
            }
        }
    }

    /**
     * SIGTERM/SIGINT: the step under way finishes, a resume checkpoint of it is written (unless this step already
     * wrote one) and the run ends with {@link TrainingStopped}; also after the last step, since finishing
     * (evaluation, final files) may not fit in Slurm's KillWait. Must come after every listener that saves.
     */
    static final class StopOnShutdown implements TrainingListener {
        private final CheckpointOnShutdown signal;

        StopOnShutdown(CheckpointOnShutdown signal) {
            this.signal = signal;
        }

        @Override
        public void onStep(TrainingLoop loop, TrainingLoop.StepResult s) throws IOException {
            if (signal.requested()) {
                Path saved = loop.checkpointOfThisStep();
                Path checkpoint = saved != null ? saved : loop.saveCheckpoint();
                loop.log().printf("stopped after step %d of %d: resume checkpoint %s%n", loop.state().step,
                        loop.totalSteps(), checkpoint);
                throw new TrainingStopped(loop.what(), loop.state().step, loop.totalSteps(), checkpoint);
            }
        }
    }

    /**
     * A NaN or infinite loss or gradient norm stops the run at that step, before its update reaches the weights,
     * with one line naming the step, the learning rate and the checkpoint a rerun would resume from.
     */
    static final class DivergenceCheck implements TrainingListener {
        @Override
        public void beforeUpdate(TrainingLoop loop, TrainingLoop.StepResult s) {
            if (Double.isFinite(s.loss()) && Double.isFinite(s.gradNorm())) {
                return;
            }
            Path last = loop.latestCheckpoint();
            throw new TrainingDiverged(String.format(Locale.ROOT, "%s diverged at step %d of %d: loss %s, gradient "
                    + "norm %s at learning_rate %.3g; last good checkpoint: %s", loop.what(), s.step(),
                    loop.totalSteps(), s.loss(), s.gradNorm(), s.learningRate(), last != null ? last
                            + " (a rerun resumes from it; lower learning_rate or max_grad_norm first)"
                            : "none (no resume checkpoint written yet; lower learning_rate or max_grad_norm and rerun)"));
        }
    }
}
