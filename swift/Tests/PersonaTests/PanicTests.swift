import Foundation
import Persona
import XCTest

#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

// A Rust panic must surface as an error and leave the process running. The trigger exists only in
// test-hooks builds of libpersona (`cargo build -p persona-ffi --features test-hooks`), never in a
// shipped one, so it is looked up at run time and the test is skipped when the library lacks it.

final class PanicTests: XCTestCase {
    private typealias Trigger = @convention(c) () -> Int32
    private typealias LastErrorLength = @convention(c) () -> Int
    private typealias LastErrorMessage = @convention(c) (UnsafeMutablePointer<CChar>?, Int) -> Int32

    /// RTLD_DEFAULT: every image loaded in the process (libpersona among them).
    #if canImport(Darwin)
    private let everywhere = UnsafeMutableRawPointer(bitPattern: -2)
    #else
    private let everywhere: UnsafeMutableRawPointer? = nil
    #endif

    private func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let address = dlsym(everywhere, name) else { return nil }
        return unsafeBitCast(address, to: type)
    }

    func testRustPanicIsAnErrorAndTheProcessSurvives() throws {
        guard let trigger = symbol("persona_debug_trigger_panic", as: Trigger.self),
              let length = symbol("persona_last_error_length", as: LastErrorLength.self),
              let message = symbol("persona_last_error_message", as: LastErrorMessage.self)
        else {
            throw XCTSkip("this libpersona has no test hooks (build it with --features test-hooks)")
        }
        XCTAssertEqual(trigger(), 4, "PERSONA_ERR_PANIC")
        var buffer = [CChar](repeating: 0, count: length() + 1)
        XCTAssertEqual(message(&buffer, buffer.count), 0)
        XCTAssertTrue(String(cString: buffer).contains("deliberate panic"))
        // The library still works afterwards.
        XCTAssertFalse(PersonaClient.libraryVersion.isEmpty)
        XCTAssertNoThrow(try Persona.WebhookVerifier(secret: "s"))
    }
}
