/** Evaluation of checkpoints on datasets: accuracy, macro-F1, confusion matrices, loss, calibration, ensembles. */
package io.mergelab.eval;
