/**
 * What the training package gives the library's other packages and nobody else: the driver of a run whose loop
 * lives outside {@code train} (Spark's). Not exported by the module {@code io.github.backprop4j} and left out of the
 * Javadoc; on the class path it is visible, but nothing in it is part of the API and it may change in any release.
 */
package io.github.backprop4j.train.internal;
