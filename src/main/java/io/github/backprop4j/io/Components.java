package io.github.backprop4j.io;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.optim.AdaGrad;
import io.github.backprop4j.optim.Adam;
import io.github.backprop4j.optim.AdamW;
import io.github.backprop4j.optim.GradientDescent;
import io.github.backprop4j.optim.Momentum;
import io.github.backprop4j.optim.Nesterov;
import io.github.backprop4j.optim.RmsProp;
import io.github.backprop4j.optim.Optimizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The registry through which files name activations, losses and optimizers: each is saved as a name and
 * numeric parameters, and loading looks the name up here. Built-in components are always registered; add
 * your own with the {@code register…} methods or a {@link ComponentProvider} found by
 * {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * Activation cube = Activation.elementwise("cube", z -> z * z * z, (z, a) -> 3 * z * z);
 * Components.register(cube);                  // now networks using it can be saved and loaded
 * }</pre>
 *
 * <p>Saving checks that the registry recreates an equal component, so a file that saves is a file that
 * loads. Thread-safe. Built-in names cannot be re-registered; a user-defined name registered again
 * replaces the earlier registration.
 */
public final class Components {

    /** A component's file form: its name and parameters. */
    record Described(String name, Map<String, Double> parameters) {
    }

    private record Codec<T>(Class<? extends T> type, Function<T, Map<String, Double>> describe,
            Function<Map<String, Double>, ? extends T> create) {
    }

    private static final Map<String, Function<Map<String, Double>, ? extends Activation>> ACTIVATIONS =
            new ConcurrentHashMap<>();
    private static final Map<String, Codec<Loss>> LOSSES = new ConcurrentHashMap<>();
    private static final Map<String, Codec<Optimizer>> OPTIMIZERS = new ConcurrentHashMap<>();
    private static final Set<String> BUILT_IN = ConcurrentHashMap.newKeySet();

