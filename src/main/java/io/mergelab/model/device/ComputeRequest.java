package io.mergelab.model.device;

import ai.djl.Device;

import java.io.PrintStream;

/**
 * Where and how a step should compute, as a config or command line asked for it.
 *
 * @param where what to name in messages: a CLI option ({@code --device}) or a config field with its position
 */
public record ComputeRequest(DeviceRequest device, Precision precision, String where) {
    public static final ComputeRequest DEFAULT = new ComputeRequest(DeviceRequest.AUTO, Precision.FP32, "device");

    /** Parses both values; a bad value is an error naming {@code where}. */
    public static ComputeRequest parse(String device, String precision, String where) {
        try {
            return new ComputeRequest(DeviceRequest.parse(device), Precision.parse(precision), where);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** The device on this machine; prints one note when the requested precision is not what will run. */
    public Device choose(DeviceSelector selector, PrintStream notes) {
        Device d = selector.select(device, where);
        String note = precisionNote(d);
        if (note != null && notes != null) {
            notes.println("mergelab: note: " + note);
        }
        return d;
    }

    /** Null when fp32 was asked for; otherwise why the run computes in fp32 on {@code d}. */
    public String precisionNote(Device d) {
        if (precision == Precision.FP32) {
            return null;
        }
        if (!DeviceSelector.autocastAllowed(d)) {
            return "precision " + precision + " (" + where + "): mixed precision is off on the CPU; computing in fp32";
        }
        return "precision " + precision + " (" + where + "): DJL exposes no autocast, so " + d
                + " computes in fp32 (weights stay fp32 on disk either way)";
    }
}
