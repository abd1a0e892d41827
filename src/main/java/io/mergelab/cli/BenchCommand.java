package io.mergelab.cli;

import io.mergelab.merge.ElementwiseKernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Micro-benchmarks that decide implementation choices (numbers go to BENCHMARKS.md, never into tests).
 * {@code bench kernels}: the merge engine's element-wise sums, plain-Java fused loops versus ND4J.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks behind implementation choices; results belong in BENCHMARKS.md.",
        subcommands = BenchCommand.Kernels.class)
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "kernels", mixinStandardHelpOptions = true,
            description = "Times the merge kernels (weighted average = linear, task vectors = task arithmetic / "
                    + "DARE-linear) with java and nd4j on GPT-2-shaped tensors; prints the median per call and "
                    + "the ratio nd4j / java (above 1: java is faster).")
    static final class Kernels implements Callable<Integer> {
        @Option(names = "--models", defaultValue = "3", description = "Inputs per merge (default: ${DEFAULT-VALUE}).")
        int models;

        @Option(names = "--numel", split = ",", defaultValue = "589824,2359296,38597376",
                description = "Tensor sizes (default: GPT-2 attn.c_proj, mlp.c_fc, wte: ${DEFAULT-VALUE}).")
        List<Integer> sizes;

        @Option(names = "--repeat", defaultValue = "7", description = "Timed calls per case, after 2 warm-ups.")
        int repeat;

        @Override
        public Integer call() {
            List<ElementwiseKernels> kernels = List.of(ElementwiseKernels.named("java"), ElementwiseKernels.named("nd4j"));
            System.out.printf(Locale.ROOT, "%-16s %10s %12s %12s %8s%n", "kernel", "numel", "java ms", "nd4j ms",
                    "nd4j/java");
            for (int n : sizes) {
                SplittableRandom rnd = new SplittableRandom(n);
                List<float[]> xs = new ArrayList<>();
                for (int k = 0; k < models; k++) {
                    float[] x = new float[n];
                    for (int i = 0; i < n; i++) {
                        x[i] = (float) rnd.nextGaussian();
                    }
                    xs.add(x);
                }
                float[] w = new float[models];
                java.util.Arrays.fill(w, 1f / models);
                float[] out = new float[n];
                double[] avg = new double[2];
                double[] tv = new double[2];
                for (int j = 0; j < 2; j++) {
                    ElementwiseKernels k = kernels.get(j);
                    avg[j] = medianMillis(() -> k.weightedAverage(xs, w, true, out));
                    tv[j] = medianMillis(() -> k.addTaskVectors(xs.get(0), xs.subList(1, models), 2f, 0.8f, out));
                }
                System.out.printf(Locale.ROOT, "%-16s %10d %12.2f %12.2f %8.2f%n", "weighted_avg", n, avg[0], avg[1],
                        avg[1] / avg[0]);
                System.out.printf(Locale.ROOT, "%-16s %10d %12.2f %12.2f %8.2f%n", "task_vectors", n, tv[0], tv[1],
                        tv[1] / tv[0]);
            }
            return 0;
        }

        private double medianMillis(Runnable r) {
            for (int i = 0; i < 2; i++) {
                r.run();
            }
            double[] t = new double[repeat];
            for (int i = 0; i < repeat; i++) {
                long s = System.nanoTime();
                r.run();
                t[i] = (System.nanoTime() - s) / 1e6;
            }
            java.util.Arrays.sort(t);
            return t[repeat / 2];
        }
    }
}
