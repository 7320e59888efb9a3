// Intentionally empty: SwiftPM needs a source file to build the header-only target.
