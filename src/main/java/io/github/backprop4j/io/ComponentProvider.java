package io.github.backprop4j.io;

/**
 * A service that registers user-defined activations, losses or optimizers with {@link Components}, so that
 * files naming them can be loaded without explicit registration.
 *
 * <p>List the implementing class in {@code META-INF/services/io.github.backprop4j.io.ComponentProvider}; it
 * needs a public no-argument constructor. Providers are found with {@link java.util.ServiceLoader} the first
 * time {@link Components} is used, and {@link #registerComponents()} is called once on each.
 */
public interface ComponentProvider {

    /** Registers this provider's components, by calling the {@code register…} methods of {@link Components}. */
    void registerComponents();
}
