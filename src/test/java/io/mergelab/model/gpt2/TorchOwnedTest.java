package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchOwnedTest {
    @Test
    void copiesValuesAndShapeIntoAnArrayOfTheManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] data = {1f, -2f, 3.5f, Float.MIN_VALUE, -0f, 6f};
            NDArray a = TorchOwned.of(m, data, new Shape(2, 3));
            data[0] = 99f; // the array holds a copy, not the Java array
            assertEquals(new Shape(2, 3), a.getShape());
            assertArrayEquals(new float[] {1f, -2f, 3.5f, Float.MIN_VALUE, -0f, 6f}, a.toFloatArray());
            assertSame(m, a.getManager());
        }
    }

    /** Optimisers and gradient collectors hold the parameter's NDArray: a reload must keep that object. */
    @Test
    void replaceKeepsTheObjectAndItsGradientFlag() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = TorchOwned.of(m, new float[] {1f, 2f}, new Shape(2));
            p.setRequiresGradient(true);
            NDArray q = TorchOwned.of(m, new float[] {5f, 6f}, new Shape(2));
            TorchOwned.replace(p, new float[] {3f, 4f});
            TorchOwned.replace(q, new float[] {7f, 8f});
            assertArrayEquals(new float[] {3f, 4f}, p.toFloatArray());
            assertTrue(p.hasGradient());
            assertArrayEquals(new float[] {7f, 8f}, q.toFloatArray());
            assertFalse(q.hasGradient());
        }
    }
}
