import CustosChainsRPC

extension EVMRPCClient: ReceiptChainReader {}
