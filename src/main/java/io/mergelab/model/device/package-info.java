/** Which device a step computes on: {@code device: auto|cpu|cuda|cuda:N} in configs, {@code --device} on commands. */
package io.mergelab.model.device;
