import CustosCore

/// The stable codes of `GatewayListenerError`.
public enum GatewayListenerErrorCode: String, ErrorCode {
    /// The host or port is not usable, or only half of the TLS pair was given.
    case invalidAddress
    /// Plain HTTP was asked for on an address other than loopback.
    case plainHTTPBeyondLoopback
    /// The certificate file cannot be read or holds no PEM certificate.
    case unreadableCertificate
    /// The key file cannot be read, holds no usable PEM key, or does not match the certificate.
    case unreadableKey
}
