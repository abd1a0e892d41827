/**
 * YAML read into a small tree whose every node keeps its file:line:column ({@link io.mergelab.yaml.Node},
 * {@link io.mergelab.yaml.Mark}), typed field reading with one-line errors ({@link io.mergelab.yaml.Fields},
 * {@link io.mergelab.yaml.ConfigException}). A leaf: the study config and the search grammar both read YAML through it.
 */
package io.mergelab.yaml;
