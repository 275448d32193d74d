import Foundation
import PersonaFFI

/// libpersona's C ABI (`persona.h`, part of the `PersonaFFI` module beside UniFFI's header) for the
/// calls that run on every request — webhook verification, `v1` signing and verification: one
/// native call each, without UniFFI's per-argument marshalling. The Rust implementation is the
/// same one every language calls.
///
/// Strings cross as UTF-8 bytes plus a length (never NUL-terminated: a NUL is an ordinary byte,
/// judged by the library); errors come with the library's own code, kind and message.
enum CABI {
    /// The error for a failed call: this thread's last error, as the library reports it.
    static func error() -> PersonaError {
        let length = persona_last_error_length()
        var buffer = [CChar](repeating: 0, count: length + 1)
        let message = persona_last_error_message(&buffer, buffer.count) == PERSONA_OK
            ? String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "libpersona call failed"
        let code = persona_last_error_code().map { String(cString: $0) } ?? ""
        let kind = persona_last_error_kind().map { String(cString: $0) } ?? ""
        return PersonaError(kind: kind, code: code.isEmpty ? "internal" : code, message: message)
    }

    /// Throws the last error unless `result` is `PERSONA_OK`.
    static func check(_ result: persona_result) throws {
        if result != PERSONA_OK {
            throw error()
        }
    }

    /// Runs `body` with the bytes of `data` as pointer + length (nil for an empty buffer).
    static func withBytes<R>(_ data: Data, _ body: (UnsafePointer<UInt8>?, Int) throws -> R) rethrows -> R {
        try data.withUnsafeBytes { raw in
            try body(raw.bindMemory(to: UInt8.self).baseAddress, raw.count)
        }
    }

    /// Runs `body` with the UTF-8 bytes of `text` as pointer + length. The pointer is never nil,
    /// even for "": where the C ABI reads NULL as "not given" (a nonce, a header), an empty string
    /// must still be an empty string.
    static func withText<R>(_ text: String, _ body: (UnsafePointer<UInt8>?, Int) throws -> R) rethrows -> R {
        var bytes = Array(text.utf8)
        let length = bytes.count
        bytes.append(0)
        return try bytes.withUnsafeBufferPointer { try body($0.baseAddress, length) }
    }

    /// Runs `body` with the UTF-8 bytes of `text` as pointer + length; nil stays a NULL pointer.
    static func withOptionalText<R>(_ text: String?, _ body: (UnsafePointer<UInt8>?, Int) throws -> R) rethrows -> R {
        guard let text = text else { return try body(nil, 0) }
        return try withText(text, body)
    }

    /// Runs `body` with `value` as a pointer to an `int64_t` (nil stays a NULL pointer).
    static func withOptionalInt64<R>(_ value: Int64?, _ body: (UnsafePointer<Int64>?) throws -> R) rethrows -> R {
        guard var value = value else { return try body(nil) }
        return try withUnsafePointer(to: &value) { try body($0) }
    }

    /// Runs `body` with pointers into every string of `texts` (UTF-8, pointer + length each), all
    /// valid for the duration of the call: the bytes of a `persona_str`, `persona_key` or
    /// `persona_header` table.
    static func withTexts<R>(
        _ texts: [String], _ body: ([(pointer: UnsafePointer<UInt8>?, length: Int)]) throws -> R
    ) rethrows -> R {
        var joined = [UInt8]()
        var ranges = [(offset: Int, length: Int)]()
        for text in texts {
            let bytes = Array(text.utf8)
            ranges.append((joined.count, bytes.count))
            joined += bytes
        }
        return try joined.withUnsafeBufferPointer { buffer in
            try body(ranges.map { range in
                (buffer.baseAddress.map { $0 + range.offset }, range.length)
            })
        }
    }

    /// Text a handle hands out as pointer + length (`size_t *len_out`); nil for a NULL pointer.
    static func text(_ read: (UnsafeMutablePointer<Int>) -> UnsafePointer<CChar>?) -> String? {
        var length = 0
        guard let pointer = read(&length) else { return nil }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
        }
    }

    /// A Swift integer within the C parameter's range, or the library's `invalid_argument`
    /// naming the Swift parameter: never a wrap.
    static func int64(_ value: UInt64, _ name: String) throws -> Int64 {
        guard let converted = Int64(exactly: value) else {
            throw PersonaError.invalidArgument(name, "must be an integer from 0 to \(Int64.max)")
        }
        return converted
    }

    /// As ``int64(_:_:)`` for a `size_t` parameter.
    static func size(_ value: UInt64, _ name: String) throws -> Int {
        guard let converted = Int(exactly: value) else {
            throw PersonaError.invalidArgument(name, "must be an integer from 0 to \(Int.max)")
        }
        return converted
    }
}
