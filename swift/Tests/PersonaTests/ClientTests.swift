import Foundation
import Persona
import PersonaBindings
import XCTest

// The async client against a real `persona sandbox` process over loopback (the scenarios of
// python/tests/test_client.py).

/// Inquiry attributes with the test template (fresh each call: `[String: Any]` is not Sendable).
func template(_ extra: [String: Any] = [:]) -> [String: Any] {
    var attributes: [String: Any] = ["inquiry-template-id": "itmpl_swift"]
    attributes.merge(extra) { _, new in new }
    return attributes
}

/// A create body for the test template.
func inquiryBody(_ extra: [String: Any] = [:]) -> [String: Any] {
    ["data": ["attributes": template(extra)]]
}

let simulateBody: [String: Any] = ["meta": ["simulate-actions": [["type": "start_inquiry"], ["type": "complete_inquiry"]]]]

final class ClientTests: SandboxTestCase {
    func testInquiryLifecycleAndResources() async throws {
        let sandbox = try self.sandbox
        let allCredentials: [PersonaClient.Credentials] = [
            .apiKey(Sandbox.apiKey),
            .keyPair(keyID: Sandbox.keyID, secret: Sandbox.secret),
        ]
        for credentials in allCredentials {
            let client = try sandbox.client(credentials)
            let inquiries = client.api.inquiries
            let inquiry = try await inquiries.create(body: inquiryBody(["reference-id": "swift-1"]))
            let inquiryID = try XCTUnwrap(inquiry.id)
            XCTAssertTrue(inquiryID.hasPrefix("inq_"), inquiryID)
            XCTAssertEqual(inquiry.attributes["status"] as? String, "created")

            let retrieved = try await inquiries.retrieve(inquiryID)
            XCTAssertEqual(retrieved.attributes["reference-id"] as? String, "swift-1")
            let updated = try await inquiries.update(inquiryID, body: ["data": ["attributes": ["note": "n"]]])
            XCTAssertEqual(updated.attributes["note"] as? String, "n")

            let completed = try await inquiries.performSimulateActions(inquiryID, body: simulateBody)
            XCTAssertEqual(completed.attributes["status"] as? String, "completed")
            let relationships = completed.resource?["relationships"] as? [String: Any]
            let verifications = relationships?["verifications"] as? [String: Any]
            let firstVerification = (verifications?["data"] as? [[String: Any]])?.first
            let verificationID = try XCTUnwrap(firstVerification?["id"] as? String)
            let verification = try await client.api.verifications.retrieve(verificationID)
            XCTAssertEqual(verification.attributes["status"] as? String, "passed")

            let approved = try await inquiries.approve(inquiryID)
            XCTAssertEqual(approved.attributes["status"] as? String, "approved")
            let resumed = try await inquiries.resume(inquiryID)
            let meta = (try resumed.body() as? [String: Any])?["meta"] as? [String: Any]
            let session = try XCTUnwrap(meta?["session-token"] as? String)
            XCTAssertTrue(session.hasPrefix("sess_"), session)

            let account = try await client.api.accounts.create(body: ["data": ["attributes": ["reference-id": "acct"]]])
            let fetchedAccount = try await client.api.accounts.retrieve(try XCTUnwrap(account.id))
            XCTAssertEqual(fetchedAccount.attributes["reference-id"] as? String, "acct")

            let events = try await client.api.events.list()
            let firstEvent = ((try events.body() as? [String: Any])?["data"] as? [[String: Any]])?.first
            XCTAssertEqual(firstEvent?["type"] as? String, "event")

            let response = try await client.request("GET", "/inquiries/\(inquiryID)")
            XCTAssertEqual(response.status, 200)
            let body = try response.json() as? [String: Any]
            let data = body?["data"] as? [String: Any]
            let attributes = data?["attributes"] as? [String: Any]
            XCTAssertEqual(attributes?["status"] as? String, "approved")
        }
    }

