/** Merge-parameter search: grid, best-of-n random merges and CMA-ES, scored on validation data. */
package io.mergelab.search;
