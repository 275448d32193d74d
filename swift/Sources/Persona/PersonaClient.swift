import Foundation
import PersonaBindings

/// The Persona API client: `async` methods over libpersona's client (Rust, on its own tokio runtime).
///
/// One client per process is enough: it is `Sendable`, and concurrent calls from many tasks overlap.
/// Retries are built in (429 with its Retry-After, 502/503/504, connection failures), and every POST
/// carries one Idempotency-Key for all of its attempts, so a retry never creates twice.
///
/// ```swift
/// let client = try PersonaClient(credentials: .apiKey("persona_sandbox_..."))
/// let inquiry = try await client.inquiries.create(["inquiry-template-id": "itmpl_..."])
/// for try await inquiry in client.inquiries.list(filters: ["status": "completed"]) {
///     print(inquiry.id)
/// }
/// ```
public final class PersonaClient: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// How the client authenticates.
    public enum Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// Persona's bearer API key.
        case apiKey(String)
        /// A `v1` signing key id and its secret: every request is signed.
        case keyPair(keyID: String, secret: String)
        /// `PERSONA_API_KEY`, or `PERSONA_API_KEY_ID` + `PERSONA_API_KEY_SECRET`, from the environment.
        case environment

        public var description: String {
            switch self {
            case .apiKey: return "apiKey([REDACTED])"
            case let .keyPair(keyID, _): return "keyPair(keyID: \(keyID), secret: [REDACTED])"
            case .environment: return "environment"
            }
        }

        public var debugDescription: String { description }

        /// `dump()` and debuggers show the redacted description, not the secret.
        public var customMirror: Mirror { Mirror(self, children: ["credentials": description]) }
    }

    /// The API base URL (nil: Persona's, `https://api.withpersona.com/api/v1`).
    public var baseURL: URL? { baseURLString.flatMap { URL(string: $0) } }
    // Stored as String: URL's Sendable conformance is missing from older Linux Foundations.
    private let baseURLString: String?
    /// Every operation of Persona's API as an `async` method, by group, generated from Persona's
    /// OpenAPI document: `try await client.api.inquiries.retrieve("inq_…", include: ["sessions"])`.
    public var api: Api { Api(client: client) }
    /// `/inquiries`.
    public let inquiries: Inquiries
    /// `/accounts`.
    public let accounts: Accounts
    /// `/verifications` (retrieve only).
    public let verifications: Resources
    /// `/events`.
    public let events: Resources
    /// `/webhooks`.
    public let webhooks: Resources
    private let client: PersonaBindings.Client

    /// - Parameters:
    ///   - credentials: an API key, a `v1` key pair, or the environment (the default).
    ///   - baseURL: another API root, e.g. a local `persona sandbox`; plain http only for loopback.
    ///   - personaVersion: the `Persona-Version` header (default: the version the operations were
    ///     generated for); `"none"` sends none, so the API key's dashboard version applies.
    ///   - expectedEnvironment: `sandbox` or `production`: fails when the key is for the other.
    ///   - timeout: per attempt, in seconds.
    ///   - totalTimeout: for a whole call, retries included, in seconds.
    ///   - maxRetries: retries after the first attempt.
    /// - Throws: ``PersonaError/configuration(message:)`` or ``PersonaError/invalidInput(code:message:)``.
    public init(
        credentials: Credentials = .environment,
        baseURL: URL? = nil,
        personaVersion: String? = nil,
        expectedEnvironment: String? = nil,
        timeout: TimeInterval? = nil,
        totalTimeout: TimeInterval? = nil,
        maxRetries: Int? = nil
    ) throws {
        let retries: UInt32? = try maxRetries.map { value in
            guard let retries = UInt32(exactly: value) else {
                throw PersonaError.invalidArgument("maxRetries", "must be an integer from 0 to \(UInt32.max)")
            }
            return retries
        }
        for (name, value) in [("timeout", timeout), ("totalTimeout", totalTimeout)] {
            if let value = value, !(value >= 0) {
                throw PersonaError.invalidArgument(name, "must not be negative")
            }
        }
        let config = PersonaBindings.ClientConfig(
            baseUrl: baseURL?.absoluteString,
            personaVersion: personaVersion,
            expectedEnvironment: expectedEnvironment,
            requestTimeoutMs: timeout.map(milliseconds),
            totalTimeoutMs: totalTimeout.map(milliseconds),
            maxRetries: retries,
            binding: "swift"
        )
        // Credentials are an opaque object: no record (whose description would print it) holds them.
        let opaque: PersonaBindings.Credentials = try bridging {
            switch credentials {
            case let .apiKey(key): return try PersonaBindings.Credentials.apiKey(key: key)
            case let .keyPair(keyID, secret): return try PersonaBindings.Credentials.keyPair(keyId: keyID, secret: secret)
            case .environment: return try PersonaBindings.Credentials.fromEnv()
            }
        }
        let client = try bridging { try PersonaBindings.Client(credentials: opaque, config: config) }
        self.client = client
        baseURLString = baseURL?.absoluteString
        inquiries = Inquiries(client: client)
        accounts = Accounts(client: client)
        verifications = Resources(client: client, kind: "verification")
        events = Resources(client: client, kind: "event")
        webhooks = Resources(client: client, kind: "webhook")
    }

    /// Any endpoint: `path` is relative to the base URL (e.g. `/reports/rep_1`). Error statuses throw
    /// ``PersonaError/api(_:)``; a POST is retried with one Idempotency-Key like every other call.
    public func request(
        _ method: String,
        _ path: String,
        query: [String: String] = [:],
        json body: [String: Any]? = nil,
        idempotencyKey: String? = nil
    ) async throws -> APIResponse {
        let pairs = query.sorted { $0.key < $1.key }.map { PersonaBindings.QueryParam(name: $0.key, value: $0.value) }
        let bodyText = try body.map(jsonText)
        return try await bridgingAsync {
            let response = try await client.request(
                method: method, path: path, query: pairs, bodyJson: bodyText, idempotencyKey: idempotencyKey
            )
            return APIResponse(response)
        }
    }

    /// libpersona's version.
    public static var libraryVersion: String { PersonaBindings.version() }

    public var description: String {
        "PersonaClient(baseURL: \(baseURLString ?? "default"), credentials: [REDACTED])"
    }

    public var debugDescription: String { description }
}