    static {
        for (Activation a : new Activation[] {Activation.IDENTITY, Activation.SIGMOID, Activation.TANH,
            Activation.RELU, Activation.SOFTPLUS, Activation.SILU, Activation.GELU, Activation.SOFTMAX}) {
            register(a);
        }
        registerActivation("leaky_relu", p -> Activation.leakyRelu(only(p, "slope", "leaky_relu")));
        registerActivation("elu", p -> Activation.elu(only(p, "alpha", "elu")));
        for (Loss l : new Loss[] {Loss.MSE, Loss.MAE, Loss.CROSS_ENTROPY, Loss.BINARY_CROSS_ENTROPY}) {
            register(l);
        }
        registerLoss("huber", Loss.class, Loss::parameters, p -> Loss.huber(only(p, "delta", "huber")));
        registerLoss("weighted_cross_entropy", Loss.class, Loss::parameters, p -> {
            double[] weights = new double[p.size()];
            for (int i = 0; i < weights.length; i++) {
                Double w = p.get("weight" + i);
                if (w == null) {
                    throw new IllegalArgumentException("'weighted_cross_entropy' takes parameters weight0.."
                            + "weight" + (weights.length - 1) + " but was given " + new TreeSet<>(p.keySet()));
                }
                weights[i] = w;
            }
            return Loss.crossEntropy(weights);
        });
        registerOptimizer("sgd", GradientDescent.class,
                o -> params("learning_rate", o.learningRate(), "weight_decay", o.weightDecay()),
                p -> {
                    requireKeys(p, Set.of("learning_rate", "weight_decay"), "sgd");
                    return GradientDescent.withLearningRate(p.get("learning_rate"))
                            .withWeightDecay(p.get("weight_decay"));
                });
        registerOptimizer("momentum", Momentum.class,
                o -> params("learning_rate", o.learningRate(), "momentum", o.momentum()),
                p -> Momentum.of(need(p, "momentum", "learning_rate", "momentum")[0], p.get("momentum")));
        registerOptimizer("nesterov", Nesterov.class,
                o -> params("learning_rate", o.learningRate(), "momentum", o.momentum()),
                p -> Nesterov.of(need(p, "nesterov", "learning_rate", "momentum")[0], p.get("momentum")));
        registerOptimizer("adagrad", AdaGrad.class,
                o -> params("learning_rate", o.learningRate(), "epsilon", o.epsilon(), "initial_accumulator",
                        o.initialAccumulator()),
                p -> {
                    double[] v = need(p, "adagrad", "learning_rate", "epsilon", "initial_accumulator");
                    return AdaGrad.withLearningRate(v[0]).withEpsilon(v[1]).withInitialAccumulator(v[2]);
                });
        registerOptimizer("rmsprop", RmsProp.class,
                o -> params("learning_rate", o.learningRate(), "alpha", o.alpha(), "epsilon", o.epsilon()),
                p -> {
                    double[] v = need(p, "rmsprop", "learning_rate", "alpha", "epsilon");
                    return RmsProp.withLearningRate(v[0]).withAlpha(v[1]).withEpsilon(v[2]);
                });
        registerOptimizer("adam", Adam.class,
                o -> params("learning_rate", o.learningRate(), "beta1", o.beta1(), "beta2", o.beta2(), "epsilon",
                        o.epsilon()),
                p -> {
                    double[] v = need(p, "adam", "learning_rate", "beta1", "beta2", "epsilon");
                    return Adam.withLearningRate(v[0]).withBetas(v[1], v[2]).withEpsilon(v[3]);
                });
        registerOptimizer("adamw", AdamW.class,
                o -> params("learning_rate", o.learningRate(), "beta1", o.adam().beta1(), "beta2", o.adam().beta2(),
                        "epsilon", o.adam().epsilon(), "weight_decay", o.weightDecay(), "decays_biases",
                        o.decaysBiases() ? 1 : 0),
                p -> {
                    double[] v = need(p, "adamw", "learning_rate", "beta1", "beta2", "epsilon", "weight_decay",
                            "decays_biases");
                    AdamW w = AdamW.of(v[0], v[4]).withBetas(v[1], v[2]).withEpsilon(v[3]);
                    return v[5] == 0 ? w.excludingBiasesFromDecay() : w;
                });
        BUILT_IN.addAll(ACTIVATIONS.keySet());
        BUILT_IN.addAll(LOSSES.keySet());
        BUILT_IN.addAll(OPTIMIZERS.keySet());
        try {
            for (ComponentProvider provider : ServiceLoader.load(ComponentProvider.class)) {
                provider.registerComponents();
            }
        } catch (ServiceConfigurationError e) {
            org.slf4j.LoggerFactory.getLogger(Components.class).warn("A ComponentProvider could not be loaded", e);
        }
    }

    private Components() {
    }

    // ------------------------------------------------------------------ registration

    /**
     * Registers one activation instance under its {@link Activation#name() name}: loading that name with the
     * instance's parameters gives back this very instance, so it stays {@code equal} to itself after a round
     * trip (as {@link Activation#elementwise} activations need).
     *
     * @param activation the activation
     * @throws IllegalArgumentException if its name is that of a built-in activation
     */
    public static void register(Activation activation) {
        Checks.notNull(activation, "activation");
        Map<String, Double> own = Map.copyOf(activation.parameters());
        registerActivation(activation.name(), p -> {
            if (!p.equals(own)) {
                throw new IllegalArgumentException("activation '" + activation.name() + "' is registered with "
                        + "parameters " + own + " but was asked for " + p);
            }
            return activation;
        });
    }

    /**
     * Registers a family of activations by name, made from their parameters.
     *
     * @param name the name that {@link Activation#name()} returns for the family
     * @param factory makes the activation from its {@link Activation#parameters()}; throws
     *     {@link IllegalArgumentException} for parameters it does not accept
     * @throws IllegalArgumentException if the name is that of a built-in activation
     */
    public static void registerActivation(String name, Function<Map<String, Double>, ? extends Activation> factory) {
        checkName(name);
        Checks.notNull(factory, "factory");
        ACTIVATIONS.put(name, factory);
    }

