/** The DJL fine-tuning loop for GPT-2 sequence classification: optimiser, schedules, checkpoints and resume. */
package io.mergelab.train;
