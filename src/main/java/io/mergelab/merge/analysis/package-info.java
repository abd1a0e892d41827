/**
 * Task-vector analysis: why a merge works. Streams the task vectors {@code τ_k = variant_k − base} of GPT-2
 * checkpoints tensor by tensor (the merge engine's reader, its TIES/DARE sparsifiers) and measures norms, cosine
 * similarity, sign conflicts before and after TIES trimming, the magnitude profile and DARE's norm change, for the
 * whole model and per layer ({@link io.mergelab.merge.analysis.TaskVectorAnalyzer} →
 * {@link io.mergelab.merge.analysis.TaskVectorAnalysis}, written by
 * {@link io.mergelab.merge.analysis.AnalysisOutputs}). Definitions: docs/analysis.md.
 */
package io.mergelab.merge.analysis;
