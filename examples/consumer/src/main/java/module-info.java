/** The consumer example as a named module: it needs only the library's module. */
module panama.attention.consumer {
    requires panama.attention;
}
