import AltcraftWire
import CampaignScript
import XCTest

@testable import CopsShell

/// `ResumeLedger`: journals written by hand (the format of docs/changes.md, "Run journals"),
/// matched per key and occurrence, merged over a chain.
final class ResumeLedgerTests: XCTestCase {
    /// A journal's contents from `(seq, operation line, result or nil)`, in the order given.
    private func contents(_ changes: [(Int, String, String?)], newIDs: [Int: Int64] = [:]) throws -> RunJournalContents {
        var lines = [#"{"type":"header","format":1}"#]
        for (sequence, change, _) in changes { lines.append(#"{"type":"intent","seq":\#(sequence),\#(change)}"#) }
        for (sequence, _, result) in changes {
            guard let result else { continue }
            let id = newIDs[sequence].map { #","id":\#($0)"# } ?? ""
            lines.append(#"{"type":"outcome","seq":\#(sequence),"result":"\#(result)"\#(id)}"#)
        }
        return try RunJournalContents.parse(Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    private let deactivate15 = #""operation":"deactivate","campaign":15,"parameters":{"abort":false}"#
    private let clone5 = #""operation":"clone","campaign":5,"parameters":{"name":"copy"}"#

    func testEachOccurrenceOfAKeyIsMatchedInOrder() throws {
        let journal = try contents(
            [(1, deactivate15, "done"), (2, clone5, "done"), (3, deactivate15, "failed")], newIDs: [2: 77])
        let ledger = ResumeLedger(chain: [("j1", journal)])
        XCTAssertEqual(ledger.take(.clone(id: 5, name: "copy"))?.outcome, .done(newID: 77))
        XCTAssertEqual(ledger.take(.deactivate(id: 15, abort: false))?.outcome, .done(newID: nil))
        XCTAssertEqual(ledger.take(.deactivate(id: 15, abort: false))?.outcome, .failed)
        XCTAssertNil(ledger.take(.deactivate(id: 15, abort: false)), "beyond the journal")
        XCTAssertNil(ledger.take(.deactivate(id: 15, abort: true)), "other parameters are another key")
        XCTAssertNil(ledger.take(.clone(id: 5, name: nil)), "a clone by its source and name")
    }

    func testAnIntentWithoutOutcomeIsUnknown() throws {
        let journal = try contents([(1, clone5, nil), (2, deactivate15, "unknown")])
        let ledger = ResumeLedger(chain: [("j1", journal)])
        XCTAssertEqual(ledger.take(.clone(id: 5, name: "copy")), ResumeLedger.Entry(outcome: .unknown, journal: "j1"))
        XCTAssertEqual(ledger.take(.deactivate(id: 15, abort: false))?.outcome, .unknown)
    }

    /// Done anywhere in the chain is done; otherwise the newest journal's word counts.
    func testAChainKeepsWhatAnyJournalRecordsDone() throws {
        let first = try contents([(1, deactivate15, "done"), (2, clone5, nil), (3, deactivate15, "unknown")])
        // The rerun skipped the first, sent the clone (the first run's was unknown but the
        // test pretends it was settled) and died before its record of the third.
        let second = try contents([(1, deactivate15, nil), (2, clone5, "done")], newIDs: [2: 90])
        let ledger = ResumeLedger(chain: [("j1", first), ("j2", second)])
        XCTAssertEqual(
            ledger.take(.deactivate(id: 15, abort: false)), ResumeLedger.Entry(outcome: .done(newID: nil), journal: "j1"))
        XCTAssertEqual(ledger.take(.clone(id: 5, name: "copy")), ResumeLedger.Entry(outcome: .done(newID: 90), journal: "j2"))
        XCTAssertEqual(ledger.take(.deactivate(id: 15, abort: false)), ResumeLedger.Entry(outcome: .unknown, journal: "j1"))
    }
}
