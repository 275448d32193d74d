package com.withpersona.libpersona.internal

import com.sun.jna.Memory
import com.sun.jna.Native
import com.sun.jna.Pointer
import com.withpersona.libpersona.PersonaException
import java.nio.ByteBuffer
import java.nio.CharBuffer
import java.nio.charset.CharacterCodingException
import java.nio.charset.CodingErrorAction

/**
 * The hand-written half of the C ABI glue; the declarations themselves ([LibPersona]) are
 * generated from persona.h. The hot paths (webhook verify, request sign and verify) call the C
 * ABI through JNA direct mapping: one native call with primitive and byte-array arguments,
 * instead of UniFFI's per-argument buffer marshalling. The Rust implementation is the same one.
 *
 * Strings cross as UTF-8 bytes plus a length (never NUL-terminated: a NUL is an ordinary byte,
 * judged by the library). Errors come with the library's own code, kind and message.
 */
internal object CAbi {
    /** The library JNA loads: the same one, under the same name, as the UniFFI bindings. */
    val libraryName: String
        get() = System.getProperty("uniffi.component.persona.libraryOverride") ?: "persona"

    /** The largest `size_t` of this platform, as a Long (a Long cannot hold more). */
    val SIZE_MAX: Long = if (Native.SIZE_T_SIZE >= 8) Long.MAX_VALUE else (1L shl (8 * Native.SIZE_T_SIZE)) - 1

    /** An array size as the facade's `size_t` (a Long; narrowed for 32-bit ABIs there). */
    fun size(value: Int) = value.toLong()

    /** The exception for a failed call: this thread's last error, as the library reports it. */
    fun error(): PersonaException {
        val length = LibPersona.persona_last_error_length().toLong()
        val message = if (length in 0..(1 shl 20)) {
            val buffer = ByteArray(length.toInt() + 1)
            if (LibPersona.persona_last_error_message(buffer, size(buffer.size)) == 0) {
                String(buffer, 0, length.toInt(), Charsets.UTF_8)
            } else {
                null
            }
        } else {
            null
        }
        val code = LibPersona.persona_last_error_code()?.getString(0, "US-ASCII").orEmpty().ifEmpty { "internal" }
        val kind = LibPersona.persona_last_error_kind()?.getString(0, "US-ASCII").orEmpty().ifEmpty { "internal" }
        return PersonaException.of(kind, code, message ?: "libpersona call failed")
    }

    /**
     * A native array of structs made of (pointer, length) pairs — `persona_str`, `persona_key`,
     * `persona_header` (the generator checks the header has no other kind) — and the bytes they
     * point to, in one block: one allocation per call. Each entry holds [pairs] byte arrays.
     */
    fun pairTable(entries: List<Array<ByteArray>>, pairs: Int): Memory? {
        if (entries.isEmpty()) return null
        val slot = Native.POINTER_SIZE.toLong()
        val sizeT = Native.SIZE_T_SIZE.toLong()
        val stride = pairs * (slot + sizeT)
        val table = entries.size * stride
        val memory = Memory(table + entries.sumOf { entry -> entry.sumOf { it.size.toLong() } } + 1)
        var offset = table
        entries.forEachIndexed { index, entry ->
            require(entry.size == pairs) { "each entry needs $pairs byte arrays" }
            entry.forEachIndexed { field, bytes ->
                val at = index * stride + field * (slot + sizeT)
                memory.write(offset, bytes, 0, bytes.size)
                memory.setPointer(at, memory.share(offset))
                writeSize(memory, at + slot, bytes.size.toLong())
                offset += bytes.size
            }
        }
        return memory
    }

    /**
     * Text a handle hands out as pointer + length, decoded as UTF-8: [read] gets [length], a
     * `size_t` slot the caller allocates once for all the fields it reads.
     */
    inline fun text(length: Memory, read: (Pointer) -> Pointer?): String? {
        val pointer = read(length) ?: return null
        return String(pointer.getByteArray(0, Math.toIntExact(readSize(length, 0))), Charsets.UTF_8)
    }

    /** A `size_t` slot (see [text]). */
    fun sizeSlot() = Memory(Native.SIZE_T_SIZE.toLong())

    /** Reads the `size_t` at [offset], unsigned, at the platform's width. */
    fun readSize(memory: Pointer, offset: Long): Long =
        if (Native.SIZE_T_SIZE == 8) memory.getLong(offset) else memory.getInt(offset).toLong() and 0xffffffffL

    /** Writes [value] as a `size_t` at [offset], at the platform's width. */
    fun writeSize(memory: Pointer, offset: Long, value: Long) {
        if (Native.SIZE_T_SIZE == 8) memory.setLong(offset, value) else memory.setInt(offset, value.toInt())
    }
}

/** Where the first NUL at or after [from] is, or [ByteArray.size]: the end of a C string. */
internal fun ByteArray.nulAt(from: Int = 0): Int {
    var end = from
    while (end < size && this[end] != 0.toByte()) end++
    return end
}

/**
 * An argument as UTF-8 bytes. A lone surrogate cannot be UTF-8: rather than let the JDK turn it
 * into `?` (a silently different secret, key id or URL), it is refused, naming [name].
 */
internal fun String.utf8(name: String): ByteArray {
    for (char in this) {
        if (char.isSurrogate()) return strictUtf8(this, name)
    }
    return toByteArray(Charsets.UTF_8)
}

private fun strictUtf8(text: String, name: String): ByteArray {
    val encoder = Charsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
    val encoded: ByteBuffer = try {
        encoder.encode(CharBuffer.wrap(text))
    } catch (e: CharacterCodingException) {
        throw PersonaException.invalidArgument(name, "must be valid Unicode (no lone surrogates)")
    }
    return ByteArray(encoded.remaining()).also { encoded.get(it) }
}

/** A Long within `low..high`, or the library's `invalid_argument` naming [name]. */
internal fun Long.inRange(name: String, low: Long, high: Long): Long {
    if (this < low || this > high) throw PersonaException.invalidArgument(name, "must be an integer from $low to $high")
    return this
}
