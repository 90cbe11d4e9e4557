/// `/api/openapi.json`: an OpenAPI 3.1 description of every `/api` route.
/// The schemas name the members SPEC §6-§7 guarantee; objects stay open,
/// since `state` holds each kind's own fields.
enum OpenAPI {
    static let document = """
    {
      "openapi": "3.1.0",
      "info": {
        "title": "GoalLedger",
        "version": "0.2.0",
        "description": "Read-only JSON over HTTP: each route answers exactly what the command of that name prints with\
     --json (SPEC §9). Time parameters take YYYY, YYYY-MM,\
     YYYY-MM-DD (the end of that period) or an RFC 3339 instant. Unknown parameters are refused with 400."
      },
      "paths": {
        "/api/show/{id}": {
          "get": {
            "summary": "One entity's state at a point in time (goalledger show --json)",
            "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/asOf"},\
     {"$ref": "#/components/parameters/knownAt"}],
            "responses": {"200": {"description": "The entity",\
     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Show"}}}},
                          "400": {"$ref": "#/components/responses/BadParameter"},\
     "404": {"$ref": "#/components/responses/NotFound"}}
          }
        },
        "/api/tree/{id}": {
          "get": {
            "summary": "A plan with its themes, goals, indicators and initiatives (goalledger tree --json)",
            "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/asOf"},\
     {"$ref": "#/components/parameters/knownAt"}],
            "responses": {"200": {"description": "The tree",\
     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Tree"}}}},
                          "400": {"$ref": "#/components/responses/BadParameter"},\
     "404": {"$ref": "#/components/responses/NotFound"}}
          }
        },
        "/api/list": {
          "get": {
            "summary": "The entities that exist at a point in time (goalledger list --json)",
            "parameters": [{"$ref": "#/components/parameters/asOf"}, {"$ref": "#/components/parameters/knownAt"},
                           {"name": "kind", "in": "query", "required": false, "schema": {"type": "string",\
     "enum": ["actor", "plan", "theme", "goal", "indicator", "initiative"]}}],
            "responses": {"200": {"description": "Show objects",\
     "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Show"}}}}},
                          "400": {"$ref": "#/components/responses/BadParameter"}}
          }
        },
        "/api/history/{id}": {
          "get": {
            "summary": "Every event of one entity with its field-level changes (goalledger history --json)",
            "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/asOf"},\
     {"$ref": "#/components/parameters/knownAt"}],
            "responses": {"200": {"description": "Exported events, each with changes",\
     "content": {"application/json": {"schema": {"type": "array",\
     "items": {"$ref": "#/components/schemas/HistoryRow"}}}}},
                          "400": {"$ref": "#/components/responses/BadParameter"},\
     "404": {"$ref": "#/components/responses/NotFound"}}
          }
        },
        "/api/diff/{id}": {
          "get": {
            "summary": "Field-level differences between two as-of times (goalledger diff --json)",
            "parameters": [{"$ref": "#/components/parameters/id"},
                           {"name": "from", "in": "query", "required": true, "schema": {"type": "string"}},
                           {"name": "to", "in": "query", "required": true, "schema": {"type": "string"}},
                           {"$ref": "#/components/parameters/knownAt"}],
            "responses": {"200": {"description": "The differences",\
     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Diff"}}}},
                          "400": {"$ref": "#/components/responses/BadParameter"},\
     "404": {"$ref": "#/components/responses/NotFound"}}
          }
        },
        "/api/audit": {
          "get": {
            "summary": "Who changed what, across all streams, in position order (goalledger audit --json)",
            "parameters": [
              {"name": "type", "in": "query", "required": false, "explode": true, "schema": {"type": "array",\
     "items": {"type": "string"}}},
              {"name": "actor", "in": "query", "required": false, "explode": true, "schema": {"type": "array",\
     "items": {"type": "string"}}},
              {"name": "field", "in": "query", "required": false, "schema": {"type": "string"}},
              {"name": "stream", "in": "query", "required": false, "schema": {"type": "string"}},
              {"name": "backdated", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}},
              {"name": "loosened", "in": "query", "required": false, "schema": {"type": "string", "enum": ["1", "true",\
     "on", "yes"]}},
              {"$ref": "#/components/parameters/knownAt"}],
            "responses": {"200": {"description": "History rows with their stream",\
     "content": {"application/json": {"schema": {"type": "array",\
     "items": {"$ref": "#/components/schemas/HistoryRow"}}}}},
                          "400": {"$ref": "#/components/responses/BadParameter"}}
          }
        },
        "/api/head": {
          "get": {
            "summary": "The last event's position and hash: the digest to publish (goalledger head --json)",
            "responses": {"200": {"description": "The head",\
     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Head"}}}},
                          "404": {"$ref": "#/components/responses/NotFound"}}
          }
        },
        "/api/openapi.json": {
          "get": {
            "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3.1",\
     "content": {"application/json": {"schema": {"type": "object"}}}}}
          }
        }
      },
      "components": {
        "parameters": {
          "id": {"name": "id", "in": "path", "required": true,\
     "description": "Entity id; its slashes stay slashes in the path.", "schema": {"type": "string"}},
          "asOf": {"name": "as-of", "in": "query", "required": false,\
     "description": "Valid time: only events with effective at or before it.", "schema": {"type": "string"}},
          "knownAt": {"name": "known-at", "in": "query", "required": false,\
     "description": "System time: only events the ledger had recorded by then.", "schema": {"type": "string"}}
        },
        "responses": {
          "BadParameter": {"description": "A parameter is malformed or unknown; the message names it.",\
     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "NotFound": {"description": "No such entity at that time.",\
     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
          "Head": {"type": "object", "required": ["position", "hash"], "properties": {"position": {"type": "integer"},\
     "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}},
          "Show": {"type": "object", "required": ["id", "kind", "asOf", "knownAt", "version", "state", "lastChange"],
                   "properties": {"id": {"type": "string"}, "kind": {"type": "string"}, "asOf": {"type": ["string",\
     "null"]},
                                  "knownAt": {"type": ["string", "null"]}, "version": {"type": "integer"},
                                  "state": {"type": "object"}, "lastChange": {"type": "object"}}},
          "Tree": {"type": "object", "required": ["plan", "themes", "goals", "indicators", "initiatives"],
                   "properties": {"plan": {"$ref": "#/components/schemas/Show"},
                                  "themes": {"type": "array", "items": {"$ref": "#/components/schemas/Show"}},
                                  "goals": {"type": "array", "items": {"$ref": "#/components/schemas/Show"}},
                                  "indicators": {"type": "array", "items": {"$ref": "#/components/schemas/Show"}},
                                  "initiatives": {"type": "array", "items": {"$ref": "#/components/schemas/Show"}}}},
          "Change": {"type": "object", "required": ["field"], "properties": {"field": {"type": "string"}, "before": {},\
     "after": {}}},
          "HistoryRow": {"type": "object", "required": ["position", "version", "stream", "type", "effective", "actor",\
     "id", "recorded", "recordedBy", "prev", "hash", "data", "changes"],
                         "properties": {"position": {"type": "integer"}, "version": {"type": "integer"},\
     "stream": {"type": "string"},
                                        "type": {"type": "string"}, "effective": {"type": "string"},\
     "actor": {"type": "string"},
                                        "reason": {"type": "string"}, "decision": {"type": "string"},\
     "id": {"type": "string"},
                                        "recorded": {"type": "string"}, "recordedBy": {"type": "string"},\
     "prev": {"type": "string"},
                                        "hash": {"type": "string"}, "data": {"type": "object"},
                                        "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
                                        "context": {"type": "object",\
     "description": "With loosened: the latest measurement known at the revision and whether the goal was on\
     course."}}},
          "Diff": {"type": "object", "required": ["id", "from", "to", "changes"],
                   "properties": {"id": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"},
                                  "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
                                  "entities": {"type": "array", "items": {"type": "object"}}}}
        }
      }
    }

    """
}
