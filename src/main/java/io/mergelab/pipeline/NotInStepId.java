package io.mergelab.pipeline;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a component of a step's action record: the value does not change what the step writes (where it computes,
 * how it reports progress, where this installation keeps its files), so it is left out of the step's id and
 * {@link Step#inputs()}. Every other component is part of the id: a new component counts unless it says so here.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface NotInStepId {
}
