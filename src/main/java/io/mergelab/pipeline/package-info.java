/**
 * The whole story of a study: expands a {@link io.mergelab.config.StudyConfig} into a DAG of content-addressed
 * steps (data, fine-tune, merge, evaluate, baselines, report) and runs them through an {@link io.mergelab.pipeline.Executor}.
 */
package io.mergelab.pipeline;
