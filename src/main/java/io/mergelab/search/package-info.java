/**
 * Merge-parameter search: grid, best-of-n random merges (LUNK looped, incl. {@code random_select}) and
 * CMA-ES (mergekit-evolve, commons-math3), scored on validation data.
 *
 * <p>A {@link io.mergelab.search.SearchConfig} ({@code search:} section, parsed by
 * {@link io.mergelab.search.SearchConfigParser}) names the merge, its free parameters (per model and
 * optionally per layer group) with bounds, the objective (a metric on validation, weighted mean over
 * datasets), the budget and the strategy. {@link io.mergelab.search.SearchRunner} merges every candidate
 * in memory (the merge engine plans the recipe; per-tensor math runs on cached inputs, bit-identical to
 * {@code mergelab merge}), scores it with one reused classifier, appends it to an fsync'd journal, tracks it
 * as an MLflow child run, keeps the best k on disk, and evaluates the best once on test. Output:
 * {@code journal.jsonl}, {@code best/candidate-NNNNN/}, {@code best_config.yaml} (mergekit recipe),
 * {@code best_score_vs_candidates.png}, {@code search_summary.json}. Rerunning resumes from the journal:
 * strategies are deterministic given the seed and the scores they are told, so replaying the journal's
 * scores re-derives their state (CMA-ES included) without evaluating anything again.
 */
package io.mergelab.search;
