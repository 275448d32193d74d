import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Persona
import XCTest

/// Paths relative to this file: swift/Tests/PersonaTests/Support.swift.
enum Paths {
    /// swift/
    static let package = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
    /// The repository root.
    static let repository = package.deletingLastPathComponent()
    /// tests/vectors/, the known-answer files every language reads.
    static let vectors = repository.appendingPathComponent("tests").appendingPathComponent("vectors")
    /// `persona` (the CLI with the sandbox): $PERSONA_BIN, or ../target/debug/persona.
    static var personaBinary: String {
        ProcessInfo.processInfo.environment["PERSONA_BIN"]
            ?? repository.appendingPathComponent("target/debug/persona").path
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
}

/// A real `persona sandbox` process on an ephemeral loopback port (as python/tests/conftest.py).
final class Sandbox {
    static let apiKey = "persona_sandbox_SWIFT-KEY-do-not-leak"
    static let keyID = "kid_swift"
    static let secret = "swift-SECRET-do-not-leak"
    static let adminToken = "sbx_admin_swift"

    let origin: String
    private let process: Process
    private let output: Pipe

    var baseURL: URL { URL(string: origin + "/api/v1")! }

    init() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.personaBinary)
        process.arguments = ["sandbox", "--port", "0", "--rate-limit", "0"]
        var environment = ProcessInfo.processInfo.environment
        environment["PERSONA_API_KEY"] = Sandbox.apiKey
        environment["PERSONA_API_KEY_ID"] = Sandbox.keyID
        environment["PERSONA_API_KEY_SECRET"] = Sandbox.secret
        environment["PERSONA_SANDBOX_ADMIN_TOKEN"] = Sandbox.adminToken
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The first stdout line is `listening on http://127.0.0.1:PORT`.
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) {
                break
            }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on "), let origin = text.split(separator: " ").last else {
            process.terminate()
            throw TestFailure(description: "`\(Paths.personaBinary) sandbox` did not start: \(text)")
        }
        self.origin = String(origin)
        self.process = process
        self.output = output
        // Keep reading, so the sandbox can never block on a full pipe.
        output.fileHandleForReading.readabilityHandler = { handle in
            if handle.availableData.isEmpty {
                handle.readabilityHandler = nil
            }
        }
    }

    func stop() {
        output.fileHandleForReading.readabilityHandler = nil
        process.terminate()
        process.waitUntilExit()
    }

    /// `/_sandbox/<path>`: `faults` (POST a rule, DELETE all), `stats`.
    @discardableResult
    func admin(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: origin + "/_sandbox/" + path)!)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(Sandbox.adminToken)", forHTTPHeaderField: "Authorization")
        if let body = body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        let finalRequest = request
        let data: Data = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: finalRequest) { data, _, error in
                if let data = data {
                    continuation.resume(returning: data)
                } else {
                    continuation.resume(throwing: error ?? TestFailure(description: "no response from the sandbox"))
                }
            }.resume()
        }
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
    }

    /// Makes the next `count` matching requests fail (see src/sandbox/faults.rs).
    func inject(_ rule: [String: Any]) async throws {
        try await admin("POST", "faults", rule)
    }

    func inquiryCount() async throws -> Int {
        let stats = try await admin("GET", "stats")
        guard let count = stats["inquiries"] as? Int else {
            throw TestFailure(description: "no inquiry count in \(stats)")
        }
        return count
    }

    func client(_ credentials: PersonaClient.Credentials = .apiKey(Sandbox.apiKey)) throws -> PersonaClient {
        try PersonaClient(credentials: credentials, baseURL: baseURL)
    }
}

/// A test case with one sandbox process for the whole class.
class SandboxTestCase: XCTestCase {
    private static var started: Result<Sandbox, Error>?

    override class func setUp() {
        super.setUp()
        started = Result { try Sandbox() }
    }

    override class func tearDown() {
        if case let .success(sandbox)? = started {
            sandbox.stop()
        }
        started = nil
        super.tearDown()
    }

    /// The class's sandbox; a sandbox that did not start fails the test.
    var sandbox: Sandbox {
        get throws {
            guard let started = SandboxTestCase.started else {
                throw TestFailure(description: "the sandbox was not started")
            }
            return try started.get()
        }
    }
}

/// Asserts that `body` throws a ``PersonaError`` for which `matches` holds, and returns it.
@discardableResult
func assertPersonaError<T>(
    _ body: @autoclosure () throws -> T,
    _ message: String = "",
    file: StaticString = #filePath,
    line: UInt = #line,
    where matches: (PersonaError) -> Bool = { _ in true }
) -> PersonaError? {
    do {
        let value = try body()
        XCTFail("expected a PersonaError, got \(value). \(message)", file: file, line: line)
    } catch let error as PersonaError {
        XCTAssertTrue(matches(error), "unexpected \(error). \(message)", file: file, line: line)
        return error
    } catch {
        XCTFail("expected a PersonaError, got \(error). \(message)", file: file, line: line)
    }
    return nil
}

/// Unix seconds as a Date (exact for every value in the vector files).
func date(_ seconds: Int64) -> Date {
    Date(timeIntervalSince1970: TimeInterval(seconds))
}

