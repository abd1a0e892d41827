/** mergekit-compatible merge engine: recipes, one class per merge method (ServiceLoader), per-tensor streaming execution. */
package io.mergelab.merge;
