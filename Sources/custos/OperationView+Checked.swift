import CustosClusterAPI
import CustosCore
import CustosPolicy
import CustosState
import Foundation

extension OperationView {
    /// The operation's canonical content, decoded here, after checking that everything the
    /// gateway says about it is that content: its id (and the id asked for, if any), its digest,
    /// proposer, action and summary. The gateway is not trusted; what a person reads or signs is
    /// what the nodes will check. Ends the command with one line naming what differs.
    func checkedProposal(asked: String? = nil) -> GovernanceProposal {
        let shown = printable(id)
        guard let bytes = Data(base64Encoded: proposal) else { fail("the gateway sent a proposal that is not base64 for \"\(shown)\"") }
        let decoded: GovernanceProposal
        do { decoded = try GovernanceProposal(encoded: Array(bytes)) } catch {
            fail("the gateway sent a proposal for \"\(shown)\" that does not decode: \(error.reason)")
        }
        if let asked, decoded.id != asked {
            fail("the gateway sent operation \"\(printable(decoded.id))\" for \"\(printable(asked))\"")
        }
        guard decoded.id == id else { fail("the gateway lists operation \"\(shown)\" with the content of \"\(printable(decoded.id))\"") }
        guard decoded.digest.hexString == digest else { fail("the gateway's digest for \(shown) is not the digest of its content") }
        guard decoded.proposer == proposer, decoded.change.operation.action.rawValue == action, decoded.change.summary == summary else {
            fail("the gateway's proposer, action or summary of \(shown) is not its content")
        }
        return decoded
    }
}
