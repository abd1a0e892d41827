package io.mergelab.merge;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The merge methods on the classpath, by name. */
public final class MethodRegistry {
    private final Map<String, MergeMethod> methods;

    private MethodRegistry(Map<String, MergeMethod> methods) {
        this.methods = Map.copyOf(methods);
    }

    public static MethodRegistry load() {
        Map<String, MergeMethod> m = new TreeMap<>();
        for (MergeMethod method : ServiceLoader.load(MergeMethod.class, MethodRegistry.class.getClassLoader())) {
            MergeMethod prev = m.put(method.name(), method);
            if (prev != null && prev.getClass() != method.getClass()) {
                throw new IllegalStateException("two merge methods named '" + method.name() + "': "
                        + prev.getClass().getName() + " and " + method.getClass().getName());
            }
        }
        return new MethodRegistry(m);
    }

    /** Exactly these methods (tests: a method written outside mergelab, with the interface's defaults). */
    static MethodRegistry of(MergeMethod... methods) {
        Map<String, MergeMethod> m = new TreeMap<>();
        for (MergeMethod method : methods) {
            m.put(method.name(), method);
        }
        return new MethodRegistry(m);
    }

    public MergeMethod get(String name) {
        MergeMethod m = methods.get(name);
        if (m == null) {
            throw new MergeException("unknown merge_method '" + name + "' (available: " + String.join(", ",
                    new TreeMap<>(methods).keySet()) + ")");
        }
        return m;
    }

    /** Each method's display name by its id ({@code ties} → TIES), for tables. */
    public java.util.Map<String, String> displayNames() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        names().forEach(n -> out.put(n, get(n).displayName()));
        return out;
    }

    public java.util.Set<String> names() {
        return new java.util.TreeSet<>(methods.keySet());
    }
}
