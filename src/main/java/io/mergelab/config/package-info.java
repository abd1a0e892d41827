/** Typed, immutable experiment configuration: YAML loading, extends/includes, overrides and validation with file:line:column errors. */
package io.mergelab.config;
