/** Datasets: CSV/TSV/JSONL readers, label mappings, seeded stratified splits, disjoint variant slices, dataset statistics. */
package io.mergelab.data;
