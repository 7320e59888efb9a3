/// The version `cops --version` prints.
public enum CopsVersion {
    public static let current = "0.1.0"
}
