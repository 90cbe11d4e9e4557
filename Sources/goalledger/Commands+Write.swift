import ArgumentParser
import GoalLedgerCore
import GoalLedgerStore
import GoalLedgerWeb

extension GoalLedgerCommand {
    struct Append: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append one event, from flags or from one JSON object on stdin.",
            discussion: """
                With flags:
                  goalledger append --stream ballerup/erhverv-2021/mal-3 --type TargetSet \\
                    --effective 2021-06-22 --actor ballerup/kb \\
                    --reason "Ny politik 2021-2025" --decision "KB 22.06.2021 pkt. 7" \\
                    --data '{"value":30,"unit":"%","comparator":">=","deadline":"2025-12-31"}'

                From stdin (when no --stream, --type, --effective, --actor or --data is given):
                  echo '{"stream":"…","type":"…","effective":"…","actor":"…","data":{…}}' \\
                    | goalledger append

                Prints the stored event's position, stream, version, type and id (--json: \
                the exported event). An event whose id is already present with the same \
                content is skipped (exit 0).

                Signed with a registered key (SPEC §10, docs/PROOFS.md), recorded by its name:
                  goalledger append --sign ~/.goalledger/clerk.key --stream … --data …
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var writer: WriterOptions
        @Option(help: ArgumentHelp("Entity id of the stream, e.g. ballerup/vision-2029.", valueName: "id"))
        var stream: String?
        @Option(help: ArgumentHelp("Event type, e.g. PlanDrafted, TargetSet (SPEC §5).", valueName: "type"))
        var type: String?
        @Option(help: ArgumentHelp("When it took effect: YYYY-MM-DD or an RFC 3339 instant.", valueName: "date"))
        var effective: String?
        @Option(help: ArgumentHelp("Registered actor on whose behalf, e.g. ballerup/kb.", valueName: "id"))
        var actor: String?
        @Option(help: ArgumentHelp("The event's data as a JSON object.", valueName: "json")) var data: String?
        @Option(help: "Why (needed when revising a target).") var reason: String?
        @Option(help: ArgumentHelp("The authority: meeting and item.", valueName: "text")) var decision: String?
        @Option(help: ArgumentHelp("Idempotency key, 1-100 characters (default: a new UUID).", valueName: "key"))
        var id: String?
        @Option(name: .customLong("expected-version"), help: ArgumentHelp(
            "Fail with exit 4 unless the stream is at this version (0 = must not exist yet).", valueName: "n"))
        var expectedVersion: Int?
        @Flag(help: "Print the stored event as JSON.") var json = false
        @OptionGroup var signing: SigningOptions

        var usesFlags: Bool { [stream, type, effective, actor, data].contains { $0 != nil } }

        func validate() throws {
            if usesFlags {
                for (name, v) in [("--stream", stream), ("--type", type), ("--effective", effective),
                                  ("--actor", actor), ("--data", data)]
                where v == nil {
                    throw ValidationError(
                        "missing \(name) (give all of --stream, --type, --effective, --actor, --data, "
                            + "or none and JSON on stdin)")
                }
            } else if reason != nil || decision != nil || id != nil || expectedVersion != nil {
                throw ValidationError(
                    "--reason, --decision, --id and --expected-version go with the flags form; "
                        + "on stdin put them in the JSON object")
            }
        }

        func run() throws {
            try runCommand {
                var input = try readInput()
                try signing.sign(&input)
                let opened = try ledger.open(.write)
                let outcome = try opened.append([input], context: writer.context())[0]
                Out.print(json ? outcome.event.exportLine() : TextRender.appended(outcome))
            }
        }

        func readInput() throws -> EventInput {
            if usesFlags {
                let dataValue: JSON
                do { dataValue = try JSONParser.parse(data!) } catch {
                    throw InputError("--data: invalid JSON: \(error)")
                }
                var object = JSONObject()
                object["stream"] = .string(stream!)
                object["type"] = .string(type!)
                object["effective"] = .string(effective!)
                object["actor"] = .string(actor!)
                if let reason { object["reason"] = .string(reason) }
                if let decision { object["decision"] = .string(decision) }
                if let id { object["id"] = .string(id) }
                if let expectedVersion { object["expectedVersion"] = .number(Double(expectedVersion)) }
                object["data"] = dataValue
                return try EventInput(object: object)
            }
            var reader = try NDJSONReader(path: "-")
            var inputs: [EventInput] = []
            do {
                try reader.forEachLine { line, _ in inputs.append(try EventInput.parse(line: line)) }
            } catch let error as InputError {
                throw LedgerError(error.line == nil ? error.at(line: reader.lineNumber) : error, file: "stdin")
            }
            guard inputs.count == 1 else {
                throw InputError(inputs.isEmpty ? "stdin: no event given (flags or one JSON object on stdin)"
                                                : "stdin: \(inputs.count) events given; "
                                                    + "append takes one (use import for more)")
            }
            return inputs[0]
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append the events of NDJSON files; each file all-or-nothing.",
            discussion: """
                Each line is an input event (SPEC §4) or an exported event (restore, backup, move):
                  goalledger import events/ballerup.ndjson events/albertslund.ndjson
                  goalledger export --db old.sqlite | goalledger import - --db new.sqlite

