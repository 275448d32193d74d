package com.withpersona.libpersona.internal

import com.sun.jna.Pointer
import java.lang.ref.Cleaner
import java.util.concurrent.atomic.AtomicLong

/**
 * A C ABI handle shared by concurrent callers and freed exactly once: after [close] (or garbage
 * collection) *and* after the last in-flight call returns, so a close racing a call on another
 * thread can never free memory the call is using.
 */
internal class NativeHandle(pointer: Pointer, free: (Pointer) -> Unit) : AutoCloseable {
    /** Kept apart from the handle object so the cleaner does not keep it reachable. */
    private class State(val pointer: Pointer, val free: (Pointer) -> Unit) : Runnable {
        /** In-flight calls plus one for the owner; 0 means freed. */
        val references = AtomicLong(1)
        val closed = java.util.concurrent.atomic.AtomicBoolean(false)

        fun release() {
            if (references.decrementAndGet() == 0L) free(pointer)
        }

        /** Drops the owner's reference once (explicit close or the cleaner). */
        override fun run() {
            if (closed.compareAndSet(false, true)) release()
        }
    }

    private val state = State(pointer, free)
    private val cleanable = CLEANER.register(this, state)

    /** Runs [block] with the live pointer; throws [IllegalStateException] after [close]. */
    inline fun <R> use(block: (Pointer) -> R): R {
        acquire()
        try {
            return block(pointerForCall())
        } finally {
            releaseCall()
        }
    }

    @PublishedApi
    internal fun acquire() {
        while (true) {
            val current = state.references.get()
            check(current != 0L && !state.closed.get()) { "this object is closed" }
            if (state.references.compareAndSet(current, current + 1)) return
        }
    }

    @PublishedApi internal fun pointerForCall(): Pointer = state.pointer
    @PublishedApi internal fun releaseCall() = state.release()

    override fun close() = cleanable.clean()

    private companion object {
        val CLEANER: Cleaner = Cleaner.create()
    }
}