    /**
     * Registers one parameterless loss instance under its {@link Loss#name() name}.
     *
     * @param loss the loss
     * @throws IllegalArgumentException if its name is that of a built-in loss
     */
    public static void register(Loss loss) {
        Checks.notNull(loss, "loss");
        registerLoss(loss.name(), Loss.class, l -> Map.of(), p -> {
            requireKeys(p, Set.of(), loss.name());
            return loss;
        });
    }

    /**
     * Registers a loss with parameters.
     *
     * @param name the name that the loss's {@link Loss#name()} returns
     * @param type the loss's class
     * @param parameters gives the parameters of an instance, by name
     * @param factory makes an instance from its parameters; throws {@link IllegalArgumentException} for
     *     parameters it does not accept
     * @param <T> the loss's type
     * @throws IllegalArgumentException if the name is that of a built-in loss
     */
    public static <T extends Loss> void registerLoss(String name, Class<T> type,
            Function<? super T, Map<String, Double>> parameters, Function<Map<String, Double>, ? extends T> factory) {
        checkName(name);
        LOSSES.put(name, codec(type, parameters, factory));
    }

    /**
     * Registers an optimizer configuration class, which the {@link Optimizer} interface does not name.
     *
     * @param name the name to save it under, e.g. {@code "sgd"}
     * @param type the optimizer's class; instances are recognised by their exact class
     * @param parameters gives the hyper-parameters of an instance, by name
     * @param factory makes an instance from its hyper-parameters; throws {@link IllegalArgumentException}
     *     for parameters it does not accept
     * @param <T> the optimizer's type
     * @throws IllegalArgumentException if the name is that of a built-in optimizer
     */
    public static <T extends Optimizer> void registerOptimizer(String name, Class<T> type,
            Function<? super T, Map<String, Double>> parameters, Function<Map<String, Double>, ? extends T> factory) {
        checkName(name);
        OPTIMIZERS.put(name, codec(type, parameters, factory));
    }

    @SuppressWarnings("unchecked")
    private static <B, T extends B> Codec<B> codec(Class<T> type, Function<? super T, Map<String, Double>> describe,
            Function<Map<String, Double>, ? extends T> create) {
        Checks.notNull(type, "type");
        Checks.notNull(describe, "parameters");
        Checks.notNull(create, "factory");
        return new Codec<>(type, b -> describe.apply((T) b), create);
    }

    private static void checkName(String name) {
        Checks.notNull(name, "name");
        if (!name.matches("[A-Za-z0-9_\\-]+")) {
            throw new IllegalArgumentException("component name must be letters, digits, '_' and '-', was '"
                    + name + "'");
        }
        if (BUILT_IN.contains(name)) {
            throw new IllegalArgumentException("'" + name + "' is a built-in component and cannot be re-registered");
        }
    }

    // ------------------------------------------------------------------ lookup

    /**
     * Makes the activation saved under a name.
     *
     * @param name the name, e.g. {@code "leaky_relu"}
     * @param parameters its parameters, e.g. {@code {slope=0.2}}
     * @return the activation
     * @throws IllegalArgumentException naming the registered names if the name is unknown, or if the
     *     parameters are not accepted
     */
    public static Activation activation(String name, Map<String, Double> parameters) {
        var factory = ACTIVATIONS.get(Checks.notNull(name, "name"));
        if (factory == null) {
            throw new IllegalArgumentException("unknown activation '" + name + "': register it with "
                    + "Components.register(activation); known are " + new TreeSet<>(ACTIVATIONS.keySet()));
        }
        return factory.apply(Map.copyOf(parameters));
    }

    /**
     * Makes the loss saved under a name.
     *
     * @param name the name, e.g. {@code "mse"}
     * @param parameters its parameters
     * @return the loss
     * @throws IllegalArgumentException naming the registered names if the name is unknown, or if the
     *     parameters are not accepted
     */
    public static Loss loss(String name, Map<String, Double> parameters) {
        return lookup(LOSSES, "loss", name).create().apply(Map.copyOf(parameters));
    }

