import CustosCore

/// A one-line failure at the edge of the cluster services: files, wire shapes, the gateway's
/// answers to a node.
public typealias ClusterAPIError = CustosError<ClusterAPIErrorCode>
