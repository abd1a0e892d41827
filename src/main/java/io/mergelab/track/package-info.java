/** Experiment tracking: MLflow runs, params, metrics and artifacts, with an offline buffer. */
package io.mergelab.track;
