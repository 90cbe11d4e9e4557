/// What the append-time rules need to know about the ledger as it stands.
///
/// The store answers from the ledger file as it stands in the append;
/// tests can answer from memory. Everything here is the ledger's current
/// knowledge: all events, no time limits.
public protocol LedgerView {
    /// The kind of an existing stream, fixed by its first event; nil when there is no such stream.
    func kind(of stream: String) throws -> EntityKind?
    /// The stream's version: the number of its events (0 for none).
    func version(of stream: String) throws -> Int64
    /// The current state of a stream (nil when it has none, e.g. its creation was retracted).
    func currentState(of stream: String) throws -> Folded?
    /// An event by id, if present.
    func event(id: String) throws -> Event?
    /// Whether an event has been retracted.
    func isRetracted(id: String) throws -> Bool
    /// The first event of a stream (the one that created it).
    func creationEvent(of stream: String) throws -> Event?
    /// When the stream's creation took effect (what the rules read of it).
    func creationEffective(of stream: String) throws -> Effective?
}

extension LedgerView {
    public func creationEffective(of stream: String) throws -> Effective? { try creationEvent(of: stream)?.effective }
}

/// The append-time rules of SPEC §5 that need the ledger: kinds, references,
/// registered actors, revision reasons, retractions, expected versions.
public enum Rules {
    public static func check(_ input: EventInput, against ledger: some LedgerView) throws -> Void {
        func reject(_ message: String) -> InputError { InputError(message) }
        let existing = try ledger.kind(of: input.stream)

        if let expected = input.expectedVersion {
            let version = try ledger.version(of: input.stream)
            if version != expected {
                throw InputError("stream \(input.stream) is at version \(version), expected \(expected)",
                                 kind: .conflict)
            }
        }

        // Kind of stream.
        if let creates = input.type.creates {
            if let existingKind = existing {
                throw reject(
                    "stream \(input.stream) already exists (\(existingKind.withArticle)); "
                        + "\(input.type.rawValue) creates a new \(creates.rawValue)")
            }
        } else {
            guard let existingKind = existing else {
                throw reject(
                    "no stream \(input.stream); create it first "
                        + "(\(input.type.appliesTo.compactMap { creationName($0) }.joined(separator: " or ")))")
            }
            guard input.type.appliesTo.contains(existingKind) else {
                throw reject("\(input.type.rawValue) does not apply to \(existingKind.withArticle) (\(input.stream))")
            }
        }

        // The actor.
        if input.actor == input.stream {
            guard input.type == .actorRegistered else {
                throw reject("actor \(input.actor) is the stream itself; only ActorRegistered may name its own stream")
            }
        } else {
            let actorKind = try ledger.kind(of: input.actor)
            guard actorKind == .actor else {
                throw reject(actorKind == nil
                    ? "actor \(input.actor) is not registered (append ActorRegistered first)"
                    : "actor \(input.actor) is \(actorKind!.withArticle), not a registered actor")
            }
        }

        // References in data.
        for field in input.type.fields {
            guard let value = input.data[field.name] else { continue }
            switch field.type {
            case .ref(let kinds):
                let id = value.stringValue!
                let referenced = try ledger.kind(of: id)
                guard let referenced, kinds.contains(referenced) else {
                    let want = kinds.map(\.rawValue).joined(separator: " or ")
                    throw reject(referenced == nil ? "data.\(field.name): no \(want) \(id)"
                                          : "data.\(field.name): \(id) is \(referenced!.withArticle), "
                                              + "not \(kinds.map(\.withArticle).joined(separator: " or "))")
                }
                if id == input.stream {
                    throw reject("data.\(field.name): \(id) cannot refer to itself")
                }
            case .linkTarget:
                let to = value.stringValue!
                if Identifier.isEntityID(to) {
                    let linked = try ledger.kind(of: to)
                    guard let linked, EntityKind.linkable.contains(linked) else {
                        throw reject(linked == nil ? "data.to: no entity \(to)"
                                              : "data.to: \(to) is \(linked!.withArticle); links go to plans, themes, "
                                                  + "goals, indicators, initiatives or scheme:value references")
                    }
                    if to == input.stream { throw reject("data.to: an entity cannot link to itself") }
                }
            default:
                break
            }
        }

        // A theme given to a goal or initiative belongs to the same plan.
        if let theme = input.data["theme"]?.stringValue {
            let plan: String? = input.type.creates != nil
                ? input.data["plan"]?.stringValue
                : try ledger.currentState(of: input.stream)?.state["plan"]?.stringValue
            let themePlan = try ledger.currentState(of: theme)?.state["plan"]?.stringValue
            if let plan, let themePlan, plan != themePlan {
                throw reject("data.theme: \(theme) belongs to plan \(themePlan), not \(plan)")
            }
        }

        guard input.type.creates == nil else { return }

        // Nothing takes effect before the entity exists.
        if let created = try ledger.creationEffective(of: input.stream), input.effective < created {
            throw reject("effective \(input.effective) is before \(input.stream) was created (\(created))")
        }

        switch input.type {
        case .targetSet:
            if input.reason == nil, try ledger.currentState(of: input.stream)?.state[.target] != nil {
                throw reject("\(input.stream) already has a target; revising it needs a \"reason\"")
            }
        case .unlinked:
            let to = input.data["to"]
            let links = try ledger.currentState(of: input.stream)?.state[.links]?.arrayValue ?? []
            if !links.contains(where: { $0.objectValue?["to"] == to }) {
                throw reject("data.to: \(input.stream) is not linked to \(to?.stringValue ?? "")")
            }
        case .retracted:
            let id = input.data["event"]!.stringValue!
            guard let target = try ledger.event(id: id) else { throw reject("data.event: no event with id \(id)") }
            guard target.stream == input.stream else {
                throw reject("data.event: event \(id) belongs to stream \(target.stream), not \(input.stream)")
            }
            guard target.type != .retracted else {
                throw reject(
                    "data.event: \(id) is itself a retraction; "
                        + "retractions cannot be retracted (append the event again instead)")
            }
            if try ledger.isRetracted(id: id) { throw reject("data.event: event \(id) is already retracted") }
        default:
            break
        }
    }

    static func creationName(_ kind: EntityKind) -> String? {
        EventType.allCases.first { $0.creates == kind }?.rawValue
    }
}
