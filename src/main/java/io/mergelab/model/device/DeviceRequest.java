package io.mergelab.model.device;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a user asked for: {@code auto} (a GPU when there is one, else the CPU), {@code cpu}, {@code cuda}
 * (GPU 0) or {@code cuda:N}. {@code gpu} and {@code gpu:N} are accepted as synonyms.
 */
public record DeviceRequest(Kind kind, int index) {
    public enum Kind { AUTO, CPU, CUDA }

    private static final Pattern CUDA = Pattern.compile("(?:cuda|gpu)(?::(\\d+))?");

    public DeviceRequest {
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
    }

    public static final DeviceRequest AUTO = new DeviceRequest(Kind.AUTO, 0);
    public static final DeviceRequest CPU = new DeviceRequest(Kind.CPU, 0);

    public static DeviceRequest parse(String text) {
        String s = text == null ? "auto" : text.strip().toLowerCase(Locale.ROOT);
        if (s.equals("auto") || s.isEmpty()) {
            return AUTO;
        }
        if (s.equals("cpu")) {
            return CPU;
        }
        Matcher m = CUDA.matcher(s);
        if (m.matches()) {
            return new DeviceRequest(Kind.CUDA, m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
        }
        throw new IllegalArgumentException("device '" + text + "' is not one of auto, cpu, cuda, cuda:N");
    }

    @Override
    public String toString() {
        return switch (kind) {
            case AUTO -> "auto";
            case CPU -> "cpu";
            case CUDA -> "cuda:" + index;
        };
    }
}
