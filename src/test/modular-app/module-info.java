/** A user's application on the module path: it names the library and nothing else. */
module io.github.backprop4j.demo {
    requires io.github.backprop4j;
}
