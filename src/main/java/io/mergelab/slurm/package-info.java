/** Slurm execution: sbatch script rendering, job arrays, afterok chains, the slurmrestd client. */
package io.mergelab.slurm;
