package io.mergelab.train;

/**
 * Learning rate per optimiser step, as transformers' schedulers compute it: {@code lr(step)} is the rate
 * used by the (step+1)-th update (step counts completed updates, starting at 0).
 */
public record LrSchedule(TrainingArgs.Scheduler type, double baseLr, int warmupSteps, int totalSteps) {

    public static LrSchedule of(TrainingArgs args, int totalSteps) {
        return new LrSchedule(args.lrSchedulerType(), args.learningRate(), args.warmupSteps(totalSteps), totalSteps);
    }

    public double lr(int step) {
        return baseLr * factor(step);
    }

    /** get_linear / get_cosine (0.5 cycles) / get_constant(_with_warmup) _schedule_with_warmup lambdas. */
    double factor(int step) {
        switch (type) {
            case CONSTANT:
                return 1.0;
            case CONSTANT_WITH_WARMUP:
                return step < warmupSteps ? (double) step / Math.max(1, warmupSteps) : 1.0;
            default:
                break;
        }
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double remaining = Math.max(1, totalSteps - warmupSteps);
        if (type == TrainingArgs.Scheduler.LINEAR) {
            return Math.max(0.0, (totalSteps - step) / remaining);
        }
        double progress = (step - warmupSteps) / remaining;
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
    }
}
