package dev.keyrotator.config;

/** One entry of {@code overrides:}: a selector, the settings it changes, where it was written. */
public record PolicyOverride(Selector selector, PolicyLayer layer, int line) {}
