package io.mergelab.merge.methods;

import java.util.SplittableRandom;

/**
 * The engine's TIES and DARE sparsifiers for code outside the merge methods (the task-vector analysis), so that
 * "trimmed at density d" and "dropped at density p" mean exactly what {@code ties} and {@code dare_*} do to one
 * model's delta of one tensor.
 */
public final class Sparsifiers {
    private Sparsifiers() {
    }

    /**
     * TIES trimming: keeps the {@code max(1, int(density·n))} largest |delta| and zeroes the rest (lowest index first
     * among equal magnitudes at the boundary, where the merge engine follows torch's sort order as mergekit does),
     * without rescaling ({@code ties}' default). {@code density >= 1}
     * returns {@code delta} itself.
     *
     * @param inPlace trim {@code delta} itself instead of a copy
     */
    public static float[] trim(float[] delta, double density, boolean inPlace) {
        return Sparsifier.MAGNITUDE.apply("", "", delta, density, 0, 0, 1, false, inPlace, null, false);
    }

    /**
     * DARE: keeps each element independently with probability {@code density} (two 32-bit draws per
     * {@code rng.nextLong()}), then scales the kept ones so the L1 norm matches the original's
     * ({@code dare_linear}/{@code dare_ties} with their default {@code rescale: true}).
     *
     * @param rng the model's stream: the engine splits one per model, in model order, from a
     *            {@code SplittableRandom} seeded with {@code MergePlanner.tensorSeed(seed, tensorName)}
     */
    public static float[] dropAndRescale(float[] delta, double density, boolean inPlace, SplittableRandom rng) {
        return Sparsifier.RANDOM.apply("", "", delta, density, 0, 0, 1, true, inPlace, rng, false);
    }
}
