package com.withpersona.libpersona.internal

/**
 * One thread's reusable buffers for [com.withpersona.libpersona.RequestVerifier.verify]: the
 * method, the URL and the packed headers (`persona_request_verifier_verify_packed`'s frames: a
 * 4-byte little-endian length then the bytes, name then value), and the key id the library writes
 * back. Building a native `persona_header` table per call cost more than the verification itself
 * (a JNA `Memory`, its cleaner and ~24 JNI calls for 4 headers); filling arrays a thread already
 * owns costs a copy. JNA copies a whole array in and out on every call, so an array grown past
 * [KEEP_AT_MOST] for one large request is dropped afterwards.
 */
internal class RequestScratch {
    var method = ByteArray(16)
    var methodLen = 0
    var url = ByteArray(256)
    var urlLen = 0
    var headers = ByteArray(512)
    var headersLen = 0
    val keyId = ByteArray(LibPersona.PERSONA_KEY_ID_MAX)

    /** The method as strict UTF-8 (a lone surrogate is an error naming it, as elsewhere). */
    fun putMethod(text: String) {
        method = room(method, 0, text.length * 3)
        methodLen = putText(method, 0, text, "method", strict = true)
    }

    /** The URL as strict UTF-8. */
    fun putUrl(text: String) {
        url = room(url, 0, text.length * 3)
        urlLen = putText(url, 0, text, "url", strict = true)
    }

    fun clearHeaders() {
        headersLen = 0
    }

    /** One header frame. Header text is wire data: a lone surrogate becomes `?` (as the JDK's
     * UTF-8 encoder writes it), which no signature grammar accepts. */
    fun addHeader(name: String, value: String) {
        headers = room(headers, headersLen, 8 + 3 * (name.length + value.length))
        headersLen = putFrame(headersLen, name)
        headersLen = putFrame(headersLen, value)
    }

    /** The key id the library wrote (NUL-terminated ASCII: key ids are `[A-Za-z0-9._~-]`). */
    fun keyIdString(): String {
        var length = 0
        while (length < keyId.size && keyId[length] != 0.toByte()) length++
        return String(keyId, 0, length, Charsets.ISO_8859_1)
    }

    /** Drops buffers one large request grew, so later calls do not copy them. */
    fun trim() {
        if (url.size > KEEP_AT_MOST) url = ByteArray(256)
        if (headers.size > KEEP_AT_MOST) headers = ByteArray(512)
        if (method.size > KEEP_AT_MOST) method = ByteArray(16)
    }

    private fun putFrame(at: Int, text: String): Int {
        val end = putText(headers, at + 4, text, "header", strict = false)
        val length = end - at - 4
        headers[at] = length.toByte()
        headers[at + 1] = (length ushr 8).toByte()
        headers[at + 2] = (length ushr 16).toByte()
        headers[at + 3] = (length ushr 24).toByte()
        return end
    }

    companion object {
        const val KEEP_AT_MOST = 16 * 1024

        private val LOCAL: ThreadLocal<RequestScratch> = ThreadLocal.withInitial { RequestScratch() }

        fun get(): RequestScratch = LOCAL.get()

        /** [array], or a larger copy with room for [extra] bytes after [used]. */
        private fun room(array: ByteArray, used: Int, extra: Int): ByteArray {
            val needed = used.toLong() + extra
            if (needed <= array.size) return array
            require(needed <= Int.MAX_VALUE - 8) { "request too large" }
            return array.copyOf(maxOf(needed.toInt(), array.size * 2))
        }

        /** Writes [text] as UTF-8 at [at] (room for 3 bytes a char is made by the caller); returns
         * the end. ASCII is copied a char at a time; anything else goes through the JDK encoder. */
        private fun putText(into: ByteArray, at: Int, text: String, name: String, strict: Boolean): Int {
            var position = at
            for (index in text.indices) {
                val char = text[index]
                if (char.code >= 0x80) {
                    val encoded = if (strict) text.utf8(name) else text.toByteArray(Charsets.UTF_8)
                    System.arraycopy(encoded, 0, into, at, encoded.size)
                    return at + encoded.size
                }
                into[position++] = char.code.toByte()
            }
            return position
        }
    }
}
