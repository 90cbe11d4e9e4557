import ArgumentParser
import GoalLedgerCore
import GoalLedgerStore
import GoalLedgerWeb

struct JSONFlag: ParsableArguments {
    @Flag(help: "Print JSON instead of text.") var json = false
}

/// Prints `--json` output: the same bytes `/api/…` answers with (see `APIJSON`).
func printAPIJSON(_ json: String) {
    var json = json
    json.withUTF8 { Out.write(Array($0)) }
}

extension GoalLedgerCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one entity's state at a point in time.",
            discussion: """
                  goalledger show ballerup/vision-2029                  # now
                  goalledger show ballerup/vision-2029 --as-of 2016-06  # end of June 2016
                  goalledger show ballerup/erhverv-2021/mal-3 --as-of 2022 \\
                    --known-at 2023-01-01 --json
                Exit 3 when the entity does not exist at that time.
                """)
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var time: TimeOptions
        @OptionGroup var output: JSONFlag
        @Argument(help: ArgumentHelp("Entity id.", valueName: "id")) var id: String

        func run() throws {
            try runCommand {
                let (opened, point) = (try ledger.open(.read), try time.point)
                if output.json { return printAPIJSON(try APIJSON.show(opened, id, at: point)) }
                TextRender.show(try opened.show(id, at: point)).forEach(Out.print)
            }
        }
    }

    struct Tree: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a plan with its themes, goals (targets), indicators (latest measurement) and initiatives.",
            discussion: """
                  goalledger tree ballerup/erhverv-2021
                  goalledger tree ballerup/vision-2029 --as-of 2016-06
                With --json, one object whose members are `show` objects:
                  {"plan":SHOW,"themes":[…],"goals":[…],"indicators":[…],"initiatives":[…]}
                """)
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var time: TimeOptions
        @OptionGroup var output: JSONFlag
        @Argument(help: ArgumentHelp("Plan id.", valueName: "plan")) var plan: String

        func run() throws {
            try runCommand {
                let (opened, point) = (try ledger.open(.read), try time.point)
                if output.json { return printAPIJSON(try APIJSON.tree(opened, plan, at: point)) }
                TextRender.tree(try opened.tree(plan, at: point)).forEach(Out.print)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the entities that exist at a point in time.",
            discussion: """
                  goalledger list --kind plan
                  goalledger list --kind goal --as-of 2018 --json
                """)
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var time: TimeOptions
        @OptionGroup var output: JSONFlag
        @Option(help: ArgumentHelp(
            "Only this kind: actor, plan, theme, goal, indicator, initiative.", valueName: "kind"))
        var kind: Parsed<EntityKind>?

        func validate() throws { try kind?.check() }

        func run() throws {
            try runCommand {
                let (opened, point, kind) = (try ledger.open(.read), try time.point, try kind?.value)
                if output.json { return printAPIJSON(try APIJSON.list(opened, kind: kind, at: point)) }
                TextRender.list(try opened.list(kind: kind, at: point), kindColumn: kind == nil).forEach(Out.print)
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every event of one entity, with who, when, why and what it changed.",
            discussion: """
                Each event shows effective, recorded, actor, recordedBy, reason, decision and \
                its field-level changes (field: before → after), measured at the event's \
                effective date as the ledger stood just before and just after it was recorded.
                  goalledger history ballerup/erhverv-2021/mal-3
                  goalledger history ballerup/erhverv-2021/mal-3 --known-at 2024 --json
                """)
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var time: TimeOptions
        @OptionGroup var output: JSONFlag
        @Argument(help: ArgumentHelp("Entity id.", valueName: "id")) var id: String

        func run() throws {
            try runCommand {
                let (opened, point) = (try ledger.open(.read), try time.point)
                // Row by row: a stream of 100k events is printed as it is worked out, not held.
                if output.json { return try APIJSON.history(opened, id, at: point, write: printAPIJSON) }
                try opened.history(id, at: point) { row in TextRender.history(row, withStream: false).forEach(Out.print) }
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Field-level differences of an entity between two times; for a plan also its entities.",
            discussion: """
                  goalledger diff ballerup/erhverv-2021/mal-3 --from 2018 --to 2022
                  goalledger diff ballerup/vision-2029 --from 2016-06 --to 2017 --json
                """)
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: JSONFlag
        @Argument(help: ArgumentHelp("Entity id.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("The earlier as-of time.", valueName: "T1")) var from: Parsed<TimePoint>
        @Option(help: ArgumentHelp("The later as-of time.", valueName: "T2")) var to: Parsed<TimePoint>
        @Option(name: .customLong("known-at"), help: ArgumentHelp("System time for both states.", valueName: "T"))
        var knownAt: Parsed<TimePoint>?

        func validate() throws {
            try from.check()
            try to.check()
            try knownAt?.check()
        }

        func run() throws {
            try runCommand {
                let opened = try ledger.open(.read)
                let (start, end, known) = (try from.value, try to.value, try knownAt?.value)
                if output.json {
                    return printAPIJSON(try APIJSON.diff(opened, id, from: start, to: end, knownAt: known))
                }
                TextRender.diff(try opened.diff(id, from: start, to: end, knownAt: known)).forEach(Out.print)
            }
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who changed what, across all streams, in position order.",
            discussion: """
                  goalledger audit --field target   # every target change: who, when, why
                  goalledger audit --backdated 30   # recorded more than 30 days after effect
                  goalledger audit --loosened       # targets made easier to meet
                  goalledger audit --stream ballerup --actor ballerup/kb --json
                --field matches a path or its prefix (target matches target.value); --stream \
                matches whole id segments (ballerup matches ballerup/kb). Filters combine with \
                AND; --type and --actor may be repeated.

                --loosened lists target revisions whose value moved against the comparator \
                (lower for >=, higher for <=) or whose deadline moved later or went, each \
                with the latest measurement known when it was recorded and whether the goal \
                was then on course against the target it replaced (--json: "context").
                """)
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: JSONFlag
        @Option(help: ArgumentHelp("Only this event type (repeatable).", valueName: "type"))
        var type: [Parsed<EventType>] = []
        @Option(help: ArgumentHelp("Only events by this actor (repeatable).", valueName: "id")) var actor: [String] = []
        @Option(help: ArgumentHelp("Only events that changed this field or a field under it.", valueName: "path"))
        var field: String?
        @Option(help: ArgumentHelp("Only streams with this id prefix.", valueName: "prefix")) var stream: String?
        @Option(help: ArgumentHelp("Only events recorded more than DAYS after they took effect.", valueName: "DAYS"))
        var backdated: Int?
        @Flag(help: "Only target revisions that made a goal easier to meet (moved goalposts).") var loosened = false
        @Option(name: .customLong("known-at"), help: ArgumentHelp("Only events recorded by T.", valueName: "T"))
        var knownAt: Parsed<TimePoint>?
        @Flag(help: "Only signed events (SPEC §10).") var signed = false
        @Flag(help: "Only unsigned events.") var unsigned = false

        func validate() throws {
            if signed && unsigned { throw ValidationError("give --signed or --unsigned, not both") }
            for eventType in type { try eventType.check() }
            if let backdated, backdated < 0 { throw ValidationError("--backdated takes a number of days ≥ 0") }
            try knownAt?.check()
        }

        func run() throws {
            try runCommand {
                var filter = AuditFilter()
                filter.types = try type.map { try $0.value }
                filter.actors = actor
                filter.field = field
                filter.stream = stream
                filter.backdatedDays = backdated
                filter.loosened = loosened
                if signed { filter.signatures = .signedOnly }
                if unsigned { filter.signatures = .unsignedOnly }
                filter.knownAt = try knownAt?.value
                let opened = try ledger.open(.read)
                // The first row goes out at once, not when 64 KiB of output have gathered: the scan may
                // pause after it to fold a late stream whole (`Ledger.audit`; on the 1M long-stream
                // ledger its next output came 24 s after the first row), and a reader should see it start.
                if output.json {
                    var firstRowOut = false
                    return try APIJSON.audit(opened, filter) { text in
                        printAPIJSON(text)
                        if !firstRowOut && text != "[" {
                            Out.flush()
                            firstRowOut = true
                        }
                    }
                }
                var count = 0
                var rows: [HistoryRow] = []
                try opened.auditOnTwoCores(filter, row: { row in
                    // --loosened adds what the ledger knew then, read after the scan.
                    if loosened {
                        rows.append(row)
                    } else {
                        TextRender.history(row, withStream: true).forEach(Out.print)
                        if count == 0 { Out.flush() }
                    }
                    count += 1
                })
                for row in rows {
                    TextRender.history(row, withStream: true).forEach(Out.print)
                    TextRender.revisionContext(try opened.revisionContext(of: row)).forEach(Out.print)
                }
                Out.print(TextRender.eventCount(count))
            }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild every projection from the events; or write a past moment's projections to a new file.",
            discussion: """
                  goalledger replay                 # rebuild the projections in place
                  goalledger replay --as-of 2018 --into ledger-2018.sqlite
                The historical file holds the tables entities, target_history and \
                measurements and the views current_goals and current_indicators, as of that \
                time; the ledger is untouched.
                """)
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var time: TimeOptions
        @Option(help: ArgumentHelp("Write the projections to this new SQLite file instead.", valueName: "file"))
        var into: String?

        func validate() throws {
            if (time.asOf != nil || time.knownAt != nil) && into == nil {
                throw ValidationError(
                    "--as-of/--known-at need --into FILE: the ledger's own projections are always current")
            }
        }

        func run() throws {
            try runCommand {
                if let into {
                    let point = try time.point
                    let bar = ProgressLine("replay")
                    let written = try ledger.open(.read).writeHistoricalView(into: into, at: point,
                                                                             progress: bar.update)
                    bar.finish()
                    Out.print(TextRender.historicalView(written, point, path: into))
                } else {
                    let bar = ProgressLine("replay")
                    let replayed = try ledger.open(.write).replay(progress: bar.update)
                    bar.finish()
                    Out.print(TextRender.replayed(replayed))
                }
            }
        }
    }
}
