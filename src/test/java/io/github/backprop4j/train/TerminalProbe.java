package io.github.backprop4j.train;

import java.io.Console;
import java.util.Arrays;

/**
 * Prints what {@link ProgressListener} decides about this JVM's standard output, for
 * {@link TerminalDetectionTest} to run in a JVM of another version: whether there is a console, whether this JDK's
 * {@code Console} has {@code isTerminal()}, and the decision.
 */
final class TerminalProbe {

    private TerminalProbe() {
    }

    /**
     * Prints e.g. {@code "console=true isTerminalMethod=true terminal=false"}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        boolean method = Arrays.stream(Console.class.getMethods()).anyMatch(m -> m.getName().equals("isTerminal"));
        System.out.println("console=" + (System.console() != null) + " isTerminalMethod=" + method + " terminal="
                + ProgressListener.standardOutputIsTerminal());
    }
}
