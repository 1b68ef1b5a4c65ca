/**
 * Annotations for plugin config records.
 *
 * <p>A plugin's options are a Java record. Graft binds the experiment file to it by component name
 * (camelCase components are written in kebab-case), converts values to the component types
 * ({@code int}, {@code long}, {@code double}, {@code float}, {@code boolean}, {@code String}, enums
 * by lower-case name, {@code List} of those, {@code int[]}, {@code long[]}, {@code double[]}, and
 * {@link dev.graft.api.init.InitSpec} written as an initializer id or {@code {type: id, ...options}}), fills
 * {@link dev.graft.api.config.Default defaults}, rejects unknown keys, and runs the compact
 * constructor, whose {@link IllegalArgumentException} becomes a config error naming the key path.
 * <pre>{@code
 * public record DenseConfig(
 *         @Doc("number of output units") int units,
 *         @Doc("add a bias vector") @Default("true") boolean useBias,
 *         @Doc("initializer of the weight") @Default("xavier-uniform") InitSpec weightInit) {
 *     public DenseConfig {
 *         if (units <= 0) throw new IllegalArgumentException("must be a positive integer");
 *     }
 * }
 * }</pre>
 */
package dev.graft.api.config;