/// `client.inquiries`.
public struct Inquiries: Sendable {
    let client: PersonaBindings.Client

    /// Creates an inquiry (`attributes` as in Persona's API, e.g. `inquiry-template-id`).
    /// All retries of this call share one Idempotency-Key (give your own to retry across calls).
    public func create(_ attributes: [String: Any], idempotencyKey: String? = nil) async throws -> Inquiry {
        let json = try jsonText(attributes)
        return try await bridgingAsync {
            Inquiry(try await client.createInquiry(attributesJson: json, idempotencyKey: idempotencyKey))
        }
    }

    public func retrieve(_ id: String) async throws -> Inquiry {
        try await bridgingAsync { Inquiry(try await client.retrieveInquiry(id: id)) }
    }

    public func update(_ id: String, _ attributes: [String: Any]) async throws -> Inquiry {
        let json = try jsonText(attributes)
        return try await bridgingAsync { Inquiry(try await client.updateInquiry(id: id, attributesJson: json)) }
    }

    /// Every matching inquiry, fetching pages as you iterate. `filters` are Persona's `filter[...]`
    /// keys without the wrapper, e.g. `["status": "completed", "reference-id": "user-1"]`.
    public func list(
        pageSize: Int? = nil, after: String? = nil, filters: [String: String] = [:]
    ) -> AutoPagingSequence<Inquiry> {
        let client = self.client
        return AutoPagingSequence(after: after) { cursor in
            try await bridgingAsync { () async throws -> Page<Inquiry> in
                let page = try await client.listInquiries(params: listParams(pageSize, cursor, filters))
                return Page(data: page.data.map { Inquiry($0) }, nextCursor: page.nextCursor)
            }
        }
    }

