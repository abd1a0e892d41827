package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL block whose parameters carry their Hugging Face names ("attn.c_attn.weight").
 *
 * <p>DJL numbers child blocks ("01attn"), which would make weight loading a guessing game;
 * each module therefore keeps its own name → child and name → parameter maps, so the full
 * HF name of every parameter is known by construction.
 */
abstract class Gpt2Module extends AbstractBlock {

    private final Map<String, Parameter> ownParameters = new LinkedHashMap<>();
    private final Map<String, Gpt2Module> modules = new LinkedHashMap<>();

    /**
     * {@code derived}, an array computed from a weight (a transpose, a row gather), moved to the manager of the
     * call's {@code input}. DJL attaches an op's result to its first operand's manager; for a weight that is the
     * model's own, closed only with the model, so every forward pass would leave one more tensor there (a
     * sampled-softmax pre-training step's gathered output rows are 2.6 MB: 24 GB after 9 000 steps). Every op
     * whose first operand is a weight goes through here.
     */
    static NDArray perCall(NDArray derived, NDArray input) {
        derived.attach(input.getManager());
        return derived;
    }

    /** Declares a parameter; its array is set later from a checkpoint. */
    protected final Parameter parameter(String hfName, Parameter.Type type) {
        Parameter p = addParameter(Parameter.builder().setName(hfName).setType(type).build());
        ownParameters.put(hfName, p);
        return p;
    }

    protected final <M extends Gpt2Module> M module(String hfName, M module) {
        addChildBlock(hfName, module);
        modules.put(hfName, module);
        return module;
    }

    /** Every parameter of this module and its children, keyed by dotted HF name, in model order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        ownParameters.forEach((name, p) -> out.put(prefix + name, p));
        modules.forEach((name, m) -> m.collect(prefix + name + ".", out));
    }

    /**
     * Initialised means every array is set (from a checkpoint). DJL's default also wants input shapes from
     * {@code initialize}, which is never called here; without this, a training forward would try to
     * re-initialise the block.
     */
    @Override
    public boolean isInitialized() {
        return namedParameters().values().stream().allMatch(Parameter::isInitialized);
    }

    /** Shape inference is not needed: every array comes from a checkpoint, never from DJL initializers. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not infer shapes");
    }
}
