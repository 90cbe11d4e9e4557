import ArgumentParser
import GoalLedgerCore
import GoalLedgerStore

struct JSONFlag: ParsableArguments {
    @Flag(help: "Print JSON instead of text.") var json = false
}

func printJSON(_ v: JSON) { Out.print(JSONWriter.ordered(v)) }

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
                let v = try ledger.open(.read).show(id, at: time.point)
                if output.json { printJSON(v.json) } else { TextRender.show(v).forEach(Out.print) }
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
                let t = try ledger.open(.read).tree(plan, at: time.point)
                if output.json { printJSON(t.json) } else { TextRender.tree(t).forEach(Out.print) }
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
        @Option(help: ArgumentHelp("Only this kind: actor, plan, theme, goal, indicator, initiative.", valueName: "kind"))
        var kind: String?

        func validate() throws {
            if let kind, EntityKind(rawValue: kind) == nil {
                throw ValidationError("--kind must be one of \(EntityKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() throws {
            try runCommand {
                let views = try ledger.open(.read).list(kind: kind.flatMap(EntityKind.init(rawValue:)), at: time.point)
                if output.json { printJSON(.array(views.map(\.json))); return }
                let idWidth = min(44, views.map(\.id.count).max() ?? 2)
                // With --kind every row has the same kind: leave that column out and give the title the room.
                let kindColumn = kind == nil
                for v in views {
                    let status = TextRender.padRight(v.state.status ?? "", 10)
                    let left = TextRender.padRight(TextRender.clip(v.id, idWidth), idWidth) + "  "
                        + (kindColumn ? TextRender.padRight(v.kind.rawValue, 10) + " " : "") + status + " "
                    Out.print(left + TextRender.clip(v.state.title ?? "", max(10, TextRender.width - left.count)))
                }
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
                let rows = try ledger.open(.read).history(id, at: time.point)
                if output.json { printJSON(.array(rows.map(\.json))); return }
                for r in rows { TextRender.history(r, withStream: false).forEach(Out.print) }
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
        @Option(help: ArgumentHelp("The earlier as-of time.", valueName: "T1")) var from: String
        @Option(help: ArgumentHelp("The later as-of time.", valueName: "T2")) var to: String
        @Option(name: .customLong("known-at"), help: ArgumentHelp("System time for both states.", valueName: "T")) var knownAt: String?

        func validate() throws {
            for t in [from, to] + [knownAt].compactMap({ $0 }) {
                do { _ = try TimePoint(parsing: t) } catch { throw ValidationError(error.message) }
            }
        }

        func run() throws {
            try runCommand {
                let d = try ledger.open(.read).diff(id, from: TimePoint(parsing: from), to: TimePoint(parsing: to),
                                                    knownAt: knownAt.map { t throws(InputError) in try TimePoint(parsing: t) })
                if output.json { printJSON(d.json) } else { TextRender.diff(d).forEach(Out.print) }
            }
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who changed what, across all streams, in position order.",
            discussion: """
                  goalledger audit --field target   # every target change: who, when, why
                  goalledger audit --backdated 30   # recorded more than 30 days after effect
                  goalledger audit --stream ballerup --actor ballerup/kb --json
                --field matches a path or its prefix (target matches target.value); --stream \
                matches whole id segments (ballerup matches ballerup/kb). Filters combine with \
                AND; --type and --actor may be repeated.
                """)
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: JSONFlag
        @Option(help: ArgumentHelp("Only this event type (repeatable).", valueName: "type")) var type: [String] = []
        @Option(help: ArgumentHelp("Only events by this actor (repeatable).", valueName: "id")) var actor: [String] = []
        @Option(help: ArgumentHelp("Only events that changed this field or a field under it.", valueName: "path")) var field: String?
        @Option(help: ArgumentHelp("Only streams with this id prefix.", valueName: "prefix")) var stream: String?
        @Option(help: ArgumentHelp("Only events recorded more than DAYS after they took effect.", valueName: "DAYS")) var backdated: Int?
        @Option(name: .customLong("known-at"), help: ArgumentHelp("Only events recorded by T.", valueName: "T")) var knownAt: String?
        @Flag(help: "Only signed events (SPEC §10).") var signed = false
        @Flag(help: "Only unsigned events.") var unsigned = false

        func validate() throws {
            if signed && unsigned { throw ValidationError("give --signed or --unsigned, not both") }
            for t in type where EventType(rawValue: t) == nil { throw ValidationError("unknown --type \(t)") }
            if let backdated, backdated < 0 { throw ValidationError("--backdated takes a number of days ≥ 0") }
            if let knownAt { do { _ = try TimePoint(parsing: knownAt) } catch { throw ValidationError(error.message) } }
        }

        func run() throws {
            try runCommand {
                var f = AuditFilter()
                f.types = type.compactMap(EventType.init(rawValue:))
                f.actors = actor
                f.field = field
                f.stream = stream
                f.backdatedDays = backdated
                f.signed = signed ? true : unsigned ? false : nil
                f.knownAt = try knownAt.map { t throws(InputError) in try TimePoint(parsing: t) }
                let l = try ledger.open(.read)
                if output.json {
                    Out.write(Array("[".utf8))
                    var first = true
                    try l.audit(f) { r in
                        Out.write(Array((first ? "" : ",").utf8) + Array(JSONWriter.ordered(r.json).utf8))
                        first = false
                    }
                    Out.print("]")
                } else {
                    var n = 0
                    try l.audit(f) { r in
                        TextRender.history(r, withStream: true).forEach(Out.print)
                        n += 1
                    }
                    Out.print("\(n) event\(n == 1 ? "" : "s")")
                }
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
        @Option(help: ArgumentHelp("Write the projections to this new SQLite file instead.", valueName: "file")) var into: String?

        func validate() throws {
            if (time.asOf != nil || time.knownAt != nil) && into == nil {
                throw ValidationError("--as-of/--known-at need --into FILE: the ledger's own projections are always current")
            }
        }

        func run() throws {
            try runCommand {
                if let into {
                    let bar = ProgressLine("replay")
                    let n = try ledger.open(.read).writeHistoricalView(into: into, at: time.point, progress: bar.update)
                    bar.finish()
                    Out.print("wrote \(n) entities \(TextRender.when(time.point)) to \(into)")
                } else {
                    let bar = ProgressLine("replay")
                    let n = try ledger.open(.write).replay(progress: bar.update)
                    bar.finish()
                    Out.print("replayed \(n) events")
                }
            }
        }
    }
}
