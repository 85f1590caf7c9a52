/// The tool's version, recorded in every result it writes.
public enum SubliminalVersion {
    public static let string = "0.1.0"
}