                A line whose id is already present with the same content is skipped, so \
                importing the same file twice changes nothing. On the first bad line the whole \
                file is rolled back and the error names it: error: plan.ndjson:17: …

                Every line signed by every --sign key (SPEC §10, docs/PROOFS.md):
                  goalledger import decisions.ndjson --sign ~/.goalledger/clerk.key
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var writer: WriterOptions
        @Argument(help: ArgumentHelp("NDJSON files; - for stdin.", valueName: "file")) var files: [String]
        @Flag(help: "No summary on stderr.") var quiet = false
        @OptionGroup var signing: SigningOptions

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one file (- for stdin)") }
        }

        func run() throws {
            try runCommand {
                let signers = try signing.signers()
                let opened = try ledger.open(.write)
                let context = try writer.context()
                for file in files {
                    let (appended, skipped) = try importFile(file, into: opened, context: context, signers: signers)
                    if !quiet { note("\(file == "-" ? "stdin" : file): \(appended) appended, \(skipped) skipped") }
                }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every event as NDJSON in position order.",
            discussion: """
                Each line is the exported event: the input members plus position, version, \
                id, recorded, recordedBy, prev and hash. Piped into `import` on an empty \
                ledger it reproduces the ledger exactly.
                  goalledger export > backup.ndjson
                  goalledger export --known-at 2024-01-01 | head
                """)

        @OptionGroup var ledger: LedgerOptions
        @Option(name: .customLong("known-at"), help: ArgumentHelp("Only events recorded by T.", valueName: "T"))
        var knownAt: Parsed<TimePoint>?

        func validate() throws { try knownAt?.check() }

        func run() throws {
            try runCommand {
                try ledger.open(.read).export(knownAt: try knownAt?.value) { Out.write($0) }
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the ledger's integrity and print its head.",
            discussion: """
                Checks the hash chain, gapless positions and versions, non-decreasing \
                recorded times, the append-only guard, and that every projection equals a \
                fresh fold. On failure it names the first bad position and exits 5.
                  goalledger verify
                  goalledger verify --against 41:3f2a…  # still extends a published digest?
                  goalledger verify --against checkpoint.txt --vkey goalledger.ballerup.dk/…
                """)

        @OptionGroup var ledger: LedgerOptions
        @Option(help: ArgumentHelp("A digest published earlier (from `head`), or a checkpoint file (with --vkey).",
                                   valueName: "POSITION:HASH|FILE"))
        var against: String?
        @Option(help: ArgumentHelp("The log's verifier key, for --against FILE.", valueName: "vkey")) var vkey: String?

        /// `--against` names a checkpoint file rather than a digest.
        var againstCheckpoint: String? {
            guard let against, !Self.looksLikeDigest(against) else { return nil }
            return against
        }

        static func looksLikeDigest(_ text: String) -> Bool {
            let parts = text.split(separator: ":", maxSplits: 1)
            return parts.count == 2 && !parts[0].isEmpty && parts[0].allSatisfy(\.isNumber) && parts[1].count == 64
        }

        func validate() throws {
            if againstCheckpoint != nil {
                if vkey == nil {
                    throw ValidationError("--against FILE (a checkpoint) needs --vkey, the log's verifier key")
                }
            } else {
                if let against { _ = try parseDigest(against) }
                if vkey != nil { throw ValidationError("--vkey goes with --against FILE (a checkpoint)") }
            }
        }

        func run() throws {
            try runCommand {
                var checkpoint: SignedCheckpoint? = nil
                if let againstCheckpoint, let vkey {
                    let signed = try KeyFiles.checkpoint(againstCheckpoint)
                    do { try signed.verify(log: try KeyFiles.verifier(vkey, "--vkey")) } catch let error as NoteError {
                        throw LedgerError.integrity("\(againstCheckpoint): \(error.message)")
                    }
                    checkpoint = signed
                }
                let opened = try ledger.open(.read)
                let bar = ProgressLine("verify")
                let digest = againstCheckpoint == nil ? try against.map(parseDigest) : nil
                let report = try opened.verify(against: digest, checkpoint: checkpoint?.checkpoint,
                                               progress: bar.update)
                bar.finish()
                let extends = checkpoint.map(\.checkpoint).map { "the checkpoint of \($0.origin) at size \($0.size)" }
                TextRender.verify(report, extends: extends ?? against).forEach(Out.print)
            }
        }

        func parseDigest(_ text: String) throws -> (Int64, String) {
            let parts = text.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let position = Int64(parts[0]), position >= 1,
                  Validation.isHash(String(parts[1])) else {
                throw ValidationError(
                    "--against takes POSITION:HASH as printed by `goalledger head`, e.g. 41:3f2a…(64 hex digits)")
            }
            return (position, String(parts[1]))
        }
    }

    struct Head: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print POSITION HASH of the last event: the digest to publish.",
            discussion: """
                Publish it (minutes, website); later `verify --against` proves that the \
                ledger still extends it:
                  goalledger head
                  goalledger head --json        # {"position":N,"hash":"…"}
                  goalledger verify --against "$(goalledger head | tr ' ' :)"
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: JSONFlag

        func run() throws {
            try runCommand {
                let opened = try ledger.open(.read)
                if output.json { return printAPIJSON(try APIJSON.head(opened)) }
                guard let head = try opened.head() else { throw LedgerError.notFound("the ledger is empty") }
                Out.print(TextRender.head(head))
            }
        }
    }
}

/// Imports one file in one transaction; returns (appended, skipped).
func importFile(_ file: String, into ledger: Ledger, context: AppendContext,
                signers: EventSigners = EventSigners([])) throws -> (Int, Int) {
    let name = file == "-" ? "stdin" : file
    var reader: NDJSONReader
    do { reader = try NDJSONReader(path: file) } catch { throw LedgerError(error) }
    var appended = 0, skipped = 0
    let bar = ProgressLine("import \(name)")
    do {
        try ledger.transaction(context: context) { append in
            // Lines are parsed and checked on the second core while this one appends.
            try reader.forEachLine(parsingAhead: { line in
                var input = try EventInput.parse(line: line)
                if !signers.isEmpty {
                    // Signed on the parsing core too, so signing costs the appending core nothing.
                    guard input.exported == nil else {
                        throw InputError("--sign: an exported line cannot be signed again")
                    }
                    signers.sign(&input, newID: Identifier.newEventID)
                }
                return input
            }) { parsed, n in
                do {
                    switch try append(try parsed.get()) {
                    case .appended: appended += 1
                    case .skipped: skipped += 1
                    }
                } catch let error as InputError {
                    throw LedgerError(error.at(line: n), file: name)
                } catch let error as LedgerError {
                    throw error.at(name, line: n)
                }
                if (appended + skipped) % 10_000 == 0 { bar.update(Int64(appended + skipped), 0) }
            }
        }
    } catch let error as InputError {
        // A line the reader refused (exit 2, with its line), or a file that cannot be read (exit 1).
        throw LedgerError(error, file: name)
    }
    bar.finish()
    return (appended, skipped)
}