    func testPaginationOverThreePages() async throws {
        let client = try self.sandbox.client()
        let reference = "page-\(UUID().uuidString)"
        var created: Set<String> = []
        for _ in 0..<7 {
            let inquiry = try await client.api.inquiries.create(body: inquiryBody(["reference-id": reference]))
            created.insert(try XCTUnwrap(inquiry.id))
        }
        func ids(_ page: Response) throws -> [String] {
            ((try page.body() as? [String: Any])?["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        var listed: [String] = []
        var sizes: [Int] = []
        for try await page in client.api.inquiries.listPages(filter: ["reference-id": reference], pageSize: 3) {
            let pageIDs = try ids(page)
            sizes.append(pageIDs.count)
            listed += pageIDs
        }
        XCTAssertEqual(sizes, [3, 3, 1])
        XCTAssertEqual(Set(listed), created)

        // One page by hand, then the rest from its cursor.
        let first = try await client.api.inquiries.list(filter: ["reference-id": reference], pageSize: 3)
        let cursor = try XCTUnwrap(first.nextCursor)
        var rest: [String] = []
        for try await page in client.api.inquiries.listPages(filter: ["reference-id": reference], pageSize: 3, pageAfter: cursor) {
            rest += try ids(page)
        }
        XCTAssertEqual(rest.count, 4)
        XCTAssertEqual(Set(try ids(first) + rest), created)
    }

    func testTypedErrors() async throws {
        let sandbox = try self.sandbox
        let client = try sandbox.client()
        do {
            _ = try await client.api.inquiries.retrieve("inq_missing")
            XCTFail("expected not_found")
        } catch let PersonaError.api(error) {
            XCTAssertEqual(error.kind, .notFound)
            XCTAssertEqual(error.status, 404)
            XCTAssertTrue(error.requestID?.hasPrefix("req_") ?? false, "\(String(describing: error.requestID))")
        }
        do {
            _ = try await client.api.inquiries.create(body: ["data": ["attributes": [String: Any]()]])
            XCTFail("expected validation")
        } catch let PersonaError.api(error) {
            XCTAssertEqual(error.kind, .validation)
            XCTAssertEqual(error.errors.first?.pointer, "/data/attributes/inquiry-template-id")
        }
        _ = try await client.api.inquiries.create(body: inquiryBody(), idempotencyKey: "swift-reuse-1")
        do {
            _ = try await client.api.inquiries.create(
                body: ["data": ["attributes": ["inquiry-template-id": "other"]]], idempotencyKey: "swift-reuse-1"
            )
            XCTFail("expected conflict")
        } catch let PersonaError.api(error) {
            XCTAssertEqual(error.kind, .conflict)
            XCTAssertEqual(error.idempotencyKey, "swift-reuse-1")
        }

        let wrongKey = try sandbox.client(.apiKey("persona_sandbox_wrong"))
        do {
            _ = try await wrongKey.api.inquiries.retrieve("inq_x")
            XCTFail("expected authentication")
        } catch let error as PersonaError {
            XCTAssertEqual(error.code, "authentication")
            XCTAssertEqual(error.status, 401)
            for text in [String(describing: error), String(reflecting: error), error.localizedDescription] {
                XCTAssertFalse(text.contains(Sandbox.apiKey), text)
                XCTAssertFalse(text.contains("wrong"), text)
            }
        }

        // Plain http is for loopback only.
        XCTAssertThrowsError(
            try PersonaClient(credentials: .apiKey(Sandbox.apiKey), baseURL: URL(string: "http://example.com/api/v1"))
        ) { error in
            XCTAssertEqual((error as? PersonaError)?.kind, "configuration", "\(error)")
        }
    }

    func testFaultsNeverCreateTwoInquiries() async throws {
        let sandbox = try self.sandbox
        let client = try sandbox.client()
        let faults: [[String: Any]] = [
            ["kind": "status", "status": 429, "retry_after": 0],
            ["kind": "status", "status": 502],
            ["kind": "status", "status": 503],
            ["kind": "status", "status": 504],
            ["kind": "reset"],
            ["kind": "lose_response"],
        ]
        for fault in faults {
            let before = try await sandbox.inquiryCount()
            var rule: [String: Any] = ["method": "POST", "path": "/api/v1/inquiries", "count": 2]
            rule.merge(fault) { _, new in new }
            try await sandbox.inject(rule)
            _ = try await client.api.inquiries.create(body: inquiryBody())
            let after = try await sandbox.inquiryCount()
            XCTAssertEqual(after, before + 1, "exactly one inquiry under \(fault)")
        }
    }

    func testPost500SurfacesWithItsIdempotencyKey() async throws {
        let sandbox = try self.sandbox
        let client = try sandbox.client()
        try await sandbox.inject(["method": "POST", "path": "/api/v1/inquiries", "kind": "status", "status": 500])
        do {
            _ = try await client.api.inquiries.create(body: inquiryBody())
            XCTFail("expected a server error")
        } catch let PersonaError.api(error) {
            XCTAssertEqual(error.kind, .server)
            XCTAssertEqual(error.status, 500)
            XCTAssertNotNil(error.idempotencyKey)
        }
    }

    func testConcurrentCallsOnOneClient() async throws {
        let sandbox = try self.sandbox
        let client = try sandbox.client(.keyPair(keyID: Sandbox.keyID, secret: Sandbox.secret))

        // Eight concurrent creates, one of them losing its response: still exactly eight inquiries.
        let before = try await sandbox.inquiryCount()
        try await sandbox.inject(["method": "POST", "path": "/api/v1/inquiries", "kind": "lose_response"])
        let ids = try await withThrowingTaskGroup(of: String.self, returning: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { try await client.api.inquiries.create(body: inquiryBody()).id ?? "" }
            }
            var ids: [String] = []
            for try await id in group {
                ids.append(id)
            }
            return ids
        }
        XCTAssertEqual(Set(ids).count, 8)
        let after = try await sandbox.inquiryCount()
        XCTAssertEqual(after, before + 8)
        let fetched = try await client.api.inquiries.retrieve(ids[0])
        XCTAssertEqual(fetched.id, ids[0])

        // Calls overlap: each listing waits 200 ms inside the sandbox; serial would take 16 × 0.2 s.
        try await sandbox.inject(
            ["method": "GET", "path": "/api/v1/inquiries", "kind": "delay", "delay_ms": 200, "count": 16]
        )
        let started = Date()
        let pages = try await withThrowingTaskGroup(of: Int.self, returning: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    _ = try await client.api.inquiries.list(pageSize: 1)
                    return 1
                }
            }
            var pages = 0
            for try await page in group {
                pages += page
            }
            return pages
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(pages, 16)
        XCTAssertLessThan(elapsed, 16 * 0.2 / 2, "calls did not overlap: \(elapsed) s")

        do {
            _ = try await client.api.inquiries.retrieve("inq_missing")
            XCTFail("expected not_found")
        } catch let PersonaError.api(error) {
            XCTAssertEqual(error.kind, .notFound)
        }
    }

    func testCreateSimulateRetrieveWithTypedCallsOnly() async throws {
        let client = try self.sandbox.client(.keyPair(keyID: Sandbox.keyID, secret: Sandbox.secret))
        let inquiries = client.api.inquiries
        let created = try await inquiries.create(body: ["data": ["attributes": ["inquiry-template-id": "itmpl_swift", "reference-id": "swift-typed"]]])
        let document = try created.body() as? [String: Any]
        let id = try XCTUnwrap((document?["data"] as? [String: Any])?["id"] as? String)
        let simulated = try await inquiries.simulate(id, actions: [.startInquiry, .completeInquiry])
        XCTAssertTrue(simulated.bodyJSON.contains("\"completed\""))
        let retrieved = try await inquiries.retrieve(id, include: ["sessions"])
        // The typed model, read by the core.
        guard case let .inquiry(inquiry)? = try retrieved.model() else {
            return XCTFail("retrieve-an-inquiry answered something else")
        }
        XCTAssertEqual(inquiry.id, id)
        XCTAssertEqual(inquiry.status, .completed)
        XCTAssertEqual(inquiry.referenceId, "swift-typed")
        do {
            _ = try await inquiries.list(filter: ["reference_id": "swift-typed"])
            XCTFail("expected invalid_argument")
        } catch let PersonaError.invalidInput(code, message) {
            XCTAssertEqual(code, "invalid_argument")
            XCTAssertTrue(message.contains("reference-id"))
        }
    }
}
