/**
 * Code the library's packages share with each other and nobody else: argument checks, and the hooks through
 * which one package reaches another's internals. Not exported by the module {@code io.github.backprop4j}, and
 * left out of the Javadoc; on the class path it is visible, but nothing in it is part of the API and it may change
 * in any release.
 */
package io.github.backprop4j.internal;