    /**
     * Makes the optimizer saved under a name.
     *
     * @param name the name, e.g. {@code "sgd"}
     * @param parameters its hyper-parameters, e.g. {@code {learning_rate=0.1, weight_decay=0}}
     * @return the optimizer
     * @throws IllegalArgumentException naming the registered names if the name is unknown, or if the
     *     parameters are not accepted
     */
    public static Optimizer optimizer(String name, Map<String, Double> parameters) {
        return lookup(OPTIMIZERS, "optimizer", name).create().apply(Map.copyOf(parameters));
    }

    private static <T> Codec<T> lookup(Map<String, Codec<T>> registry, String kind, String name) {
        Codec<T> codec = registry.get(Checks.notNull(name, "name"));
        if (codec == null) {
            throw new IllegalArgumentException("unknown " + kind + " '" + name + "': register it with Components."
                    + "register" + (kind.equals("loss") ? "Loss" : "Optimizer") + "(...); known are "
                    + new TreeSet<>(registry.keySet()));
        }
        return codec;
    }

    // ------------------------------------------------------------------ describing, for writers

    /** Describes an activation, checking that loading the description gives back an equal activation. */
    static Described describe(Activation activation) {
        Described d = new Described(activation.name(), activation.parameters());
        Activation back;
        try {
            back = activation(d.name(), d.parameters());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("activation " + activation + " cannot be saved: " + e.getMessage(), e);
        }
        requireEqual(activation, back, "activation");
        return d;
    }

    /** Describes a loss, checking that loading the description gives back an equal loss. */
    static Described describe(Loss loss) {
        Codec<Loss> codec = LOSSES.get(loss.name());
        if (codec == null || !codec.type().isInstance(loss)) {
            throw new IllegalArgumentException("loss " + loss + " cannot be saved: no loss of its class is "
                    + "registered as '" + loss.name() + "'; register it with Components.registerLoss(...)");
        }
        Described d = new Described(loss.name(), codec.describe().apply(loss));
        requireEqual(loss, codec.create().apply(d.parameters()), "loss");
        return d;
    }

    /** Describes an optimizer, checking that loading the description gives back an equal optimizer. */
    static Described describe(Optimizer optimizer) {
        for (Map.Entry<String, Codec<Optimizer>> e : OPTIMIZERS.entrySet()) {
            if (e.getValue().type() == optimizer.getClass()) {
                Described d = new Described(e.getKey(), e.getValue().describe().apply(optimizer));
                requireEqual(optimizer, e.getValue().create().apply(d.parameters()), "optimizer");
                return d;
            }
        }
        throw new IllegalArgumentException("optimizer " + optimizer + " cannot be saved: its class "
                + optimizer.getClass().getName() + " is not registered; register it with "
                + "Components.registerOptimizer(...)");
    }

    private static void requireEqual(Object original, Object loaded, String kind) {
        if (!original.equals(loaded)) {
            throw new IllegalArgumentException(kind + " " + original + " cannot be saved: its registration gives "
                    + "back " + loaded + ", which is not equal to it; register this instance or implement equals");
        }
    }

    // ------------------------------------------------------------------ helpers for factories

    private static double only(Map<String, Double> p, String key, String name) {
        requireKeys(p, Set.of(key), name);
        return p.get(key);
    }

    private static void requireKeys(Map<String, Double> p, Set<String> keys, String name) {
        if (!p.keySet().equals(keys)) {
            throw new IllegalArgumentException("'" + name + "' takes the parameters " + new TreeSet<>(keys)
                    + " but was given " + new TreeSet<>(p.keySet()));
        }
    }

    /** Requires exactly these keys and returns their values in order. */
    private static double[] need(Map<String, Double> p, String name, String... keys) {
        requireKeys(p, Set.of(keys), name);
        double[] values = new double[keys.length];
        for (int i = 0; i < keys.length; i++) {
            values[i] = p.get(keys[i]);
        }
        return values;
    }

    /** An ordered map of alternating keys and values. */
    private static Map<String, Double> params(Object... keysAndValues) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], ((Number) keysAndValues[i + 1]).doubleValue());
        }
        return m;
    }

}
