/// The software version a node reports where the log records it (a vault ceremony's
/// confirmations) and `custos --version` prints.
public enum CustosVersion {
    public static let current = "custos 0.5.0"
}