    /// One page (``Page/nextCursor`` continues it).
    public func page(size: Int? = nil, after: String? = nil, filters: [String: String] = [:]) async throws -> Page<Inquiry> {
        try await bridgingAsync { () async throws -> Page<Inquiry> in
            let page = try await client.listInquiries(params: listParams(size, after, filters))
            return Page(data: page.data.map { Inquiry($0) }, nextCursor: page.nextCursor)
        }
    }

    public func approve(_ id: String) async throws -> Inquiry { try await action(id, "approve") }
    public func decline(_ id: String) async throws -> Inquiry { try await action(id, "decline") }
    public func expire(_ id: String) async throws -> Inquiry { try await action(id, "expire") }
    /// Deletes the inquiry's personal data.
    public func redact(_ id: String) async throws -> Inquiry { try await action(id, "redact") }

    /// A session token to resume the inquiry's flow.
    public func resume(_ id: String) async throws -> String {
        try await bridgingAsync { try await client.resumeInquiry(id: id) }
    }

    /// Sandbox only: Persona's inquiry status actions, in order, e.g.
    /// `simulate(id, "start_inquiry", "complete_inquiry")`.
    public func simulate(_ id: String, _ actions: String...) async throws -> Inquiry {
        try await bridgingAsync { Inquiry(try await client.simulateInquiry(id: id, actions: actions)) }
    }

    private func action(_ id: String, _ action: String) async throws -> Inquiry {
        try await bridgingAsync { Inquiry(try await client.inquiryAction(id: id, action: action)) }
    }
}

/// `client.accounts`.
public struct Accounts: Sendable {
    let client: PersonaBindings.Client

    public func create(_ attributes: [String: Any] = [:], idempotencyKey: String? = nil) async throws -> Account {
        let json = try jsonText(attributes)
        return try await bridgingAsync {
            Account(try await client.createAccount(attributesJson: json, idempotencyKey: idempotencyKey))
        }
    }

    public func retrieve(_ id: String) async throws -> Account {
        try await bridgingAsync { Account(try await client.retrieveAccount(id: id)) }
    }

    public func update(_ id: String, _ attributes: [String: Any]) async throws -> Account {
        let json = try jsonText(attributes)
        return try await bridgingAsync { Account(try await client.updateAccount(id: id, attributesJson: json)) }
    }

    /// Every matching account, fetching pages as you iterate.
    public func list(
        pageSize: Int? = nil, after: String? = nil, filters: [String: String] = [:]
    ) -> AutoPagingSequence<Account> {
        let client = self.client
        return AutoPagingSequence(after: after) { cursor in
            try await bridgingAsync { () async throws -> Page<Account> in
                let page = try await client.listAccounts(params: listParams(pageSize, cursor, filters))
                return Page(data: page.data.map { Account($0) }, nextCursor: page.nextCursor)
            }
        }
    }
}

/// `client.verifications`, `client.events`, `client.webhooks`.
public struct Resources: Sendable {
    let client: PersonaBindings.Client
    /// `verification`, `event` or `webhook`.
    public let kind: String

    public func retrieve(_ id: String) async throws -> Resource {
        try await bridgingAsync { Resource(try await client.retrieveResource(kind: kind, id: id)) }
    }

    /// Every matching resource, fetching pages as you iterate (events and webhooks).
    public func list(
        pageSize: Int? = nil, after: String? = nil, filters: [String: String] = [:]
    ) -> AutoPagingSequence<Resource> {
        let client = self.client
        let kind = self.kind
        return AutoPagingSequence(after: after) { cursor in
            try await bridgingAsync { () async throws -> Page<Resource> in
                let page = try await client.listResources(kind: kind, params: listParams(pageSize, cursor, filters))
                return Page(data: page.data.map { Resource($0) }, nextCursor: page.nextCursor)
            }
        }
    }
}

func milliseconds(_ seconds: TimeInterval) -> UInt64 {
    guard seconds.isFinite else { return seconds > 0 ? UInt64.max : 0 }
    let ms = (seconds * 1000).rounded()
    if ms <= 0 { return 0 }
    if ms >= 1.8e19 { return UInt64.max }
    return UInt64(ms)
}
