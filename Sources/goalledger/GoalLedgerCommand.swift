import ArgumentParser
import GoalLedgerCore
import GoalLedgerStore
import GoalLedgerWeb

@main
struct GoalLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goalledger",
        abstract: "An append-only, hash-chained ledger of municipal strategy: plans, goals, targets, measurements.",
        discussion: """
            Every change is an event with two clocks: `effective` (when it took effect in the world, \
            given by you) and `recorded` (when the ledger appended it). Ask any question about the past \
            with --as-of (valid time) and --known-at (system time).

            The ledger file is --db PATH, else $GOALLEDGER_DB, else ./goalledger.sqlite.

            Start here:
              goalledger demo            # import the bundled seed ledgers and tour them
              goalledger show ballerup/vision-2029 --as-of 2016-06
              goalledger audit --field target
              goalledger serve           # the same answers as web pages

            Exit codes: 0 ok, 1 other failure, 2 input rejected (nothing written), 3 not found, \
            4 concurrency conflict, 5 integrity failure, 64 usage.
            """,
        version: "0.1.0",
        subcommands: [
            Append.self, Import.self, Export.self, Show.self, Tree.self, List.self, History.self, Diff.self,
            Audit.self, Replay.self, Verify.self, Head.self, Serve.self, Site.self, Demo.self,
            Keygen.self, CheckpointCommand.self, Prove.self, VerifyProof.self, Cosign.self,
        ])
}
